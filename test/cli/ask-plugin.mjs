// A tool that asks a person which seat, then books it, for the CLI tests of human input:
//   EFFECTS_FILE  one line per booking that took place: "<seat> <idempotency key>"
//   CALLS_FILE    one line per handler invocation
//   CRASH_AFTER_BOOKING=1  kills this process with SIGKILL right after the booking, before its result is recorded
import { appendFileSync } from "node:fs";
import { defineAgent, definePlanTemplate, defineTool, z } from "../../dist/index.js";

const book = defineTool({
  name: "seat.book",
  description: "asks which seat, then books it (not idempotent)",
  input: z.object({ flight: z.string() }),
  output: z.object({ flight: z.string(), seat: z.string() }),
  idempotent: false,
  retry: false,
  handler: async ({ flight }, ctx) => {
    if (process.env.CALLS_FILE) appendFileSync(process.env.CALLS_FILE, `${ctx.idempotencyKey}\n`);
    const { seat } = await ctx.ask({ question: `Which seat on ${flight}?`, schema: z.object({ seat: z.string().regex(/^\d{1,2}[A-F]$/) }) });
    if (process.env.EFFECTS_FILE) appendFileSync(process.env.EFFECTS_FILE, `${seat} ${ctx.idempotencyKey}\n`);
    if (process.env.CRASH_AFTER_BOOKING === "1") process.kill(process.pid, "SIGKILL");
    return { flight, seat };
  },
});

const clerk = defineAgent({
  name: "clerk",
  role: "books seats",
  instructions: "",
  tools: ["seat.book"],
  rules: ({ subtask, history }) => {
    const last = history.at(-1);
    if (!last) return { type: "call", tool: "seat.book", input: subtask.input };
    if (last.result.status === "failed") return { type: "fail", error: last.result.error };
    return { type: "finish", output: last.result.output };
  },
});

const template = definePlanTemplate({
  name: "book-seat",
  description: "books a seat, asking a person which",
  examples: ["book a seat"],
  match: (description) => (/^book a seat/.test(description) ? { params: {} } : undefined),
  build: () => [{ id: "seat", title: "seat", agent: "clerk", instructions: "", dependsOn: [], tool: "seat.book", input: { flight: "CA981" } }],
});

export const tools = [book];
export const agents = [clerk];
export const templates = [template];
