import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { main } from "../../src/cli/main.js";
import { loadConfig } from "../../src/config.js";
import { llmSettingsFromConfig, runBudgetFromConfig } from "../../src/llm/index.js";
import type { McpToolset } from "../../src/mcp/index.js";
import { TaskPlanner } from "../../src/planner/index.js";
import { createRuntime, type Plugin } from "../../src/runtime/index.js";
import { defineTool } from "../../src/tools/index.js";
import { lastMessage, startFakeOpenAI, text, toolCall, type FakeOpenAI } from "./fake-openai-server.js";
import { API_KEY, settingsFor, task, testDomain } from "./support.js";

let fake: FakeOpenAI | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const domainPlugin = (): Plugin => {
  const { tools, agents } = testDomain();
  return { source: "test-domain", tools: tools.list(), agents: agents.list(), templates: [] };
};

const notePlanJson = JSON.stringify({ subtasks: [{ id: "read", title: "read", agent: "assistant", instructions: "read q3", dependsOn: [], tool: "notes.read", input: { title: "q3" } }] });

describe("runtime with a model endpoint", () => {
  it("stays offline by default: template planner, rules model, no accounting", () => {
    const runtime = createRuntime();
    expect(runtime.planner).toBeInstanceOf(TaskPlanner);
    expect(runtime.usage).toBeUndefined();
  });

  it("plans and runs with the LLM when an endpoint is configured, accounting usage per run", async () => {
    fake = await startFakeOpenAI((request) => {
      if (request.response_format) return text(notePlanJson);
      return lastMessage(request)?.role === "tool" ? text("read it") : toolCall("notes_read", { title: "q3" });
    });
    const runtime = createRuntime({ plugins: [domainPlugin()], llm: settingsFor(fake.baseUrl), budget: { maxTokens: 1_000, maxToolCalls: 5, maxMs: 10_000 } });
    const outcome = await runtime.engine.execute({ runId: "rt1", task: { ...task(), tenant: "acme" } });
    expect(outcome.status === "failed" ? outcome.error : outcome.status).toBe("succeeded");
    expect(outcome.plan?.source).toBe("llm:test-model");
    expect(runtime.usage?.run("rt1")).toMatchObject({ tenant: "acme", modelRequests: 3, toolCalls: 1, tokens: { totalTokens: 60 } });
    await runtime.close();
  });

  it("registers MCP tools and adds them to the allow-lists of the agents a server names", async () => {
    const tool = defineTool({ name: "mcp.fs.read_file", description: "reads a file", input: z.object({ path: z.string() }), output: z.unknown(), handler: () => Promise.resolve("") });
    let closed = false;
    const mcp: McpToolset = {
      tools: [tool],
      grants: new Map([["writer", ["mcp.fs.read_file"]]]),
      skipped: new Map(),
      states: () => new Map([["fs", "ready"]]),
      close: () => {
        closed = true;
        return Promise.resolve();
      },
    };
    const runtime = createRuntime({ mcp });
    expect(runtime.tools.has("mcp.fs.read_file")).toBe(true);
    expect(runtime.agents.get("writer").tools).toContain("mcp.fs.read_file");
    expect(runtime.agents.get("data").tools).not.toContain("mcp.fs.read_file");
    await runtime.close();
    expect(closed).toBe(true);
    expect(() => createRuntime({ mcp: { ...mcp, grants: new Map([["nobody", ["mcp.fs.read_file"]]]) } })).toThrow(/unknown agents: nobody/);
  });
});

