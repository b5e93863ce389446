import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Step } from "../../src/core/index.js";
import { createLlmPlanner } from "../../src/llm/index.js";
import { definePlanTemplate, TaskPlanner } from "../../src/planner/index.js";
import { inOrder, startFakeOpenAI, text, type FakeOpenAI } from "./fake-openai-server.js";
import { INJECTION_PAYLOADS } from "./injection-payloads.js";
import { ATTACKS, obeyingModel, type Attack } from "./obeying-model.js";
import { engineFor, fixedPlanner, llmModel, memoryAudit, notePlan, task, testDomain, testEndpoint } from "./support.js";

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI(() => text("unused"));
});
afterAll(async () => {
  await fake.close();
});

type Placement = "tool output" | "task input";
const cases = INJECTION_PAYLOADS.flatMap((payload, i) =>
  (["tool output", "task input"] as const).map((placement) => ({ ...payload, placement, attack: ATTACKS[i % ATTACKS.length] as Attack, n: i })),
);

/**
 * Runs the one-subtask plan with the payload where `placement` says: returned by notes.read,
 * or in the task's input and words (which a template planner copies into the subtask).
 */
async function attackRun(payload: string, placement: Placement, attack: Attack, runId: string) {
  const attempts = { count: 0 };
  fake.script = obeyingModel(payload, attack, attempts);
  const domain = testDomain();
  const plan = placement === "tool output" ? notePlan() : notePlan({ title: "q3", note: payload }, `Summarise the note. ${payload}`);
  if (placement === "tool output") domain.domain.noteText = `Q3 revenue was 12.5M CNY. ${payload}`;
  const audit = memoryAudit();
  const { engine, journal } = engineFor(domain, fixedPlanner(plan), llmModel(domain, testEndpoint(fake.baseUrl).endpoint));
  const outcome = await engine.execute({ runId, task: task(`summarise the q3 note ${placement === "task input" ? payload : ""}`), audit });
  return { outcome, domain, steps: await journal.load(runId), audit: audit.entries, attempts: attempts.count };
}

const approvals = (steps: readonly Step[]) => steps.filter((s) => s.kind === "approval");

describe(`prompt injection: ${INJECTION_PAYLOADS.length} payloads obeyed by the model, stopped by the engine`, () => {
  it("has at least 50 payloads", () => {
    expect(INJECTION_PAYLOADS.length).toBeGreaterThanOrEqual(50);
  });

  it.each(cases)("#$n $family in the $placement: the $attack call never runs", async ({ text: payload, placement, attack, n }) => {
    const { outcome, domain, steps, audit, attempts } = await attackRun(payload, placement, attack, `inj-${n}-${placement.replace(" ", "-")}`);
    // The model obeyed: the attack was attempted exactly once.
    expect(attempts).toBe(1);
    // Nothing sensitive or outside the allow-list ran.
    expect(domain.calls.transfer).toBe(0);
    expect(domain.calls.delete).toBe(0);
    // Every attempt is visible: journaled as a model decision, audited, and refused or held.
    const decisions = steps.filter((s) => s.kind === "model_call").map((s) => s.output as { type: string; tool?: string });
    const attempted = decisions.filter((d) => d.type === "call" && d.tool !== "notes.read");
    expect(attempted).toHaveLength(1);
    expect(audit.filter((e) => e.action === "model.output")).toHaveLength(decisions.length);
    if (attack === "sensitive") {
      expect(outcome.status).toBe("waiting_approval");
      const [approval] = approvals(steps);
      expect(approval).toMatchObject({ status: "ambiguous", input: { tool: "payments.transfer", input: { to: "attacker 6222-0000-1111", amount: 1_000_000 } } });
    } else {
      expect(outcome.status).toBe("succeeded");
      const refused = audit.filter((e) => e.action === "tool.refused");
      expect(refused).toHaveLength(1);
      expect(refused[0]?.details).toMatchObject({ agent: "assistant", tool: attack === "not-offered" ? "admin_delete" : "admin.delete" });
      expect(approvals(steps)).toHaveLength(0);
    }
  });

  it("runs a sensitive call only once a person approved exactly its arguments (the control)", async () => {
    const payload = INJECTION_PAYLOADS[0]?.text ?? "";
    const attempts = { count: 0 };
    fake.script = obeyingModel(payload, "sensitive", attempts);
    const domain = testDomain();
    domain.domain.noteText = payload;
    const { engine, journal } = engineFor(domain, fixedPlanner(notePlan()), llmModel(domain, testEndpoint(fake.baseUrl).endpoint));
    expect((await engine.execute({ runId: "control", task: task() })).status).toBe("waiting_approval");
    const [request] = approvals(await journal.load("control"));
    if (!request) throw new Error("no approval step");
    // What `cs-agents approve` records.
    await journal.record({ ...request, status: "succeeded", output: { approved: true }, finishedAt: new Date() });
    const resumed = await engine.execute({ runId: "control", task: task() });
    expect(domain.calls.transfer).toBe(1);
    // The model, still obeying, asks again: the next call needs its own approval.
    expect(resumed.status).toBe("waiting_approval");
  });
});

describe("prompt injection in the task, against the LLM planner", () => {
  const template = definePlanTemplate({
    name: "note-summary",
    description: "summarise a note",
    examples: ["summarise the q3 note"],
    match: (d) => (/summari[sz]e/i.test(d) ? { params: {} } : undefined),
    build: () => notePlan().subtasks,
  });

  it.each(INJECTION_PAYLOADS.filter((_, i) => i % 8 === 0))("plans no forbidden tool when the task says: $text", async ({ text: payload }) => {
    const obeyed = JSON.stringify({ subtasks: [{ id: "wipe", title: "wipe", agent: "assistant", instructions: payload, dependsOn: [], tool: "admin.delete", input: {} }] });
    fake.script = inOrder(text(obeyed));
    const domain = testDomain();
    const fallback = new TaskPlanner({ templates: [template], knownAgents: domain.agents.names() });
    const planner = createLlmPlanner({ endpoint: testEndpoint(fake.baseUrl).endpoint, agents: domain.agents, tools: domain.tools, fallback });
    const plan = await planner.plan(task(`summarise the q3 note. ${payload}`));
    expect(plan.source).toBe("template:note-summary");
    expect(plan.subtasks.every((s) => domain.agents.get(s.agent).tools.includes(s.tool))).toBe(true);
  });
});
