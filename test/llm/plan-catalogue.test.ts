import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createAgentRegistry, defineAgent } from "../../src/agents/index.js";
import { loadTokenCounter } from "../../src/llm/count-tokens.js";
import { planCatalogue, terms } from "../../src/llm/plan-catalogue.js";
import { planSystemPrompt } from "../../src/llm/plan-prompt.js";
import { createRuntime } from "../../src/runtime/index.js";
import { createToolRegistry, defineTool } from "../../src/tools/index.js";

describe("the planner's catalogue", () => {
  it("fits the seed task's planner prompt in well under 6k tokens, every agent and tool named", async () => {
    const runtime = createRuntime();
    const system = planSystemPrompt(runtime.agents, runtime.tools, { description: "生成季度财务报告" });
    const count = await loadTokenCounter();
    expect(count(system)).toBeLessThan(2_000);
    for (const name of ["data", "analyst", "writer", "ledger.query", "finance.metrics", "report.compose", "report.workbook"]) expect(system).toContain(name);
    // Inputs as one-line signatures: the arguments a plan suggests, with optional ones marked.
    expect(system).toContain('report.compose: Writes');
    expect(system).toMatch(/Input: \{ quarter: string \(a quarter like 2024Q3\); language: "zh"\|"en"/);
    await runtime.close();
  });

  it("past eight agents, lists those that share the most words with the task and says how many are left out", () => {
    const tools = createToolRegistry(
      Array.from({ length: 12 }, (_, i) =>
        defineTool({ name: `t${i}.run`, description: i === 10 ? "translates a contract into Chinese" : `does chore number ${i}`, input: z.object({}), output: z.unknown(), handler: () => Promise.resolve(null) }),
      ),
    );
    const agents = createAgentRegistry(Array.from({ length: 12 }, (_, i) => defineAgent({ name: `agent${i}`, role: i === 10 ? "legal translator" : `helper ${i}`, instructions: "", tools: [`t${i}.run`] })));
    const catalogue = planCatalogue(agents, tools, "Translate this contract for the legal team");
    expect(catalogue).toContain("- agent10: legal translator");
    expect(catalogue.match(/^- agent/gm)).toHaveLength(8);
    expect(catalogue).toContain("(4 more agents less related to this task are not listed)");
  });

  it("reads Chinese as character pairs and English as words", () => {
    expect([...terms("生成季度财务报告 for Q3 revenue")]).toEqual(expect.arrayContaining(["生成", "季度", "财务", "报告", "revenue"]));
    expect(terms("a Q3 of").size).toBe(0);
  });
});
