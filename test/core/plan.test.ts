import { describe, expect, it } from "vitest";
import { findCycle, parseTask, PlanValidationError, validatePlan, type Plan } from "../../src/core/index.js";

const agents = new Set(["data", "analyst"]);
const subtask = (id: string, dependsOn: string[] = [], agent = "data") => ({ id, title: id, agent, instructions: "", dependsOn, tool: "t", input: {} });
const plan = (...subtasks: ReturnType<typeof subtask>[]): Plan => ({ source: "test", language: "en", params: {}, subtasks });

function issuesOf(p: Plan): readonly string[] {
  try {
    validatePlan(p, agents);
  } catch (error) {
    expect(error).toBeInstanceOf(PlanValidationError);
    expect((error as PlanValidationError).code).toBe("PLAN_INVALID");
    return (error as PlanValidationError).issues;
  }
  throw new Error("expected the plan to be rejected");
}

describe("validatePlan", () => {
  it("accepts a DAG with known agents", () => {
    const p = plan(subtask("a"), subtask("b", ["a"], "analyst"), subtask("c", ["a", "b"]));
    expect(validatePlan(p, agents)).toEqual(p);
  });

  it("rejects an empty plan", () => {
    expect(issuesOf(plan())).toEqual(["the plan has no subtasks"]);
  });

  it("names the cycle", () => {
    const issues = issuesOf(plan(subtask("a", ["c"]), subtask("b", ["a"]), subtask("c", ["b"])));
    expect(issues.join()).toMatch(/dependency cycle .*: a → c → b → a/);
  });

  it("rejects a subtask that depends on itself", () => {
    expect(issuesOf(plan(subtask("a", ["a"]))).join()).toMatch(/"a" depends on itself/);
  });

  it("rejects unknown agents and lists the known ones", () => {
    expect(issuesOf(plan(subtask("a", [], "ghost")))).toEqual(['subtask "a" names unknown agent "ghost" (known: analyst, data)']);
  });

  it("rejects dangling dependencies", () => {
    expect(issuesOf(plan(subtask("a", ["zz"])))).toEqual(['subtask "a" depends on "zz", which is not in the plan']);
  });

  it("rejects duplicate ids", () => {
    expect(issuesOf(plan(subtask("a"), subtask("a")))).toContain('duplicate subtask id "a"');
  });

  it("rejects malformed subtasks with the field named", () => {
    const bad = { ...plan(subtask("a")), subtasks: [{ ...subtask("a"), id: "Has Spaces" }] };
    expect(issuesOf(bad).join()).toMatch(/subtasks\.0\.id/);
  });

  it("reports every broken rule at once", () => {
    expect(issuesOf(plan(subtask("a", ["zz"], "ghost"), subtask("a"))).length).toBe(3);
  });
});

describe("findCycle", () => {
  it("returns undefined for a DAG", () => {
    expect(findCycle([subtask("a"), subtask("b", ["a"])])).toBeUndefined();
  });
});

describe("parseTask", () => {
  it("trims the description", () => {
    expect(parseTask({ description: "  hello  " }).description).toBe("hello");
  });

  it.each([
    [{ description: "   " }, /empty/],
    [{ description: "x".repeat(10_001) }, /longer than 10000 characters/],
    [{}, /description/],
    [{ description: "ok", tenant: "" }, /tenant/],
  ])("rejects %#", (input, message) => {
    expect(() => parseTask(input)).toThrow(message);
  });
});
