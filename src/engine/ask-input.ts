import { z } from "zod";
import type { InputAnswerRecord, InputRequestRecord, Step } from "../core/index.js";
import { InputRequiredError, stepKeys } from "../core/index.js";
import { ToolError } from "../tools/index.js";
import type { AskRequest } from "../tools/index.js";
import { numberedPerAttempt } from "./attempt-numbering.js";
import type { SubtaskScope } from "./run-subtask.js";

// `ctx.ask`, answered from the journal. The first pass records the question as an `input` step
// and stops the handler (its call is left unrecorded); the run waits without a lease. Once the
// step holds an answer, the handler is called again and the same `ask` resolves with it. The
// handler is never called while one of its questions is still open (see `openQuestionOfCall`).

const QUESTION_MAX = 2_000;

/** The questions one call's handler asks. */
export interface CallQuestions {
  readonly ask: (request: AskRequest, attempt: number) => Promise<unknown>;
  /** The question the handler stopped at; `recorded` when its step is in the journal already. */
  stopped: { readonly step: Step; readonly recorded: boolean; readonly error: InputRequiredError } | undefined;
}

/**
 * `ctx.ask` for the handler of call `n`. `record` journals a default answer taken after its
 * timeout (with its audit entry).
 */
export function callQuestions(scope: SubtaskScope, subtaskId: string, n: number, tool: string, record: (step: Step) => Promise<void>): CallQuestions {
  // Questions are numbered per attempt: a retried handler asks its first question again.
  const nextQuestion = numberedPerAttempt();
  // Default answers taken during this call, so a retried attempt does not take them again.
  const taken = new Map<string, Step>();
  const questions: CallQuestions = {
    stopped: undefined,
    ask: async (request, attempt) => {
      const key = stepKeys.input(subtaskId, n, nextQuestion(attempt));
      const now = Date.now();
      const schema = checkRequest(request);
      const step = taken.get(key) ?? scope.recorded.get(key);
      if (step?.status === "succeeded") return answerFrom(step, schema, key);
      if (step) {
        const expiresAt = expiryOf(step);
        if (expiresAt === undefined || expiresAt > now) throw stop(step, true, expiresAt);
        const answered: Step = { ...step, status: "succeeded", output: { answer: (step.input as InputRequestRecord).defaultAnswer, by: "timeout" } satisfies InputAnswerRecord, finishedAt: new Date(now) };
        await record(answered);
        taken.set(key, answered);
        return answerFrom(answered, schema, key);
      }
      const expiresAt = request.timeoutMs === undefined ? undefined : now + request.timeoutMs;
      const input: InputRequestRecord = {
        tool,
        question: request.question,
        schema: jsonSchemaOf(schema),
        ...(expiresAt === undefined ? {} : { expiresAt: new Date(expiresAt).toISOString(), defaultAnswer: request.defaultAnswer }),
      };
      throw stop({ runId: scope.runId, key, kind: "input", status: "started", input, startedAt: new Date(now) }, false, expiresAt);
    },
  };
  const stop = (step: Step, recorded: boolean, expiresAt: number | undefined): InputRequiredError => {
    const error = new InputRequiredError(step.key, expiresAt);
    // The first question the handler stopped at is the one it waits for.
    questions.stopped ??= { step, recorded, error };
    return error;
  };
  return questions;
}

/**
 * The first still open question of call `n` (its default answer not due yet): the handler is
 * not called again until it has an answer. O(1) for calls that asked nothing.
 */
export function openQuestionOfCall(scope: SubtaskScope, subtaskId: string, n: number): InputRequiredError | undefined {
  const now = Date.now();
  for (let k = 0; ; k++) {
    const step = scope.recorded.get(stepKeys.input(subtaskId, n, k));
    if (!step) return undefined;
    if (step.status !== "started") continue;
    const expiresAt = expiryOf(step);
    return expiresAt === undefined || expiresAt > now ? new InputRequiredError(step.key, expiresAt) : undefined;
  }
}

function expiryOf(step: Step): number | undefined {
  const at = (step.input as InputRequestRecord | undefined)?.expiresAt;
  return at === undefined ? undefined : Date.parse(at);
}

function answerFrom(step: Step, schema: z.ZodType, key: string): unknown {
  const parsed = schema.safeParse((step.output as InputAnswerRecord | undefined)?.answer);
  if (parsed.success) return parsed.data;
  throw new ToolError("INPUT_MISMATCH", `the answer recorded for ${key} does not fit the schema the tool asks with now: ${parsed.error.issues[0]?.message ?? "invalid"}`);
}

/** The request's zod schema, once its question, timeout and default are valid. */
function checkRequest(request: AskRequest): z.ZodType {
  const invalid = (what: string) => new ToolError("INPUT_INVALID", `ctx.ask: ${what}`);
  if (typeof request !== "object" || request === null) throw invalid("expected an object { question, schema, timeoutMs?, defaultAnswer? }");
  const { question, schema, timeoutMs, defaultAnswer } = request;
  if (typeof question !== "string" || question.trim().length === 0 || question.length > QUESTION_MAX) throw invalid(`question must be text of 1 to ${QUESTION_MAX} characters`);
  if (!(schema instanceof z.ZodType)) throw invalid("schema must be a zod schema");
  if (timeoutMs === undefined) {
    if (defaultAnswer !== undefined) throw invalid("defaultAnswer needs timeoutMs (when the default is taken)");
    return schema;
  }
  if (typeof timeoutMs !== "number" || !Number.isFinite(timeoutMs) || timeoutMs <= 0) throw invalid(`timeoutMs must be a positive finite number of milliseconds; got ${String(timeoutMs)}`);
  if (defaultAnswer === undefined) throw invalid("timeoutMs needs a defaultAnswer (what the answer is when nobody answers)");
  const parsed = schema.safeParse(defaultAnswer);
  if (!parsed.success) throw invalid(`defaultAnswer does not fit the schema: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  return schema;
}

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  try {
    return z.toJSONSchema(schema) as Record<string, unknown>;
  } catch (error) {
    throw new ToolError("INPUT_INVALID", `ctx.ask: the schema cannot be written as JSON Schema (${error instanceof Error ? error.message : String(error)}); use plain JSON types`, { cause: error });
  }
}
