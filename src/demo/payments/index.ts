export { createFencedLedger, StaleEpochError, type FencedLedger, type Payment } from "./fenced-ledger.js";
export { createPayTool } from "./pay-tool.js";
