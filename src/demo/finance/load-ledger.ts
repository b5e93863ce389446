import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CsAgentsError } from "../../core/index.js";
import { parseLedger, type Ledger } from "./parse-ledger.js";

/** The same relative path works from `src/demo/finance/` and from the built `dist/demo/finance/`. */
export const LEDGER_FILE = new URL("../../../data/ledger/ledger.csv", import.meta.url);

// The shipped ledger is read-only data, so one parsed copy per process is safe to share; it is
// read on first use, not at import, so importing the module costs nothing.
let cached: Ledger | undefined;

/**
 * The shipped demo ledger (`data/ledger/ledger.csv`), parsed and validated once, then cached.
 * @throws CsAgentsError (LEDGER_UNAVAILABLE) when the file cannot be read; (LEDGER_INVALID)
 *   when a row is malformed.
 */
export function loadLedger(): Ledger {
  if (cached) return cached;
  let csv: string;
  try {
    csv = readFileSync(LEDGER_FILE, "utf8");
  } catch (error) {
    throw new CsAgentsError("LEDGER_UNAVAILABLE", `cannot read the demo ledger at ${fileURLToPath(LEDGER_FILE)}`, { cause: error });
  }
  cached = parseLedger(csv);
  return cached;
}
