import { randomBytes } from "node:crypto";

/**
 * A run id that sorts by creation time and is safe in paths and URLs:
 * 9 base-36 digits of milliseconds, a dash, 8 random base-36 digits.
 */
export function newRunId(now = Date.now()): string {
  const random = BigInt(`0x${randomBytes(6).toString("hex")}`).toString(36).padStart(8, "0").slice(-8);
  return `${now.toString(36).padStart(9, "0")}-${random}`;
}

export const RUN_ID_PATTERN = /^[0-9a-z]{9}-[0-9a-z]{8}$/;
