import { randomFillSync } from "node:crypto";

// Random bytes drawn in blocks: one system call per 682 ids instead of one per id.
const POOL = Buffer.alloc(4_096);
const ID_BYTES = 6;
let offset = POOL.length;

/**
 * A run id that sorts by creation time and is safe in paths and URLs:
 * 9 base-36 digits of milliseconds, a dash, 8 random base-36 digits.
 */
export function newRunId(now = Date.now()): string {
  if (offset + ID_BYTES > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  // 48 bits are an exact integer in a double.
  const random = POOL.readUIntBE(offset, ID_BYTES).toString(36).padStart(8, "0").slice(-8);
  offset += ID_BYTES;
  return `${now.toString(36).padStart(9, "0")}-${random}`;
}

export const RUN_ID_PATTERN = /^[0-9a-z]{9}-[0-9a-z]{8}$/;
