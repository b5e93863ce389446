import { randomFillSync } from "node:crypto";

// Random bytes drawn in blocks: one system call per 682 ids instead of one per id.
const POOL = Buffer.alloc(4_096);
const ID_BYTES = 6;
let offset = POOL.length;

const RANDOM_SPACE = 36 ** 8;
let lastAt = 0;
let lastRandom = 0;

/**
 * A run id that sorts by creation time and is safe in paths and URLs:
 * 9 base-36 digits of milliseconds, a dash, 8 random base-36 digits. Ids made by this process
 * without an explicit `now` strictly increase, even within one millisecond (the random part
 * then counts up from the previous id's), so "newest first" is exact for them.
 */
export function newRunId(now?: number): string {
  if (now !== undefined) return format(now, drawRandom());
  let at = Date.now();
  let random: number;
  if (at > lastAt) {
    random = drawRandom();
  } else {
    at = lastAt;
    random = lastRandom + 1;
    if (random >= RANDOM_SPACE) {
      at += 1;
      random = drawRandom();
    }
  }
  lastAt = at;
  lastRandom = random;
  return format(at, random);
}

function drawRandom(): number {
  if (offset + ID_BYTES > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  // 48 bits are an exact integer in a double; kept below 36^8 so it fits 8 digits.
  const value = POOL.readUIntBE(offset, ID_BYTES) % RANDOM_SPACE;
  offset += ID_BYTES;
  return value;
}

function format(at: number, random: number): string {
  return `${at.toString(36).padStart(9, "0")}-${random.toString(36).padStart(8, "0")}`;
}

export const RUN_ID_PATTERN = /^[0-9a-z]{9}-[0-9a-z]{8}$/;

// Trace ids drawn in blocks too: two randomBytes calls per submission were ~3 % of its CPU.
const TRACE_POOL = Buffer.alloc(24 * 256);
let traceOffset = TRACE_POOL.length;

/** A new W3C trace context (`traceparent`, sampled) for a run submitted without one. */
export function newTraceparent(): string {
  if (traceOffset + 24 > TRACE_POOL.length) {
    randomFillSync(TRACE_POOL);
    traceOffset = 0;
  }
  const at = traceOffset;
  traceOffset += 24;
  return `00-${TRACE_POOL.toString("hex", at, at + 16)}-${TRACE_POOL.toString("hex", at + 16, at + 24)}-01`;
}
