import { describe, expect, it } from "vitest";
import { PlanningError } from "../../src/core/index.js";
import { definePlanTemplate, detectLanguage, TaskPlanner } from "../../src/planner/index.js";

const greet = definePlanTemplate({
  name: "greet",
  description: "says hello",
  examples: ["say hello", "打个招呼"],
  match: (d) => (/hello|招呼/.test(d) ? { params: { who: "world" } } : undefined),
  build: (params, language) => [
    { id: "hi", title: language === "zh" ? "打招呼" : "greet", agent: "greeter", instructions: "", dependsOn: [], tool: "say", input: params },
  ],
});

describe("TaskPlanner", () => {
  it("plans with the first template that matches, in the task's language", async () => {
    const planner = new TaskPlanner({ templates: [greet], knownAgents: new Set(["greeter"]) });
    const plan = await planner.plan({ description: "请打个招呼" });
    expect(plan).toMatchObject({ source: "template:greet", language: "zh", params: { who: "world" } });
    expect(plan.subtasks[0]?.title).toBe("打招呼");
    expect(await planner.decompose({ description: "say hello" })).toHaveLength(1);
  });

  it("fails an unknown task with a list of what it can plan", async () => {
    const planner = new TaskPlanner({ templates: [greet] });
    const error = await planner.plan({ description: "bake a cake" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PlanningError);
    expect((error as PlanningError).message).toMatch(/no plan for "bake a cake"; it can plan: greet \(e\.g\. "say hello"\); add a plan template/);
    expect((error as PlanningError).message).not.toContain("\n");
  });

  it("rejects empty and oversized tasks as invalid input", async () => {
    const planner = new TaskPlanner({ templates: [greet] });
    await expect(planner.plan({ description: " " })).rejects.toMatchObject({ code: "INVALID_INPUT" });
    await expect(planner.plan({ description: "a".repeat(10_001) })).rejects.toMatchObject({ code: "INVALID_INPUT" });
  });

  it("validates the template's plan against the known agents", async () => {
    const planner = new TaskPlanner({ templates: [greet], knownAgents: new Set(["other"]) });
    await expect(planner.plan({ description: "hello" })).rejects.toMatchObject({ code: "PLAN_INVALID" });
  });

  it("detects Chinese by its ideographs", () => {
    expect(detectLanguage("生成季度财务报告")).toBe("zh");
    expect(detectLanguage("Generate the Q3 report")).toBe("en");
  });
});

describe("PlanningError in the user's language", () => {
  it("names its message by key, so Chinese users read it in Chinese (template names and the task stay as they are)", async () => {
    const { createTranslator } = await import("../../src/i18n/index.js");
    const planner = new TaskPlanner({ templates: [greet] });
    const error = (await planner.plan({ description: "bake a cake" }).catch((e: unknown) => e)) as PlanningError;
    expect(error.i18n).toEqual({ key: "planner.no-plan", params: { task: "bake a cake", templates: 'greet (e.g. "say hello")' } });
    expect(createTranslator().errorMessage("zh-CN", error)).toBe(
      "内置规划器无法为“bake a cake”制定计划；它能规划：greet (e.g. \"say hello\")；可以通过插件（--plugin）添加计划模板，或配置 LLM 规划器",
    );
    const none = (await new TaskPlanner({ templates: [] }).plan({ description: "x" }).catch((e: unknown) => e)) as PlanningError;
    expect(createTranslator().errorMessage("zh-CN", none)).toMatch(/没有注册任何计划模板/);
  });
});
