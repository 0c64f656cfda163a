// The console's dumps of a file's bytes, as the tools of those names print them: xxd(1) with
// no options (an offset, eight 2-byte groups, the bytes as text) and hexdump -C (the canonical
// layout, with "*" for repeated lines and the length at the end). nvme-cli's own commands
// print raw data with their own layout (src/cli/print/hexdump.ts, nvme-cli's d()); these are
// for the files the console holds. No DOM.

const hex2 = (b: number) => b.toString(16).padStart(2, "0");
/** xxd and hexdump -C print bytes 0x20..0x7e as themselves, everything else as ".". */
const shown = (b: number) => (b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : ".");
const text = (bytes: Uint8Array) => Array.from(bytes, shown).join("");

/** xxd FILE: "00000000: 6e76 6d65 6c61 6200 3030 3030 0000 0000  nvmelab.0000....". */
export function xxd(data: Uint8Array): string {
  const lines: string[] = [];
  for (let at = 0; at < data.length; at += 16) {
    const row = data.subarray(at, at + 16);
    let groups = "";
    for (let i = 0; i < 16; i += 2) {
      const pair = i < row.length ? hex2(row[i]) + (i + 1 < row.length ? hex2(row[i + 1]) : "  ") : "    ";
      groups += (i ? " " : "") + pair;
    }
    lines.push(`${at.toString(16).padStart(8, "0")}: ${groups}  ${text(row)}`);
  }
  return lines.join("\n");
}

/** hexdump -C FILE: "00000000  6e 76 6d 65 6c 61 62 00  30 30 ...  |nvmelab.0000....|", "*", the length. */
export function hexdumpC(data: Uint8Array): string {
  const lines: string[] = [];
  let previous: string | undefined;
  let starred = false;
  for (let at = 0; at < data.length; at += 16) {
    const row = data.subarray(at, at + 16);
    const bytes = Array.from({ length: 16 }, (_, i) => (i < row.length ? hex2(row[i]) : "  "));
    const key = row.length === 16 ? bytes.join("") : undefined;
    // a full line equal to the one before is printed once, then "*" (hexdump's default, no -v)
    if (key !== undefined && key === previous) {
      if (!starred) lines.push("*");
      starred = true;
      continue;
    }
    previous = key;
    starred = false;
    lines.push(`${at.toString(16).padStart(8, "0")}  ${bytes.slice(0, 8).join(" ")}  ${bytes.slice(8).join(" ")}  |${text(row)}|`);
  }
  lines.push(data.length.toString(16).padStart(lines.length ? 8 : 7, "0"));
  return lines.join("\n");
}
