import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import type { Engine, EngineEvent, EventListener } from "../engine/index.js";

const W3C = new W3CTraceContextPropagator();

export interface Tracing {
  readonly tracer: Tracer;
  /** Sends what is buffered and stops; call on shutdown. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** `OTEL_EXPORTER_OTLP_ENDPOINT`: traces go there over OTLP/HTTP. Unset: no tracing at all. */
  readonly otlpEndpoint?: string | undefined;
  /** For tests: where spans go instead of OTLP (an in-memory exporter). */
  readonly exporter?: SpanExporter;
  /** For tests: a processor that exports each span as it ends. */
  readonly processor?: (exporter: SpanExporter) => SpanProcessor;
  readonly serviceVersion?: string;
}

/**
 * Tracing on when an OTLP endpoint (or a test exporter) is given, otherwise undefined: nothing
 * is sent anywhere by default. The OTLP exporter is loaded only when used.
 */
export async function createTracing(options: TracingOptions): Promise<Tracing | undefined> {
  let exporter = options.exporter;
  if (!exporter && options.otlpEndpoint) {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    // The exporter reads OTEL_EXPORTER_OTLP_* itself (headers, timeout); the endpoint is the base URL.
    exporter = new OTLPTraceExporter({ url: `${options.otlpEndpoint.replace(/\/+$/, "")}/v1/traces` });
  }
  if (!exporter) return undefined;
  const processor = options.processor ? options.processor(exporter) : new BatchSpanProcessor(exporter);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: "cs-agents", ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}) }),
    spanProcessors: [processor],
  });
  return { tracer: provider.getTracer("cs-agents"), shutdown: () => provider.shutdown() };
}

/** The context a `traceparent` header or task field names; the root context when absent or bad. */
export function contextOf(traceparent: string | undefined): Context {
  if (!traceparent) return ROOT_CONTEXT;
  return W3C.extract(ROOT_CONTEXT, { traceparent }, { get: (c, k) => c[k], keys: (c) => Object.keys(c) });
}

/**
 * Wraps an engine so each run it executes is traced: run → subtask → tool call / model call,
 * spans timed by the engine's events. The run's span is the child of the trace context the run
 * was submitted in (the task's `traceparent`), so a run resumed by another worker continues the
 * same trace. Model calls follow the GenAI semantic conventions.
 */
export function tracedEngine(inner: Engine, tracer: Tracer): Engine {
  return {
    execute(request) {
      const listen = runTracer(tracer, request.task.traceparent);
      const onEvent = request.onEvent;
      return inner.execute({
        ...request,
        onEvent: (event) => {
          listen(event);
          onEvent?.(event);
        },
      });
    },
  };
}

/** The spans of one run, from its events. */
function runTracer(tracer: Tracer, traceparent: string | undefined): EventListener {
  let run: Span | undefined;
  const subtasks = new Map<string, Span>();
  const tools = new Map<string, Span>();
  const childOf = (parent: Span) => trace.setSpan(context.active(), parent);

  return (event: EngineEvent) => {
    if (event.type === "run.started") {
      run = tracer.startSpan("cs_agents.run", { kind: SpanKind.CONSUMER, startTime: event.at, attributes: { "cs_agents.run.id": event.runId } }, contextOf(traceparent));
      return;
    }
    if (!run) return;
    switch (event.type) {
      case "plan.created":
        run.setAttributes({ "cs_agents.plan.source": event.plan.source, "cs_agents.plan.subtasks": event.plan.subtasks.length, "cs_agents.plan.replayed": event.replayed });
        return;
      case "subtask.started":
        subtasks.set(
          event.subtaskId,
          tracer.startSpan(`cs_agents.subtask ${event.subtaskId}`, { startTime: event.at, attributes: { "cs_agents.subtask.id": event.subtaskId, "cs_agents.agent": event.agent } }, childOf(run)),
        );
        return;
      case "subtask.finished":
      case "subtask.failed":
      case "subtask.cancelled": {
        const span = subtasks.get(event.subtaskId);
        if (!span) return;
        if (event.type === "subtask.failed") span.setStatus({ code: SpanStatusCode.ERROR, message: `${event.error.code}: ${event.error.message}` });
        if (event.type === "subtask.cancelled") span.setAttribute("cs_agents.cancelled", true);
        span.end(event.at);
        subtasks.delete(event.subtaskId);
        return;
      }
      case "tool.started": {
        const attributes = { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": event.tool, "cs_agents.step.key": event.stepKey };
        tools.set(event.stepKey, tracer.startSpan(`execute_tool ${event.tool}`, { startTime: event.at, attributes }, childOf(subtasks.get(event.subtaskId) ?? run)));
        return;
      }
      case "tool.finished":
      case "tool.failed": {
        const span = tools.get(event.stepKey);
        if (!span) return;
        span.setAttribute("cs_agents.tool.attempts", event.attempts);
        if (event.type === "tool.failed") span.setStatus({ code: SpanStatusCode.ERROR, message: `${event.error.code}: ${event.error.message}` });
        span.end(event.at);
        tools.delete(event.stepKey);
        return;
      }
      case "model.finished": {
        // A replayed decision made no request: no span.
        if (event.replayed) return;
        const attributes = {
          "gen_ai.operation.name": "chat",
          "gen_ai.provider.name": "openai",
          "gen_ai.request.model": event.model,
          "gen_ai.agent.name": event.agent,
          "cs_agents.step.key": event.stepKey,
          "cs_agents.decision": event.decision,
          ...(event.usage ? { "gen_ai.usage.input_tokens": event.usage.inputTokens, "gen_ai.usage.output_tokens": event.usage.outputTokens } : {}),
        };
        const span = tracer.startSpan(`chat ${event.model}`, { kind: SpanKind.CLIENT, startTime: event.at - event.durationMs, attributes }, childOf(subtasks.get(event.subtaskId) ?? run));
        span.end(event.at);
        return;
      }
      case "run.finished":
        run.setAttribute("cs_agents.run.status", event.status);
        if (event.status === "failed") run.setStatus({ code: SpanStatusCode.ERROR, message: event.error ? `${event.error.code}: ${event.error.message}` : "failed" });
        for (const span of [...tools.values(), ...subtasks.values()]) span.end(event.at);
        run.end(event.at);
        return;
      default:
        return;
    }
  };
}


/** The trace id of a `traceparent`, for log lines. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent ? trace.getSpanContext(contextOf(traceparent))?.traceId : undefined;
}
