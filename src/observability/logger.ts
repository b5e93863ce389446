import { pino, type Logger } from "pino";
import type { Engine } from "../engine/index.js";
import { traceIdOf } from "./tracing.js";

export type { Logger } from "pino";

export type LogFormat = "auto" | "json" | "pretty";

/**
 * The structured log of `serve` and `worker`: JSON lines (pino) for collectors, or readable
 * lines on a terminal. Never give it secrets: tokens, keys and database passwords stay out.
 */
export function createLogger(out: NodeJS.WritableStream & { isTTY?: boolean }, format: LogFormat = "auto"): Logger {
  const pretty = format === "pretty" || (format === "auto" && out.isTTY === true);
  return pino({ base: { service: "cs-agents" }, timestamp: pino.stdTimeFunctions.isoTime }, pretty ? prettyLines(out) : out);
}

const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };
const OMITTED = new Set(["level", "time", "msg", "service", "pid", "hostname"]);

/** `2026-11-24T01:02:03.456Z INFO message key=value …` from pino's JSON lines. */
function prettyLines(out: NodeJS.WritableStream): { write(line: string): void } {
  return {
    write(line) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line);
        return;
      }
      const fields = Object.entries(entry)
        .filter(([key]) => !OMITTED.has(key))
        .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
      out.write(`${String(entry.time)} ${LEVELS[Number(entry.level)] ?? "INFO"} ${String(entry.msg ?? "")}${fields.length ? ` ${fields.join(" ")}` : ""}\n`);
    },
  };
}

/** Logs the end of every run the engine executes, with its run and trace ids. */
export function loggedEngine(inner: Engine, logger: Logger): Engine {
  return {
    async execute(request) {
      const outcome = await inner.execute(request);
      const traceId = traceIdOf(request.task.traceparent);
      const fields = { runId: request.runId, ...(traceId ? { traceId } : {}), ...(request.task.tenant ? { tenant: request.task.tenant } : {}), status: outcome.status };
      if (outcome.status === "succeeded") logger.info(fields, "run succeeded");
      else if (outcome.status === "sleeping") logger.info({ ...fields, wakeAt: new Date(outcome.wakeAt).toISOString() }, "run sleeping");
      else if (outcome.status === "waiting_input") logger.info({ ...fields, stepKey: outcome.stepKey }, "run waiting for input");
      else if (outcome.status === "waiting_children") logger.info({ ...fields, childRunIds: outcome.childRunIds }, "run waiting for its child runs");
      else logger.warn({ ...fields, code: outcome.error.code, reason: outcome.error.message }, `run ${outcome.status}`);
      return outcome;
    },
  };
}
