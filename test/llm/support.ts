import { z } from "zod";
import { createAgentRegistry, defineAgent, type AgentModel } from "../../src/agents/index.js";
import type { Plan, Task } from "../../src/core/index.js";
import { createEngine, createMemoryJournal, type Engine, type Journal } from "../../src/engine/index.js";
import { createLlmEndpoint, createOpenAICompatibleModel, type LlmEndpoint, type LlmSettings, type OpenAICompatibleModelOptions } from "../../src/llm/index.js";
import type { Planner } from "../../src/planner/index.js";
import type { AuditDraft, AuditSink } from "../../src/store/index.js";
import { createToolRegistry, defineTool, ToolExecutor } from "../../src/tools/index.js";

export const API_KEY = "sk-test-0123456789abcdef";

export function settingsFor(baseUrl: string, overrides: Partial<LlmSettings> = {}): LlmSettings {
  return { baseUrl, apiKey: API_KEY, model: "test-model", temperature: 0, maxOutputTokens: 512, timeoutMs: 2_000, maxRetries: 2, agentModels: {}, ...overrides };
}

/** An endpoint whose retries wait 1/100 of the asked time, and that records each asked wait. */
export function testEndpoint(baseUrl: string, overrides: Partial<LlmSettings> = {}): { endpoint: LlmEndpoint; waits: number[] } {
  const waits: number[] = [];
  const endpoint = createLlmEndpoint(settingsFor(baseUrl, overrides), {
    sleep: (ms) => {
      waits.push(ms);
      return new Promise((resolve) => setTimeout(resolve, ms / 100));
    },
  });
  return { endpoint, waits };
}

/**
 * A small domain: `notes.read` returns whatever the test puts in `domain.noteText` (where
 * injected text arrives), `notes.write` saves, `payments.transfer` is sensitive, and
 * `admin.delete` exists but the `assistant` agent may not call it.
 */
export function testDomain() {
  const calls = { read: 0, write: 0, transfer: 0, delete: 0 };
  const domain = { noteText: "Q3 revenue was 12.5M CNY.", calls };
  const tools = createToolRegistry([
    defineTool({
      name: "notes.read",
      description: "reads a note by its title",
      input: z.object({ title: z.string().min(1) }),
      output: z.object({ title: z.string(), text: z.string() }),
      idempotent: true,
      retry: false,
      handler: (input) => {
        calls.read++;
        return Promise.resolve({ title: input.title, text: domain.noteText });
      },
    }),
    defineTool({
      name: "notes.write",
      description: "saves a note",
      input: z.object({ title: z.string().min(1), text: z.string() }),
      output: z.object({ saved: z.boolean() }),
      idempotent: true,
      retry: false,
      handler: () => {
        calls.write++;
        return Promise.resolve({ saved: true });
      },
    }),
    defineTool({
      name: "payments.transfer",
      description: "sends money to an account",
      input: z.object({ to: z.string(), amount: z.number().positive() }),
      output: z.object({ sent: z.boolean() }),
      sensitive: true,
      retry: false,
      handler: () => {
        calls.transfer++;
        return Promise.resolve({ sent: true });
      },
    }),
    defineTool({
      name: "admin.delete",
      description: "deletes everything",
      input: z.object({}).passthrough(),
      output: z.object({ deleted: z.boolean() }),
      idempotent: true,
      retry: false,
      handler: () => {
        calls.delete++;
        return Promise.resolve({ deleted: true });
      },
    }),
  ]);
  const assistant = defineAgent({
    name: "assistant",
    role: "reads and summarises notes",
    instructions: "Read the note the assignment names, then answer with a short summary.",
    tools: ["notes.read", "notes.write", "payments.transfer"],
    maxSteps: 4,
  });
  const admin = defineAgent({ name: "admin", role: "maintenance", instructions: "", tools: ["admin.delete"] });
  const agents = createAgentRegistry([assistant, admin]);
  return { domain, calls, tools, agents };
}

export type TestDomain = ReturnType<typeof testDomain>;

/** A one-subtask plan for the assistant; `input` is where task values arrive. */
export function notePlan(input: Record<string, unknown> = { title: "q3" }, instructions = "Summarise the note."): Plan {
  return {
    source: "test",
    language: "en",
    params: {},
    subtasks: [{ id: "summary", title: "Summarise the note", agent: "assistant", instructions, dependsOn: [], tool: "notes.read", input }],
  };
}

export const fixedPlanner = (plan: Plan): Planner => ({ plan: () => Promise.resolve(plan), decompose: () => Promise.resolve([...plan.subtasks]) });

export function llmModel(domain: TestDomain, endpoint: LlmEndpoint, extra: Partial<OpenAICompatibleModelOptions> = {}): AgentModel {
  return createOpenAICompatibleModel({ endpoint, tools: domain.tools, ...extra });
}

export function engineFor(domain: TestDomain, planner: Planner, model: AgentModel, journal: Journal = createMemoryJournal()): { engine: Engine; journal: Journal } {
  const engine = createEngine({ planner, agents: domain.agents, tools: domain.tools, executor: new ToolExecutor({ registry: domain.tools }), model, journal });
  return { engine, journal };
}

export function memoryAudit(): AuditSink & { entries: AuditDraft[] } {
  const entries: AuditDraft[] = [];
  return {
    entries,
    append: (draft) => {
      entries.push(draft);
      return Promise.resolve();
    },
  };
}

export const task = (description = "summarise the q3 note", input?: Record<string, unknown>): Task => ({ description, ...(input ? { input } : {}) });
