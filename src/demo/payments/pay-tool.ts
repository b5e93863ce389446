import { z } from "zod";
import { defineTool, ToolError, type Tool } from "../../tools/index.js";
import type { FencedLedger } from "./fenced-ledger.js";

/**
 * `payments.pay`: a call that must not happen twice. Not idempotent, so the engine records its
 * intent and asks a person when a crash leaves it unknown; and it hands the ledger its fencing
 * token, so a worker that lost its lease and wakes up later is turned away by the ledger itself.
 */
export function createPayTool(ledger: FencedLedger): Tool {
  return defineTool({
    name: "payments.pay",
    description: "pays a payee once; the ledger refuses a caller whose lease epoch is stale",
    input: z.object({ payee: z.string().min(1), amountCents: z.number().int().positive() }),
    output: z.object({ key: z.string(), epoch: z.number().int(), payee: z.string(), amountCents: z.number().int() }),
    idempotent: false,
    retry: false,
    handler: async (input, { fencing }) => {
      if (!fencing) throw new ToolError("FENCING_REQUIRED", "payments.pay runs only under a worker's lease: it needs a fencing token");
      return ledger.pay(fencing, input);
    },
  });
}
