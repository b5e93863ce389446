import { PRIORITY_MAX, PRIORITY_MIN } from "../core/index.js";
import { UsageError } from "./exit-codes.js";

/** `--priority N`: an integer from 0 to 9 written as digits (not "", "5.0" or "1e0"); undefined when not given. */
export function priorityOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d{1,2}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= PRIORITY_MIN && n <= PRIORITY_MAX)) {
    throw new UsageError(`--priority must be a whole number from ${PRIORITY_MIN} to ${PRIORITY_MAX}, got "${value}"`, {
      key: "cli.number-range",
      params: { name: "--priority", min: PRIORITY_MIN, max: PRIORITY_MAX, value },
    });
  }
  return n;
}
