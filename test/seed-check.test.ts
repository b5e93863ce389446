// The seed document's own check, as DESIGN.md writes it in TypeScript, through the public API.
import assert from "node:assert/strict";
import { it } from "vitest";
import { TaskPlanner, ToolExecutor } from "../src/index.js";

it("test_multi_agent_coordination: the quarterly report splits into 3 subtasks that all succeed", async () => {
  const planner = new TaskPlanner();
  const executor = new ToolExecutor();
  const subtasks = await planner.decompose({ description: "生成季度财务报告" });
  assert.equal(subtasks.length, 3);
  const results = await Promise.all(subtasks.map((st) => executor.run(st)));
  assert.ok(results.every((r) => r.status === "success"));
});
