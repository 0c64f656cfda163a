// The emulator against QEMU 10.0.2's recorded results for the same command traces: every
// op's status, DW0, data hashes and the final media must match, except the differences
// listed here, each explained in docs/CONFORMANCE.md (the id in brackets).

import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runTrace, compareResults } from "../../src/replay/run";
import { loadCoreModule } from "../../src/node/wasm";
import { nodeSha256 } from "../../src/node/hash";

const dir = join(__dirname, "../fixtures/oracle");

/** Expected differences: op index -> why, plus whether the final media differs. */
const EXPECTED: Record<string, { ops: Record<number, string>; finalMedia?: string }> = {
  "selftest-copy": {
    ops: {
      28: "[QEMU-ABORT] QEMU 10.0.2 aborts on a range-0 failure; no verdict",
      45: "[C-FMT13] format 1h on a 16b-guard namespace: Invalid Namespace or Format, not Invalid Format",
      66: "[C-FMT13] format 3h likewise",
    },
  },
  "io-basics": {
    ops: {
      42: "[Q2] deallocated blocks read as zeroes (DLFEAT = 001b); QEMU's default drive keeps the data",
      43: "[Q3] a DSM range past the end is LBA Out of Range; QEMU skips it",
      52: "[C-DMA] a PRP outside host memory is a Data Transfer Error; QEMU drops the data and succeeds",
      54: "[Q2] media hash after the deallocate",
    },
    finalMedia: "[Q2]",
  },
  admin: {
    ops: { 77: "[Q6] FUSE set: Invalid Field with DNR" },
  },
  "copy-extra": {
    ops: {
      18: "[Q7] a same-namespace range after a foreign one is read from the destination namespace",
      19: "[Q8] source = destination overlaps",
      20: "[Q8] source starting inside the destination overlaps",
      22: "[Q8] a later range inside the written destination overlaps",
      23: "[Q8] data after the overlap cases",
      25: "[Q9] MSSRL of the destination namespace (32) allows 20 blocks",
      26: "[Q9] MSSRL of the destination namespace (16) refuses 20 blocks",
      53: "[Q7][Q8] media hash",
      54: "[Q9] media hash of ns2",
    },
    finalMedia: "[Q7][Q8][Q9]",
  },
  "copy-pif": {
    ops: {
      7: "[Q7] format 3h: a same-namespace range after a foreign one is read from the destination namespace",
      11: "[C-FMT13] format 0h on a 64b-guard namespace: Invalid Namespace or Format",
      12: "[C-FMT13] format 2h on a 64b-guard namespace",
      13: "[C-FMT13] format 1h on a 16b-guard namespace",
      16: "[Q7] media hash",
    },
    finalMedia: "[Q7]",
  },
  // PRINFO, ILBRT/LBST (CDW2, CDW3, CDW14), LBAT/LBATM (CDW15) and the Copy descriptors' tags
  // on namespaces without protection information (16b- and 64b-guard formats, with and without
  // metadata): ignored by both, so every status, data and media hash is the same.
  "pi-tags": { ops: {} },
  // Protection information: types 1-3, first and last, 16b and 64b guards, PRACT, every check,
  // the escapes, Verify/Compare/Write Zeroes, Copy across PI and non-PI namespaces, Format NVM.
  pi: {
    ops: {
      53: "[C-PI3DNR] type 3 with PRCHK ref: Invalid Protection Information with DNR",
      55: "[C-PI3DNR] likewise for a PRACT write",
      56: "[C-PI3DNR] likewise for a write",
      57: "[C-PI3DNR] likewise for Verify",
      58: "[C-PI3DNR] likewise for Compare",
      102: "[C-PIWZ64] Write Zeroes with PRACT, 64b guard: the CRC-64 of the block's 512 zero bytes",
      109: "[C-FMTERASE] a block the format erased passes every check (QEMU: its zero tuple fails the reference tag check)",
      112: "[C-FMTERASE] after Format NVM the blocks are deallocated: all-ones tuples",
      120: "[C-FMTSES] cryptographic erase is not supported: Invalid Field",
      124: "[C-FMTNSZE] NSZE is kept by a format to another metadata size",
    },
  },
  "audit-probe": {
    ops: {
      0: "[C-PMIVC] Get Features SEL = 011b of Arbitration: changeable (4h)",
      1: "[C-PMIVC] Power Management: changeable",
      6: "[C-PMIVC] Interrupt Coalescing: changeable",
      7: "[C-PMIVC] Interrupt Vector Configuration: changeable",
      13: "[C-PMIVC] Set Power Management succeeds",
      14: "[C-PMIVC] Set Interrupt Vector Configuration succeeds",
      15: "[C-ARB] Set Arbitration succeeds",
      16: "[C-ARB] Set Interrupt Coalescing succeeds",
      24: "[C-DULBE] DULBE cannot be enabled (NSFEAT.DAE = 0)",
      26: "[C-ARB] Arbitration reads back what op 15 set",
      27: "[C-SEL] SEL 100b is reserved: Invalid Field",
      37: "[C-ERRLOG] the Error Information log has the failed commands",
      38: "[C-FWSLOT] FRS1 is the Identify Controller FR; QEMU's slot says 1.0",
      39: "[C-NS] Commands Supported and Effects: no namespace management, directives, Format NVM, I/O management",
      40: "[C-SMARTNS] SMART NSID 0: the controller's log",
      41: "[C-SMART] no per-namespace SMART (LPA bit 0 = 0)",
      42: "[C-SMARTNS] inactive NSID: Invalid Field",
      46: "[C-NS] no Changed Namespace List log",
      47: "[C-NS] effects log (CSI ignored by both)",
      51: "[C-IDNVM-NS] CNS 05h: no NPDGL/NPDAL",
      53: "[C-IDNVM-CTRL] CNS 06h: no limits reported",
      55: "[C-IDCTRL] Identify Controller page",
      57: "[C-IDNS] Identify Namespace page",
      59: "[C-NS] CNS 07h",
      60: "[C-NS] CNS 08h",
      61: "[C-IV] interrupt vector 5 without MSI-X enabled",
      66: "[C-VSL] Verify above QEMU's VSL",
      67: "[C-VSL] Verify of 65536 blocks",
      69: "[C-DULBE] QEMU's DULBE from op 24 fails the read of unwritten blocks",
      70: "[C-FLUSHFUSE] Flush FFFFFFFFh with FUSE: Invalid Field",
      75: "[C-DULBE] likewise for Compare",
      76: "[C-DULBE] likewise for the SGL read (QEMU checks DULBE before the data pointer)",
    },
  },
  "audit-idns": {
    ops: { 0: "[C-IDNS]", 1: "[C-IDNS]", 3: "[C-IDNS] NUSE counts the 4 written blocks" },
  },
  "identify-nvm": {
    ops: {
      0: "[C-IDNVM-CTRL] CNS 06h: no limits (QEMU: VSL 7, DMRL 255, DMRSL, DMSL)",
      2: "[C-ZNS] CNS 06h CSI 02h",
      5: "[C-IDNVM-CTRL]",
      6: "[C-IDNVM-CTRL]",
      7: "[C-IDNVM-NS] CNS 05h: no NPDGL/NPDAL",
      10: "[C-IDNVM-NS]",
      13: "[C-IDNVM-NS]",
      17: "[C-IDCSI] inactive NSID with an unsupported CSI: Invalid Field",
      18: "[C-ZNS] CNS 05h CSI 02h",
      28: "[C-IDNVM-NS]",
      30: "[C-VSL] Verify above QEMU's VSL",
      31: "[C-VSL] interleaved metadata counts toward QEMU's VSL",
      32: "[C-VSL]",
    },
  },
};

