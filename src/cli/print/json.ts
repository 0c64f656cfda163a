// JSON output the way nvme-cli prints it: json-c 0.16 with JSON_C_TO_STRING_PRETTY and
// JSON_C_TO_STRING_NOSLASHESCAPE. Two-space indent, no space after ':', keys in insertion
// order, empty objects/arrays still broken over two lines ("{\n  }"), bigint values printed
// as bare integers (nvme-cli master prints uint64/uint128 counters as JSON numbers).
// toNvmeJson returns the text without the trailing newline nvme-cli adds with printf("\n").

export type NvmeJson =
  | null
  | boolean
  | number
  | bigint
  | string
  | NvmeJson[]
  | { [key: string]: NvmeJson };

function escape(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    switch (ch) {
      case '"': out += '\\"'; break;
      case "\\": out += "\\\\"; break;
      case "\b": out += "\\b"; break;
      case "\f": out += "\\f"; break;
      case "\n": out += "\\n"; break;
      case "\r": out += "\\r"; break;
      case "\t": out += "\\t"; break;
      default:
        out += c < 0x20 ? "\\u" + c.toString(16).padStart(4, "0") : ch;
    }
  }
  return out + '"';
}

function indent(level: number): string {
  return "  ".repeat(level);
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "boolean") return v ? "true" : "false";
  if (typeof v === "bigint") return v.toString();
  if (typeof v === "number") {
    if (Number.isInteger(v) && Math.abs(v) < 1e21) return BigInt(v).toString();
    return Number.isFinite(v) ? String(v) : "null";
  }
  if (typeof v === "string") return escape(v);
  throw new TypeError(`toNvmeJson: cannot serialize ${typeof v}`);
}

function ser(v: unknown, level: number): string {
  if (Array.isArray(v)) {
    let s = "[";
    v.forEach((el, i) => {
      s += (i ? "," : "") + "\n" + indent(level + 1) + ser(el, level + 1);
    });
    return s + "\n" + indent(level) + "]";
  }
  if (v !== null && typeof v === "object") {
    let s = "{";
    let i = 0;
    for (const [k, el] of Object.entries(v as Record<string, unknown>)) {
      if (el === undefined) continue;
      s += (i++ ? "," : "") + "\n" + indent(level + 1) + escape(k) + ":" + ser(el, level + 1);
    }
    return s + "\n" + indent(level) + "}";
  }
  return scalar(v);
}

/** Serialize like json_object_to_json_string_ext(PRETTY | NOSLASHESCAPE). */
export function toNvmeJson(value: unknown): string {
  return ser(value, 0);
}
