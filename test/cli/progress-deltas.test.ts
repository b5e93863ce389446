import { describe, expect, it } from "vitest";
import { createProgress, liveLine } from "../../src/cli/progress.js";
import type { EngineEvent } from "../../src/engine/index.js";

const common = { runId: "r1", subtaskId: "write", agent: "writer", stepKey: "subtask/write/model/0", at: 0 };
const delta = (text: string): EngineEvent => ({ type: "model.delta", ...common, text });
const finished: EngineEvent = { type: "model.finished", ...common, model: "m", decision: "finish", durationMs: 5, replayed: false };

describe("progress of a streaming model", () => {
  it("writes one line per model turn in plain-line mode, its text on one line and truncated", async () => {
    let out = "";
    const stream = { write: (s: string) => ((out += s), true), isTTY: false } as unknown as NodeJS.WriteStream;
    const progress = createProgress(stream, "lines");
    const long = "营业收入稳步增长，\n毛利率保持稳定。 ".repeat(10);
    for (const piece of long.match(/.{1,7}/gsu) ?? []) progress.onEvent(delta(piece));
    progress.onEvent(finished);
    await progress.finish();
    const lines = out.split("\n").filter((l) => l !== "");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^ {2}model {3}write \[writer\] …/);
    expect(lines[0]).not.toContain("\n");
    expect(lines[0]?.endsWith("毛利率保持稳定。")).toBe(true);
  });

  it("keeps a short answer whole and collapses its whitespace", () => {
    expect(liveLine("  The note\n says  revenue\twas 12.5M. ")).toBe("The note says revenue was 12.5M.");
    expect([...liveLine("x".repeat(500))]).toHaveLength(72);
  });

  it("cuts to terminal columns, a Chinese character counted as two, keeping the newest text", () => {
    const cut = liveLine(`${"营业收入".repeat(20)}END`, 21);
    expect(cut).toBe(`…${"营业收入".repeat(2)}END`);
    expect(liveLine("营业收入", 8)).toBe("营业收入");
    expect(liveLine("营业收入", 7)).toBe("…业收入");
  });
});
