import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { newTraceparent } from "../../src/core/index.js";
import { createLogger, loggedEngine } from "../../src/observability/index.js";
import { planOf, testEngine } from "../engine/fixtures.js";

function capture(isTTY: boolean): { stream: Writable & { isTTY: boolean }; lines: () => string[] } {
  let text = "";
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    }),
    { isTTY },
  );
  return { stream, lines: () => text.split("\n").filter(Boolean) };
}

describe("logs", () => {
  it("writes one JSON line per run end with its run and trace ids when not on a terminal", async () => {
    const out = capture(false);
    const logger = createLogger(out.stream);
    const traceparent = newTraceparent();
    const ok = testEngine({ plan: planOf({ a: [] }) });
    await loggedEngine(ok.engine, logger).execute({ runId: "r1", task: { ...ok.task, tenant: "acme", traceparent } });
    const bad = testEngine({ plan: planOf({ a: [] }), failIds: ["a"] });
    await loggedEngine(bad.engine, logger).execute({ runId: "r2", task: bad.task });
    const [first, second] = out.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(first).toMatchObject({ level: 30, msg: "run succeeded", runId: "r1", traceId: traceparent.split("-")[1], tenant: "acme", status: "succeeded", service: "cs-agents" });
    expect(typeof first?.time).toBe("string");
    expect(second).toMatchObject({ level: 40, msg: "run failed", runId: "r2", status: "failed", code: "TOOL_FAILED" });
    expect(second).not.toHaveProperty("traceId");
  });

  it("writes readable lines on a terminal", () => {
    const out = capture(true);
    createLogger(out.stream).info({ runId: "r1", attempts: 2 }, "listening on http://127.0.0.1:8080");
    expect(out.lines()).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO listening on http:\/\/127\.0\.0\.1:8080 runId=r1 attempts=2$/)]);
    const forced = capture(true);
    createLogger(forced.stream, "json").warn("x");
    expect(JSON.parse(forced.lines()[0] ?? "")).toMatchObject({ level: 40, msg: "x" });
  });
});