describe("conformance with QEMU 10.0.2 (oracle fixtures)", () => {
  for (const name of Object.keys(EXPECTED)) {
    it(`${name}: only the documented differences`, async () => {
      const trace = JSON.parse(readFileSync(join(dir, "traces", `${name}.json`), "utf8"));
      const qemu = JSON.parse(readFileSync(join(dir, "results", `${name}.qemu-10.0.2.json`), "utf8"));
      const ours = await runTrace(trace, { module: await loadCoreModule(false), sha256: nodeSha256 });
      expect(ours.aborted, String(ours.error)).toBe(false);
      const diffs = compareResults(qemu, ours);
      const diffOps = diffs.filter((d) => d.startsWith("op ")).map((d) => Number(/^op (\d+)/.exec(d)![1]));
      const expected = EXPECTED[name];
      expect(diffOps.sort((a, b) => a - b), diffs.join("\n")).toEqual(Object.keys(expected.ops).map(Number).sort((a, b) => a - b));
      expect(diffs.some((d) => d.startsWith("final_media")), diffs.join("\n")).toBe(Boolean(expected.finalMedia));
    });
  }

  it("every difference listed here is explained in docs/CONFORMANCE.md", () => {
    const doc = readFileSync(join(__dirname, "../../docs/CONFORMANCE.md"), "utf8");
    const rows = new Set([...doc.matchAll(/^\| ([A-Z0-9-]+)(?: \(Q\d+\))? (?:\*\*\(fixture\)\*\* )?\|/gm)].map((m) => m[1]));
    for (const [name, e] of Object.entries(EXPECTED)) {
      for (const why of [...Object.values(e.ops), e.finalMedia ?? ""]) {
        for (const [, id] of why.matchAll(/\[([A-Z0-9-]+)\]/g)) expect(rows.has(id), `${name}: [${id}] has no row in docs/CONFORMANCE.md`).toBe(true);
      }
    }
  });
});
