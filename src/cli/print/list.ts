// `nvme list` output: nvme-cli master's simple table (util/table.c: columns Node, Generic,
// SN, Model, Namespace, Usage, Format, FW Rev; left-aligned, widened to the longest value,
// one space between columns, the last column padded too) with rows in natural name order,
// and the {"Devices":[...]} object of json_simple_list.

import { cFixed, suffixSi, suffixBinary } from "./fmt";

export interface ListRow {
  /** Block device path, e.g. "/dev/nvme0n1". */
  node: string;
  /** Generic char device path, e.g. "/dev/ng0n1". */
  generic: string;
  sn: string;
  model: string;
  nsid: number;
  /** NUSE x LBA size. */
  usedBytes: number;
  /** NSZE x LBA size. */
  totalBytes: number;
  /** LBA data size of the format in use. */
  lbaBytes: number;
  /** Metadata bytes per LBA of the format in use. */
  ms: number;
  fw: string;
}

const COLUMNS: Array<[string, number]> = [
  ["Node", 21], ["Generic", 21], ["SN", 20], ["Model", 40], ["Namespace", 10], ["Usage", 26], ["Format", 16], ["FW Rev", 8],
];

/** name_natcmp: byte order, except runs of digits compare by value ("nvme2" < "nvme10"). */
export function naturalCompare(a: string, b: string): number {
  let i = 0, j = 0;
  while (i < a.length && j < b.length) {
    const ca = a.charCodeAt(i), cb = b.charCodeAt(j);
    const da = ca >= 48 && ca <= 57, db = cb >= 48 && cb <= 57;
    if (da && db) {
      let ei = i, ej = j;
      while (ei < a.length && /\d/.test(a[ei])) ei++;
      while (ej < b.length && /\d/.test(b[ej])) ej++;
      const va = BigInt(a.slice(i, ei)), vb = BigInt(b.slice(j, ej));
      if (va !== vb) return va < vb ? -1 : 1;
      i = ei; j = ej;
      continue;
    }
    if (ca !== cb) return ca - cb;
    i++; j++;
  }
  return (i < a.length ? a.charCodeAt(i) : 0) - (j < b.length ? b.charCodeAt(j) : 0);
}

function baseName(path: string): string {
  const k = path.lastIndexOf("/");
  return k < 0 ? path : path.slice(k + 1);
}

/** The Usage cell: "%6.2f %2sB / %6.2f %2sB" with 1000-based suffixes. */
export function usageCell(usedBytes: number, totalBytes: number): string {
  const [u, us] = suffixSi(usedBytes);
  const [t, ts] = suffixSi(totalBytes);
  return `${cFixed(u, 2).padStart(6, " ")} ${us.padStart(2, " ")}B / ${cFixed(t, 2).padStart(6, " ")} ${ts.padStart(2, " ")}B`;
}

/** The Format cell: "%3.0f %2sB + %2d B" with the LBA size in rounded binary units. */
export function formatCell(lbaBytes: number, ms: number): string {
  const [l, ls] = suffixBinary(lbaBytes);
  return `${cFixed(l, 0).padStart(3, " ")} ${ls.padStart(2, " ")}B + ${String(ms).padStart(2, " ")} B`;
}

/** `nvme list` text, ending with a newline. */
export function listText(rows: ListRow[]): string {
  const sorted = [...rows].sort((x, y) => naturalCompare(baseName(x.node), baseName(y.node)));
  const cells = sorted.map((r) => [
    r.node, r.generic, r.sn.trimEnd(), r.model.trimEnd(), `0x${(r.nsid >>> 0).toString(16)}`,
    usageCell(r.usedBytes, r.totalBytes), formatCell(r.lbaBytes, r.ms), r.fw.trimEnd(),
  ]);
  const widths = COLUMNS.map(([name, w], c) => Math.max(w, name.length, ...cells.map((row) => row[c].length)));
  const lines = [
    COLUMNS.map(([name], c) => name.padEnd(widths[c], " ")).join(" "),
    widths.map((w) => "-".repeat(w)).join(" "),
    ...cells.map((row) => row.map((v, c) => v.padEnd(widths[c], " ")).join(" ")),
  ];
  return lines.join("\n") + "\n";
}

/** `nvme list -o json` object (nvme-cli master json_simple_list), rows in the order given. */
export function listJson(rows: ListRow[]): Record<string, unknown> {
  return {
    Devices: rows.map((r) => ({
      NameSpace: r.nsid,
      DevicePath: r.node,
      GenericPath: r.generic,
      Firmware: r.fw.trimEnd(),
      ModelNumber: r.model.trimEnd(),
      SerialNumber: r.sn.trimEnd(),
      UsedBytes: r.usedBytes,
      MaximumLBA: r.lbaBytes ? Math.floor(r.totalBytes / r.lbaBytes) : 0,
      PhysicalSize: r.totalBytes,
      SectorSize: r.lbaBytes,
    })),
  };
}
