import { quarterNumber } from "./quarter.js";

/** Multiplicative noise around 1: 1 ± spread, uniform. */
function noise(random: () => number, spread: number): number {
  return 1 + (random() * 2 - 1) * spread;
}

/** `rate` compounded `periods` times, by repeated multiplication so every engine agrees bit for bit. */
function compound(rate: number, periods: number): number {
  let factor = 1;
  for (let i = 0; i < periods; i += 1) factor *= rate;
  return factor;
}

const yuan = (amount: number): number => Math.round(amount * 100);

// Seasonality: instruments sell most in Q4 (budgets spent) and least in Q1 (Chinese New Year).
const PRODUCT_SEASON = [0.86, 1.0, 0.96, 1.2] as const;
const SERVICES_SEASON = [0.95, 1.0, 1.0, 1.05] as const;
// Licence deals are lumpy: a few big contracts land in particular quarters.
const LICENCE_DEALS: Readonly<Record<number, number>> = { 3: 6_000_000, 6: 4_500_000, 9: 3_000_000 };

/**
 * The economic story of the demo company, as target totals in cents per account for the
 * quarter at `index` (0 = the first ledger quarter). Steady growth with seasonality; materials
 * inflation squeezes margins through 2024; a competitor cuts product sales in 2025, so QoQ and
 * YoY changes differ in sign across quarters. Income tax is not here: it follows from the
 * booked totals.
 */
export function quarterTargets(quarter: string, index: number, random: () => number): Record<string, number> {
  const season = quarterNumber(quarter) - 1;
  const competitor = index >= 8 ? 0.84 : 1;
  const product = 31_000_000 * compound(1.035, index) * (PRODUCT_SEASON[season] ?? 1) * competitor * noise(random, 0.03);
  const services = 8_500_000 * compound(1.05, index) * (SERVICES_SEASON[season] ?? 1) * noise(random, 0.03);
  const licensing = 2_500_000 * noise(random, 0.25) + (LICENCE_DEALS[index] ?? 0);
  const revenue = product + services + licensing;
  const materialsRate = index >= 4 && index <= 7 ? 0.415 : 0.38;
  return {
    "4100": yuan(product),
    "4200": yuan(services),
    "4300": yuan(licensing),
    "5100": yuan(product * materialsRate * noise(random, 0.02)),
    "5200": yuan((product * 0.1 + services * 0.32) * noise(random, 0.02)),
    "5300": yuan((product * 0.05 + services * 0.12 + licensing * 0.02) * noise(random, 0.03)),
    "6100": yuan(6_800_000 * compound(1.028, index) * noise(random, 0.03)),
    "6200": yuan(revenue * 0.1 * (season === 3 ? 1.25 : 1) * noise(random, 0.04)),
    "6300": yuan(4_200_000 * compound(1.012, index) * (season === 0 ? 1.12 : 1) * noise(random, 0.03)),
    "7100": yuan(120_000 * compound(1.03, index) * noise(random, 0.05)),
    "7200": yuan(420_000 * compound(0.96, index) * noise(random, 0.02)),
  };
}

/** China's standard enterprise income tax rate. */
export const INCOME_TAX_RATE = 0.25;
