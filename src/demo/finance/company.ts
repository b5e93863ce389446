/** The fictional company whose books the demo ledger holds. */
export const COMPANY = {
  en: "Silverpine Instruments Co., Ltd.",
  zh: "银松仪器有限公司",
} as const;

/** All ledger amounts are in this currency, as integer cents (fen). */
export const CURRENCY = "CNY";
