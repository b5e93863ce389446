import { Listr } from "listr2";
import stringWidth from "string-width";
import type { Plan } from "../core/index.js";
import type { EngineEvent } from "../engine/index.js";
import { oneLine } from "./one-line.js";

/** Renders engine events for a person: a live task list on a TTY, plain lines otherwise. */
export interface Progress {
  onEvent(event: EngineEvent): void;
  /** Resolves when the display has drawn its last frame. */
  finish(): Promise<void>;
}

export function createProgress(stream: NodeJS.WriteStream, mode: "tty" | "lines" | "none"): Progress {
  if (mode === "none") return { onEvent: () => undefined, finish: () => Promise.resolve() };
  return mode === "tty" ? ttyProgress(stream) : lineProgress(stream);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)}s`;

/** Widest piece of a model's streamed text shown on one plain progress line, in terminal columns. */
const LIVE_COLUMNS = 72;

/** Columns of a task-list output row that are not the model's text: listr2's indentation and margin (4), "› " and "✎ ". */
const ROW_OVERHEAD = 8;

/** Characters of a model's text kept per row: the tail of the widest terminal line, and more. */
const LIVE_TAIL = 1_000;

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * A model's text so far on one line: whitespace collapsed, only its tail that fits in `columns`
 * terminal columns shown (a Chinese character takes two), after "…" when cut.
 */
export function liveLine(text: string, columns = LIVE_COLUMNS): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (stringWidth(flat) <= columns) return flat;
  const pieces = [...graphemes.segment(flat)].map((s) => s.segment);
  let width = 1;
  let start = pieces.length;
  for (; start > 0; start--) {
    const next = stringWidth(pieces[start - 1] ?? "");
    if (width + next > columns) break;
    width += next;
  }
  return `…${pieces.slice(start).join("")}`;
}

function lineProgress(stream: NodeJS.WriteStream): Progress {
  const write = (line: string) => stream.write(`${line}\n`);
  // Plain lines cannot be redrawn: a model's streamed text is shown once per turn, when it ends.
  const streamed = new Map<string, string>();
  return {
    onEvent(event) {
      switch (event.type) {
        case "model.delta":
          streamed.set(event.stepKey, (streamed.get(event.stepKey) ?? "") + event.text);
          break;
        case "model.finished": {
          const said = liveLine(streamed.get(event.stepKey) ?? "");
          streamed.delete(event.stepKey);
          if (said !== "") write(`  model   ${event.subtaskId} [${event.agent}] ${said}`);
          break;
        }
        case "plan.created":
          write(`plan (${event.plan.source}, ${event.plan.subtasks.length} subtasks${event.replayed ? ", from the journal" : ""})`);
          if (event.plan.note) write(`  note: ${event.plan.note}`);
          for (const s of event.plan.subtasks) write(`  ${s.id}: ${s.title} [${s.agent}]${s.dependsOn.length ? ` after ${s.dependsOn.join(", ")}` : ""}`);
          break;
        case "subtask.started":
          write(`started   ${event.subtaskId} [${event.agent}]`);
          break;
        case "tool.finished":
          write(`  tool    ${event.subtaskId} → ${event.tool} ok in ${seconds(event.durationMs)}${event.replayed ? " (replayed)" : ""}`);
          break;
        case "tool.failed":
          write(`  tool    ${event.subtaskId} → ${event.tool} failed after ${event.attempts} attempt(s): ${oneLine(event.error.message)}`);
          break;
        case "subtask.finished":
          write(`finished  ${event.subtaskId} in ${seconds(event.durationMs)}${event.replayed ? " (replayed)" : ""}`);
          break;
        case "subtask.failed":
          write(`failed    ${event.subtaskId} in ${seconds(event.durationMs)}: ${oneLine(event.error.message)}`);
          break;
        case "subtask.cancelled":
          write(`cancelled ${event.subtaskId}`);
          break;
        case "run.sleeping":
          write(`sleeping  until ${new Date(event.wakeAt).toISOString()} (${event.stepKey}); no worker slot is held meanwhile`);
          break;
        case "run.waiting_input":
          write(`waiting   for input: ${oneLine(event.question)} (${event.stepKey}); answer with cs-agents answer ${event.runId} ${event.stepKey} --json '<answer>'`);
          break;
        case "run.woke":
          write(`woke      ${event.stepKey}`);
          break;
        case "run.finished":
          write(`run ${event.status} in ${seconds(event.durationMs)}`);
          break;
        default:
          break;
      }
    },
    finish: () => Promise.resolve(),
  };
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A listr2 list with a row per subtask; rows settle as the engine's events arrive. */
function ttyProgress(stream: NodeJS.WriteStream): Progress {
  const rows = new Map<string, { done: Deferred; started: Deferred; output: string[]; live: string; durationMs?: number }>();
  let rendering: Promise<unknown> = Promise.resolve();

  const start = (plan: Plan) => {
    for (const s of plan.subtasks) {
      const done = deferred();
      // Rows rejected before listr awaits them must not count as unhandled rejections.
      done.promise.catch(() => undefined);
      rows.set(s.id, { done, started: deferred(), output: [], live: "" });
    }
    const list = new Listr(
      plan.subtasks.map((s) => ({
        title: `${s.title} [${s.agent}]`,
        task: async (_ctx: unknown, task: { title: string; output: string }) => {
          const row = rows.get(s.id);
          if (!row) return;
          task.title = `${s.title} [${s.agent}] waiting for ${s.dependsOn.join(", ") || "a slot"}`;
          await row.started.promise;
          task.title = `${s.title} [${s.agent}]`;
          // The row's last line: the model's text as it streams, else the last tool event. One
          // line, as wide as the terminal is now: a wrapped line would push the list down.
          const timer = setInterval(() => {
            task.output = row.live !== "" ? `✎ ${liveLine(row.live, Math.max(10, (stream.columns || 80) - ROW_OVERHEAD))}` : (row.output.at(-1) ?? "…");
          }, 100);
          try {
            await row.done.promise;
          } finally {
            clearInterval(timer);
            // The engine's timing, not the display's: the list may start drawing late.
            if (row.durationMs !== undefined) task.title = `${s.title} [${s.agent}] ${seconds(row.durationMs)}`;
          }
        },
      })),
      // The command handles Ctrl-C itself (the run stays resumable): listr2's own handler
      // would end the renderer mid-frame and exit the process under it.
      // Rows are cut, not wrapped, at the terminal's width (a tool's long error too).
      { concurrent: true, exitOnError: false, registerSignalListeners: false, rendererOptions: { collapseErrors: false, formatOutput: "truncate" } },
    );
    rendering = list.run().catch(() => undefined);
  };

  return {
    onEvent(event) {
      if (event.type === "plan.created") return start(event.plan);
      if (!("subtaskId" in event)) return;
      const row = rows.get(event.subtaskId);
      if (!row) return;
      if (event.type === "subtask.started") row.started.resolve();
      // Only the tail is ever shown, so only a tail is kept.
      if (event.type === "model.delta") row.live = (row.live + event.text).slice(-LIVE_TAIL);
      if (event.type === "model.finished" || event.type === "tool.started") row.live = "";
      if (event.type === "tool.started") row.output.push(`→ ${event.tool}`);
      if (event.type === "tool.finished") row.output.push(`✔ ${event.tool} ${seconds(event.durationMs)}`);
      if (event.type === "tool.failed") row.output.push(`✖ ${event.tool}: ${event.error.message}`);
      if (event.type === "subtask.finished" || event.type === "subtask.failed") row.durationMs = event.durationMs;
      if (event.type === "subtask.finished") {
        row.started.resolve();
        row.done.resolve();
      }
      if (event.type === "subtask.failed" || event.type === "subtask.cancelled") {
        const error = new Error(event.type === "subtask.failed" ? event.error.message : "cancelled");
        row.started.resolve();
        row.done.reject(error);
      }
    },
    async finish() {
      // Rows of subtasks that never ran (the run failed or was cancelled) end as cancelled.
      for (const row of rows.values()) {
        row.started.resolve();
        row.done.reject(new Error("not run"));
      }
      await rendering;
    },
  };
}
