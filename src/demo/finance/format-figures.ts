/** What a table shows where there is no figure (no comparison quarter). */
export const NO_FIGURE = "—";

/** A number rounded half away from zero to whole tenths, so -0.04 and 0.04 both become 0. */
function toTenths(value: number): number {
  const tenths = Math.round(Math.abs(value) * 10);
  return tenths === 0 ? 0 : Math.sign(value) * tenths;
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function formatTenths(tenths: number): string {
  const abs = Math.abs(tenths);
  return `${tenths < 0 ? "-" : ""}${groupThousands(String(Math.floor(abs / 10)))}.${abs % 10}`;
}

/**
 * Cents as whole tenths of a thousand currency units, the unit the report shows, rounded half
 * away from zero: 5_572_012_345 → 557_201.
 */
export function shownTenths(cents: number): number {
  // Integer arithmetic: a hundred cents per unit, a thousand units, ten tenths.
  const tenths = Math.round(Math.abs(cents) / 10_000);
  return tenths === 0 ? 0 : Math.sign(cents) * tenths;
}

/** Cents as thousands of currency units with one decimal: 5_572_012_345 → "55,720.1". */
export function formatAmount(cents: number | null): string {
  return cents === null ? NO_FIGURE : formatTenths(shownTenths(cents));
}

/** A figure already in shown tenths (see shownTenths) written like formatAmount: 557_201 → "55,720.1". */
export function formatShown(tenths: number | null): string {
  return tenths === null ? NO_FIGURE : formatTenths(tenths);
}

/** Tenths of a percent as a level: 125 → "12.5%". */
export function formatPercentTenths(tenths: number): string {
  return `${formatTenths(tenths)}%`;
}

/** A level in percent: "53.2%". */
export function formatPercent(pct: number | null): string {
  return pct === null ? NO_FIGURE : `${formatTenths(toTenths(pct))}%`;
}

function signed(value: number | null, unit: string): string {
  if (value === null) return NO_FIGURE;
  const tenths = toTenths(value);
  return `${tenths > 0 ? "+" : ""}${formatTenths(tenths)}${unit}`;
}

/** A change in percent, signed: "+6.3%", "-2.1%", "0.0%". */
export function formatChangePct(pct: number | null): string {
  return signed(pct, "%");
}

/** A change in percentage points, signed: "+0.5 pp". */
export function formatChangePp(pp: number | null): string {
  return signed(pp, " pp");
}

/** The direction of a change as it reads once rounded to one decimal. */
export function directionOf(change: number | null): "up" | "down" | "flat" | null {
  if (change === null) return null;
  const tenths = toTenths(change);
  return tenths > 0 ? "up" : tenths < 0 ? "down" : "flat";
}

/** A percentage or percentage-point figure rounded the way the report shows it: 13.26 → 13.3. */
export function shownOneDecimal(value: number): number {
  return toTenths(value) / 10;
}

/** The unsigned magnitude of a change as shown in words: 2.1 for -2.1. */
export function formatMagnitude(change: number): string {
  return formatTenths(Math.abs(toTenths(change)));
}
