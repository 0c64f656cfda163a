// SHA-256 through node:crypto (fast native hashing for media hashes in Node).
import { createHash } from "node:crypto";
import { Hasher } from "../util/sha256";

export function nodeSha256(): Hasher {
  const h = createHash("sha256");
  return { update: (d) => { h.update(d); }, digestHex: () => h.digest("hex") };
}
