// Tools with side effects for the crash tests, written to files the test reads afterwards:
//   CALLS_FILE   one line per handler invocation: "<tool> <idempotency key>"
//   EFFECTS_FILE one line per side effect that took place: "<tool> <idempotency key>"
// CRASH_AT="<phase>:<step key>" kills this process with SIGKILL at that point of that step:
//   effect-before  inside the handler, before the side effect
//   effect-after   inside the handler, after the side effect, before the result goes back
// (The harness adds `recorded`, after the step's result is committed.)
// SLEEP_MS     how long crash.remind puts the run to sleep after its effect (default 1500)
// HOLD_FILE    while this file exists, a call waits before it starts (runs stop where they are)
// crash.ask asks a person which item to send (ctx.ask), then sends it (not idempotent); each
// call that gets past the question writes "crash.ask.used <key> <answer JSON>" to CALLS_FILE.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { defineAgent, definePlanTemplate, defineTool, z } from "../../dist/index.js";

const crashAt = process.env.CRASH_AT ?? "";
const delayMs = Number(process.env.TOOL_DELAY_MS ?? "0");

function maybeCrash(phase, key) {
  if (crashAt === `${phase}:${key.split("/").slice(1).join("/")}`) process.kill(process.pid, "SIGKILL");
}

async function effect(tool, key, dedupe) {
  const hold = process.env.HOLD_FILE;
  while (hold && existsSync(hold)) await new Promise((resolve) => setTimeout(resolve, 100));
  if (process.env.CALLS_FILE) appendFileSync(process.env.CALLS_FILE, `${tool} ${key}\n`);
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
  maybeCrash("effect-before", key);
  const file = process.env.EFFECTS_FILE;
  const seen = dedupe && file && existsSync(file) && readFileSync(file, "utf8").split("\n").includes(`${tool} ${key}`);
  if (file && !seen) appendFileSync(file, `${tool} ${key}\n`);
  maybeCrash("effect-after", key);
}

const io = { input: z.object({ item: z.string() }), output: z.object({ item: z.string(), done: z.boolean() }) };

const append = defineTool({
  name: "crash.append",
  description: "appends an item to an external ledger, deduplicating by idempotency key",
  ...io,
  idempotent: true,
  retry: false,
  handler: async ({ item }, { idempotencyKey }) => {
    await effect("crash.append", idempotencyKey ?? "none", true);
    return { item, done: true };
  },
});

const send = defineTool({
  name: "crash.send",
  description: "sends a payment once; cannot deduplicate",
  ...io,
  idempotent: false,
  retry: false,
  handler: async ({ item }, { idempotencyKey }) => {
    await effect("crash.send", idempotencyKey ?? "none", false);
    return { item, done: true };
  },
});

const pay = defineTool({
  name: "crash.pay",
  description: "pays an invoice; a person approves every call",
  ...io,
  idempotent: false,
  sensitive: true,
  retry: false,
  handler: async ({ item }, { idempotencyKey }) => {
    await effect("crash.pay", idempotencyKey ?? "none", false);
    return { item, done: true };
  },
});

const remind = defineTool({
  name: "crash.remind",
  description: "sends a reminder (deduplicated by idempotency key), then sleeps SLEEP_MS before the run goes on",
  ...io,
  idempotent: true,
  retry: false,
  handler: async ({ item }, ctx) => {
    await effect("crash.remind", ctx.idempotencyKey ?? "none", true);
    ctx.sleep(Number(process.env.SLEEP_MS ?? "1500"));
    return { item, done: true };
  },
});

const ask = defineTool({
  name: "crash.ask",
  description: "asks a person which item to send, then sends it once; cannot deduplicate",
  ...io,
  idempotent: false,
  retry: false,
  handler: async (_input, ctx) => {
    const answer = await ctx.ask({ question: "Which item should be sent?", schema: z.object({ choice: z.string().min(1) }) });
    const key = ctx.idempotencyKey ?? "none";
    if (process.env.CALLS_FILE) appendFileSync(process.env.CALLS_FILE, `crash.ask.used ${key} ${JSON.stringify(answer)}\n`);
    await effect("crash.ask", key, false);
    return { item: answer.choice, done: true };
  },
});

/** Calls each tool named in the subtask's input `calls`, in order, then finishes with all outputs. */
const stepper = defineAgent({
  name: "stepper",
  role: "makes a fixed sequence of calls",
  instructions: "",
  tools: ["crash.append", "crash.send", "crash.pay", "crash.remind", "crash.ask"],
  rules: ({ subtask, history }) => {
    const last = history.at(-1);
    if (last?.result.status === "failed") return { type: "fail", error: last.result.error };
    const calls = subtask.input.calls;
    const next = calls[history.length];
    if (next) return { type: "call", tool: next, input: { item: `${subtask.id}-${history.length}` } };
    return { type: "finish", output: history.map((h) => h.result.output) };
  },
});

const template = definePlanTemplate({
  name: "crash-test",
  description: "a three-subtask run with side effects",
  examples: ["crash test", "crash test with payment"],
  match: (description) =>
    /^crash test/.test(description) ? { params: { payment: /payment/.test(description), approval: /approval/.test(description), sleep: /sleep/.test(description), question: /question/.test(description) } } : undefined,
  build: (params) => [
    { id: "a", title: "a", agent: "stepper", instructions: "", dependsOn: [], tool: "crash.append", input: { calls: ["crash.append", "crash.append"] } },
    { id: "b", title: "b", agent: "stepper", instructions: "", dependsOn: ["a"], tool: "crash.append", input: { calls: params.payment ? ["crash.send", "crash.append"] : params.approval ? ["crash.pay"] : params.sleep ? ["crash.remind", "crash.append"] : params.question ? ["crash.ask", "crash.append"] : ["crash.append"] } },
    { id: "c", title: "c", agent: "stepper", instructions: "", dependsOn: ["b"], tool: "crash.append", input: { calls: ["crash.append"] } },
  ],
});

// "crash child": a → kid (a child run of "crash kid") → c. "crash kid": k sends once (not
// idempotent), then appends.
const childTemplate = definePlanTemplate({
  name: "crash-child",
  description: "a run whose middle subtask is a child run with side effects",
  examples: ["crash child", "crash kid"],
  match: (description) => (/^crash (child|kid)$/.test(description) ? { params: { kid: description === "crash kid" } } : undefined),
  build: (params) =>
    params.kid
      ? [{ id: "k", title: "k", agent: "stepper", instructions: "", dependsOn: [], tool: "crash.send", input: { calls: ["crash.send", "crash.append"] } }]
      : [
          { id: "a", title: "a", agent: "stepper", instructions: "", dependsOn: [], tool: "crash.append", input: { calls: ["crash.append"] } },
          { id: "kid", title: "kid", agent: "run", instructions: "", dependsOn: ["a"], tool: "crash.append", input: { description: "crash kid" } },
          { id: "c", title: "c", agent: "stepper", instructions: "", dependsOn: ["kid"], tool: "crash.append", input: { calls: ["crash.append"] } },
        ],
});

export const tools = [append, send, pay, remind, ask];
export const agents = [stepper];
export const templates = [template, childTemplate];
