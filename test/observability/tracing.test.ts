import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import type { AgentModel } from "../../src/agents/index.js";
import { createRulesModel } from "../../src/agents/index.js";
import { createMemoryJournal, type Journal } from "../../src/engine/index.js";
import { newTraceparent } from "../../src/core/index.js";
import { createTracing, tracedEngine, type Tracing } from "../../src/observability/index.js";
import { planOf, testEngine } from "../engine/fixtures.js";

let tracing: Tracing | undefined;
afterEach(async () => tracing?.shutdown());

async function inMemoryTracing() {
  const exporter = new InMemorySpanExporter();
  tracing = await createTracing({ exporter, processor: (e) => new SimpleSpanProcessor(e), serviceVersion: "0.0.0-test" });
  if (!tracing) throw new Error("tracing is off");
  return { exporter, tracer: tracing.tracer };
}

const parentId = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const byName = (spans: readonly ReadableSpan[], name: string) => spans.filter((s) => s.name === name);

describe("tracing", () => {
  it("is off, and makes nothing, without an OTLP endpoint", async () => {
    expect(await createTracing({ otlpEndpoint: undefined })).toBeUndefined();
  });

  it("makes a run → subtask → tool call tree in the submitted trace, timed by the engine", async () => {
    const { exporter, tracer } = await inMemoryTracing();
    const t = testEngine({ plan: planOf({ a: [], b: ["a"] }), failIds: ["b"], delayMs: 5 });
    const traceparent = newTraceparent();
    const outcome = await tracedEngine(t.engine, tracer).execute({ runId: "r1", task: { ...t.task, traceparent } });
    expect(outcome.status).toBe("failed");
    const spans = exporter.getFinishedSpans();
    const [run] = byName(spans, "cs_agents.run");
    if (!run) throw new Error("no run span");
    // The run continues the trace it was submitted in, as a child of the submitter's span.
    expect(run.spanContext().traceId).toBe(traceparent.split("-")[1]);
    expect(parentId(run)).toBe(traceparent.split("-")[2]);
    expect(run.kind).toBe(SpanKind.CONSUMER);
    expect(run.attributes).toMatchObject({ "cs_agents.run.id": "r1", "cs_agents.run.status": "failed", "cs_agents.plan.source": "test" });
    expect(run.status.code).toBe(SpanStatusCode.ERROR);
    const a = byName(spans, "cs_agents.subtask a")[0];
    const b = byName(spans, "cs_agents.subtask b")[0];
    expect(parentId(a as ReadableSpan)).toBe(run.spanContext().spanId);
    expect(b?.status).toMatchObject({ code: SpanStatusCode.ERROR, message: expect.stringContaining("work b broke") });
    const calls = byName(spans, "execute_tool work");
    expect(calls).toHaveLength(2);
    expect(calls.map(parentId).sort()).toEqual([a?.spanContext().spanId, b?.spanContext().spanId].sort());
    expect(calls[0]?.attributes).toMatchObject({ "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "work", "cs_agents.tool.attempts": 1 });
    for (const span of spans) expect(span.spanContext().traceId).toBe(run.spanContext().traceId);
  });

  it("records model calls with the GenAI conventions, and continues the trace when another worker resumes", async () => {
    const { exporter, tracer } = await inMemoryTracing();
    const rules = createRulesModel();
    const model: AgentModel = {
      name: "qwen-plus",
      deterministic: false,
      decide: async (context) => ({ ...(await rules.decide(context)), usage: { inputTokens: 321, outputTokens: 12, totalTokens: 333 } }),
    };
    const journal = createMemoryJournal();
    const traceparent = newTraceparent();
    const first = testEngine({ plan: planOf({ a: [], b: ["a"] }), model, journal });
    await tracedEngine(first.engine, tracer).execute({ runId: "r1", task: { ...first.task, traceparent } });
    const chat = byName(exporter.getFinishedSpans(), "chat qwen-plus");
    expect(chat).toHaveLength(4);
    expect(chat[0]?.kind).toBe(SpanKind.CLIENT);
    expect(chat[0]?.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.request.model": "qwen-plus",
      "gen_ai.usage.input_tokens": 321,
      "gen_ai.usage.output_tokens": 12,
      "gen_ai.agent.name": "worker",
    });

    // The worker died before b finished; another one resumes from the journal.
    const survived: Journal = createMemoryJournal();
    for (const step of await journal.load("r1")) if (!step.key.startsWith("subtask/b/")) await survived.record(step);
    exporter.reset();
    const second = testEngine({ plan: planOf({ a: [], b: ["a"] }), model, journal: survived });
    await tracedEngine(second.engine, tracer).execute({ runId: "r1", task: { ...second.task, traceparent } });
    const resumed = exporter.getFinishedSpans();
    expect(byName(resumed, "cs_agents.run")[0]?.spanContext().traceId).toBe(traceparent.split("-")[1]);
    // Only b's work is new: replayed decisions make no chat span.
    expect(byName(resumed, "chat qwen-plus")).toHaveLength(2);
    expect(byName(resumed, "execute_tool work")).toHaveLength(1);
  });
});