describe("model configuration", () => {
  it("reads the endpoint, per-agent models and budgets from the environment", () => {
    const config = loadConfig({
      CS_AGENTS_LLM_BASE_URL: "https://dashscope.aliyuncs.com/compatible-mode/v1",
      CS_AGENTS_LLM_API_KEY: API_KEY,
      CS_AGENTS_LLM_MODEL: "qwen-plus",
      CS_AGENTS_LLM_AGENT_MODELS: "writer=qwen-max, analyst = deepseek-chat",
      CS_AGENTS_RUN_MAX_TOKENS: "50000",
      CS_AGENTS_RUN_MAX_COST: "0.5",
      CS_AGENTS_LLM_PRICES: "qwen-plus=0.8/2, qwen-max = 2.4/9.6",
      CS_AGENTS_MCP_SERVERS: '[{"name":"fs","transport":"stdio","command":"node","args":["server.js"]},{"name":"web","transport":"http","url":"http://127.0.0.1:8931/mcp"}]',
    });
    expect(llmSettingsFromConfig(config)).toMatchObject({ model: "qwen-plus", temperature: 0, maxRetries: 2, timeoutMs: 60_000, agentModels: { writer: "qwen-max", analyst: "deepseek-chat" } });
    expect(runBudgetFromConfig(config)).toEqual({
      maxTokens: 50_000,
      maxToolCalls: 0,
      maxMs: 0,
      maxCost: 0.5,
      prices: { "qwen-plus": { inputPerMillion: 0.8, outputPerMillion: 2 }, "qwen-max": { inputPerMillion: 2.4, outputPerMillion: 9.6 } },
    });
    expect(() => loadConfig({ CS_AGENTS_LLM_PRICES: "qwen-plus=cheap" })).toThrow(/CS_AGENTS_LLM_PRICES.*model=input\/output prices per million tokens/);
    expect(config.CS_AGENTS_MCP_SERVERS.map((s) => s.name)).toEqual(["fs", "web"]);
    expect(llmSettingsFromConfig(loadConfig({}))).toBeUndefined();
  });

  it("names the variable and the expected form when a value is wrong", () => {
    expect(() => loadConfig({ CS_AGENTS_LLM_BASE_URL: "https://api.openai.com/v1" })).toThrow(/CS_AGENTS_LLM_MODEL: is required when CS_AGENTS_LLM_BASE_URL is set/);
    expect(() => loadConfig({ CS_AGENTS_LLM_BASE_URL: "api.openai.com" })).toThrow(/CS_AGENTS_LLM_BASE_URL: must be an http\(s\) URL/);
    expect(() => loadConfig({ CS_AGENTS_LLM_AGENT_MODELS: "writer:qwen" })).toThrow(/CS_AGENTS_LLM_AGENT_MODELS: must be agent=model pairs/);
    expect(() => loadConfig({ CS_AGENTS_LLM_TEMPERATURE: "7" })).toThrow(/CS_AGENTS_LLM_TEMPERATURE: must be between 0 and 2/);
    expect(() => loadConfig({ CS_AGENTS_MCP_SERVERS: "[{name:fs}]" })).toThrow(/CS_AGENTS_MCP_SERVERS: must be a JSON array/);
    expect(() => loadConfig({ CS_AGENTS_MCP_SERVERS: '[{"name":"fs","transport":"stdio"}]' })).toThrow(/CS_AGENTS_MCP_SERVERS\.0\.command/);
  });

  it("plans through the CLI with the configured endpoint, never printing the key", async () => {
    const plan = { subtasks: [{ id: "collect", title: "collect Q3", agent: "data", instructions: "query the ledger", dependsOn: [], tool: "ledger.query", input: { quarter: "2024Q3" } }] };
    fake = await startFakeOpenAI(() => text(JSON.stringify(plan)));
    let stdout = "";
    let stderr = "";
    const stream = (write: (s: string) => void) => ({ write: (s: string) => (write(s), true), isTTY: false }) as unknown as NodeJS.WriteStream;
    const env = { CS_AGENTS_LLM_BASE_URL: fake.baseUrl, CS_AGENTS_LLM_API_KEY: API_KEY, CS_AGENTS_LLM_MODEL: "test-model", CS_AGENTS_CACHE_MAX_ENTRIES: "0" };
    const code = await main(["plan", "collect the Q3 2024 figures", "--json"], { stdout: stream((s) => (stdout += s)), stderr: stream((s) => (stderr += s)), env });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ source: "llm:test-model" });
    expect(stdout + stderr).not.toContain(API_KEY);
    expect(fake.authorizations[0]).toBe(`Bearer ${API_KEY}`);
  });
});
