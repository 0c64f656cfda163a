// The outcome of the command being executed, beside its status: CQE Dwords 0 and 1, and
// what the Error Information log records about a failure (Base Figure 206). Commands run to
// completion inside one call, so wasm globals suffice.

export let r_dw0: u32 = 0;
export let r_dw1: u32 = 0;
/** Parameter Error Location: byte in the SQE (7:0) and bit (10:8); 0xFFFF = not known. */
export let r_loc: u32 = 0xffff;
export let r_lba: u64 = 0;
export let r_has_lba: bool = false;

export function resetResult(): void {
  r_dw0 = 0;
  r_dw1 = 0;
  r_loc = 0xffff;
  r_lba = 0;
  r_has_lba = false;
}

export function setDw0(v: u32): void { r_dw0 = v; }
export function setDw1(v: u32): void { r_dw1 = v; }

/**
 * Return status, noting the SQE field that caused it for the error log: byte is the offset
 * of the dword (or byte) holding the field, bit the field's lowest bit counted from there,
 * so a CDW10 bit 31 is (SQE_CDW10, 31). Parameter Error Location holds the byte in bits 7:0
 * and the bit inside that byte in bits 10:8 (Base 2.1 Figure 206), so the bit is folded
 * into the byte offset here.
 */
export function fail(status: u32, byte: u32, bit: u32): u32 {
  r_loc = ((byte + (bit >> 3)) & 0xff) | ((bit & 7) << 8);
  return status;
}

/** Return status for a failure at an LBA (LBA Out of Range, Compare Failure, ...). */
export function failAt(status: u32, byte: u32, lba: u64): u32 {
  r_loc = byte;
  r_lba = lba;
  r_has_lba = true;
  return status;
}
