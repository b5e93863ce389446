import { describe, expect, it } from "vitest";
import { subtaskTiming, type Step } from "../../src/core/index.js";

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
const step = (key: string, kind: Step["kind"], from: number, to?: number): Step => ({
  runId: "r",
  key,
  kind,
  status: to === undefined ? "started" : "succeeded",
  startedAt: at(from),
  ...(to === undefined ? {} : { finishedAt: at(to) }),
});

describe("subtaskTiming", () => {
  it("a subtask run in one go: executing and wall time are the same", () => {
    const steps = [step("subtask/w/call/0", "tool_call", 1, 3), step("subtask/w/call/1", "tool_call", 3, 4), step("subtask/w/done", "subtask", 1, 4)];
    expect(subtaskTiming("w", steps)).toEqual({ executingMs: 3000, wallMs: 3000, resumed: false });
  });

  it("a resumed subtask: the downtime between interruption and resume is wall time, not executing time", () => {
    // call 0 took 2 s; the process died at 5 s; resumed at 60 s; the rest took 3 s.
    const steps = [
      step("subtask/w/call/0", "tool_call", 1, 3),
      step("subtask/w/model/1", "model_call", 3, 4),
      step("subtask/w/call/1", "tool_call", 60, 62),
      step("subtask/w/done", "subtask", 60, 63),
    ];
    expect(subtaskTiming("w", steps)).toEqual({ executingMs: 6000, wallMs: 62000, resumed: true });
  });

  it("waiting for a person's approval is not executing", () => {
    const steps = [step("subtask/w/approval/0", "approval", 1, 500), step("subtask/w/call/0", "tool_call", 500, 502), step("subtask/w/done", "subtask", 500, 502)];
    expect(subtaskTiming("w", steps)).toEqual({ executingMs: 2000, wallMs: 501000, resumed: false });
  });

  it("other subtasks' steps do not count, and an unfinished subtask has no timing", () => {
    const steps = [step("subtask/x/call/0", "tool_call", 0, 100), step("subtask/w/call/0", "tool_call", 1, 2)];
    expect(subtaskTiming("w", steps)).toBeUndefined();
    expect(subtaskTiming("x", [...steps, step("subtask/x/done", "subtask", 0, 100)])).toEqual({ executingMs: 100000, wallMs: 100000, resumed: false });
  });
});
