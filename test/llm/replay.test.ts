import { afterEach, describe, expect, it } from "vitest";
import type { Step } from "../../src/core/index.js";
import { createMemoryJournal, type Journal } from "../../src/engine/index.js";
import { createLlmPlanner } from "../../src/llm/index.js";
import { startFakeOpenAI, text, toolCall, type FakeOpenAI, type Script } from "./fake-openai-server.js";
import { engineFor, llmModel, task, testDomain, testEndpoint } from "./support.js";

let fake: FakeOpenAI | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const plan = {
  subtasks: [
    { id: "summary", title: "Summarise the note", agent: "assistant", instructions: "read, save, answer", dependsOn: [], tool: "notes.read", input: { title: "q3" } },
  ],
};

/** Plans, then reads, saves and answers: what the model does depends on how many results it has seen. */
const script: Script = (request) => {
  if (request.response_format) return text(JSON.stringify(plan));
  const results = request.messages.filter((m) => m.role === "tool").length;
  if (results === 0) return toolCall("notes_read", { title: "q3" });
  if (results === 1) return toolCall("notes_write", { title: "summary", text: "12.5M" });
  return text("saved the summary");
};

async function copyWithout(journal: Journal, runId: string, drop: (step: Step) => boolean): Promise<Journal> {
  const copy = createMemoryJournal();
  for (const step of await journal.load(runId)) if (!drop(step)) await copy.record(step);
  return copy;
}

describe("replay of model decisions", () => {
  it("resumes a crashed run from its journal without asking the model again for recorded turns", async () => {
    fake = await startFakeOpenAI(script);
    const domain = testDomain();
    const { endpoint } = testEndpoint(fake.baseUrl);
    const planner = createLlmPlanner({ endpoint, agents: domain.agents, tools: domain.tools });
    const first = engineFor(domain, planner, llmModel(domain, endpoint));
    const outcome = await first.engine.execute({ runId: "crash", task: task() });
    expect(outcome.status).toBe("succeeded");
    expect(fake.requests).toHaveLength(4); // plan + 3 turns
    const keys = (await first.journal.load("crash")).map((s) => s.key);
    expect(keys).toEqual(["plan", "subtask/summary/model/0", "subtask/summary/call/0", "subtask/summary/model/1", "subtask/summary/call/1", "subtask/summary/model/2", "subtask/summary/done"]);

    // The process "died" after the second call was recorded: the last decision and the
    // subtask's end are lost.
    const survived = await copyWithout(first.journal, "crash", (s) => s.key === "subtask/summary/model/2" || s.key === "subtask/summary/done");
    const resumed = await engineFor(domain, planner, llmModel(domain, endpoint), survived).engine.execute({ runId: "crash", task: task() });
    expect(resumed.status === "succeeded" && resumed.result.output).toBe("saved the summary");
    // One new request, for the lost turn only; the plan and two decisions were read back,
    // and neither tool ran again.
    expect(fake.requests).toHaveLength(5);
    expect(domain.calls).toMatchObject({ read: 1, write: 1 });
  });

  it("makes no request at all when every decision is recorded", async () => {
    fake = await startFakeOpenAI(script);
    const domain = testDomain();
    const { endpoint } = testEndpoint(fake.baseUrl);
    const planner = createLlmPlanner({ endpoint, agents: domain.agents, tools: domain.tools });
    const first = engineFor(domain, planner, llmModel(domain, endpoint));
    await first.engine.execute({ runId: "whole", task: task() });
    const before = fake.requests.length;
    const survived = await copyWithout(first.journal, "whole", (s) => s.key === "subtask/summary/done");
    const resumed = await engineFor(domain, planner, llmModel(domain, endpoint), survived).engine.execute({ runId: "whole", task: task() });
    expect(resumed.status).toBe("succeeded");
    expect(fake.requests.length).toBe(before);
  });
});
