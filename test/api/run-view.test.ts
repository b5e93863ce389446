import { describe, expect, it } from "vitest";
import type { Run, Step } from "../../src/core/index.js";
import { runDetail } from "../../src/api/run-view.js";
import { RunDetailSchema } from "../../src/api/schemas.js";

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const step = (key: string, kind: Step["kind"], from: number, to: number): Step => ({ runId: "r", key, kind, status: "succeeded", startedAt: at(from), finishedAt: at(to) });

describe("GET /v1/tasks/{id} subtask durations", () => {
  it("a resumed subtask's duration is its time spent executing; the downtime shows only in its wall time", () => {
    const run: Run = {
      id: "r",
      task: { description: "t" },
      status: "succeeded",
      plan: { source: "template:t", language: "en", params: {}, subtasks: [{ id: "w", title: "W", agent: "a", instructions: "", dependsOn: [], tool: "x", input: {} }] },
      createdAt: at(0),
      updatedAt: at(64),
    };
    // Call 0 took 2 s, the process died, the run was resumed 55 s later and the rest took 3 s.
    const steps = [step("plan", "plan", 0, 1), step("subtask/w/call/0", "tool_call", 1, 3), step("subtask/w/call/1", "tool_call", 60, 62), step("subtask/w/done", "subtask", 60, 63)];
    const detail = RunDetailSchema.parse(runDetail(run, steps));
    expect(detail.subtasks[0]).toMatchObject({ status: "succeeded", durationMs: 5000, wallMs: 62000, startedAt: at(1).toISOString(), finishedAt: at(63).toISOString() });
  });
});

describe("GET /v1/tasks/{id} error", () => {
  it("shows a failed run's error as code and message only; the catalogue key the store keeps for the CLI stays out", () => {
    const run: Run = {
      id: "r",
      task: { description: "make coffee" },
      status: "failed",
      error: { code: "PLANNING_FAILED", message: "the built-in planner has no plan", i18n: { key: "planner.no-plan", params: { task: "make coffee", templates: "t" } } },
      createdAt: at(0),
      updatedAt: at(1),
    };
    expect(runDetail(run, []).error).toEqual({ code: "PLANNING_FAILED", message: "the built-in planner has no plan" });
  });
});
