import { z } from "zod";
import { InvalidInputError } from "../../core/index.js";
import type { RequestedQuarter } from "./find-requested-quarter.js";
import type { Ledger } from "./parse-ledger.js";
import { formatQuarter, isoDate, quarterNumber, quarterOfDate, shiftQuarter } from "./quarter.js";
import { QuarterSchema } from "./quarter-schema.js";

/**
 * Why a report covers an earlier quarter than the one asked for: the task named none, so it
 * wanted the last quarter ended on `today`, but the ledger's books end before it.
 */
export const PeriodChoiceSchema = z.object({
  today: z.iso.date(),
  lastEnded: QuarterSchema,
});
export type PeriodChoice = z.infer<typeof PeriodChoiceSchema>;

/** The quarter a report covers and, when it is not the one the words meant, why. */
export interface ResolvedQuarter {
  readonly quarter: string;
  readonly choice?: PeriodChoice;
}

/** The calendar date of `now` where the process runs, as an ISO date. */
export function localIsoDate(now: Date): string {
  return isoDate(now.getFullYear(), now.getMonth() + 1, now.getDate());
}

/** The quarters a report can be written for: those with closed books. */
function closedQuarters(ledger: Ledger): string[] {
  return ledger.quarters.filter((q) => q <= ledger.latestComplete);
}

/**
 * "Last quarter" on `today`: the last quarter that has ended. When the ledger's books end
 * before it, the latest closed quarter, with the reason; when the ledger starts after it, an error.
 */
function lastEndedQuarter(ledger: Ledger, today: string, range: string): ResolvedQuarter {
  const lastEnded = shiftQuarter(quarterOfDate(today), -1);
  if (closedQuarters(ledger).includes(lastEnded)) return { quarter: lastEnded };
  if (lastEnded > ledger.latestComplete) return { quarter: ledger.latestComplete, choice: { today, lastEnded } };
  throw new InvalidInputError(`on ${today} the last quarter is ${lastEnded}, before the ledger starts; name a quarter between ${range}`);
}

/**
 * The ledger quarter a request names: the last quarter ended on `today` when it names none
 * (the ledger's latest closed quarter, with the reason, when its books end earlier), the
 * latest of that number when it names no year, the latest of the year when it names only a year.
 * @throws InvalidInputError naming what is wrong and the range the ledger holds.
 */
export function resolveQuarter(requested: RequestedQuarter, ledger: Ledger, today: string): ResolvedQuarter {
  const closed = closedQuarters(ledger);
  const range = `${closed[0] ?? "?"} and ${ledger.latestComplete}`;
  if (requested.kind === "none") return lastEndedQuarter(ledger, today, range);
  if (requested.kind === "year") {
    const found = closed.filter((q) => q.startsWith(`${requested.year}Q`)).at(-1);
    if (found) return { quarter: found };
    throw new InvalidInputError(`the ledger has no complete quarter in ${requested.year}; expected a quarter between ${range}`);
  }
  if (!Number.isInteger(requested.q) || requested.q < 1 || requested.q > 4) {
    throw new InvalidInputError(`quarter "${requested.text}" is not a quarter; expected Q1–Q4 between ${range}`);
  }
  if (requested.year === undefined) {
    const found = closed.filter((q) => quarterNumber(q) === requested.q).at(-1);
    if (found) return { quarter: found };
    throw new InvalidInputError(`the ledger has no complete Q${requested.q} ("${requested.text}"); expected a quarter between ${range}`);
  }
  const quarter = formatQuarter(requested.year, requested.q);
  if (closed.includes(quarter)) return { quarter };
  throw new InvalidInputError(`quarter ${quarter} is not in the ledger; expected a quarter between ${range}`);
}
