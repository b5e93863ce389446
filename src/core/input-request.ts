import { z } from "zod";
import type { Step } from "./run.js";

// A question a tool asked a person (`ctx.ask`), as the journal keeps it: an `input` step whose
// input is the question and its answer's JSON Schema, `started` while it waits and `succeeded`
// with the answer as its output. The API, the CLI and the engine all read it through here.

/** What an `input` step records as its input. */
export interface InputRequestRecord {
  readonly tool: string;
  readonly question: string;
  /** JSON Schema of the answer (from the tool's zod schema). */
  readonly schema: Record<string, unknown>;
  /** When the default answer is taken (ISO time); absent when the question waits for ever. */
  readonly expiresAt?: string;
  readonly defaultAnswer?: unknown;
}

/** What an answered `input` step records as its output. */
export interface InputAnswerRecord {
  readonly answer: unknown;
  /** `person` through the API or the CLI, `timeout` when the default answer was taken. */
  readonly by: "person" | "timeout";
}

/** An open question as users see it. */
export interface OpenQuestion {
  readonly step: string;
  readonly question: string;
  readonly schema: Record<string, unknown>;
  readonly expiresAt?: string;
}

/** The run's questions still waiting for an answer, in the order they were asked. */
export function openQuestions(steps: readonly Step[]): OpenQuestion[] {
  return steps
    .filter((s) => s.kind === "input" && s.status === "started")
    .map((s) => {
      const input = s.input as InputRequestRecord;
      return { step: s.key, question: input.question, schema: input.schema, ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}) };
    });
}

/** When the earliest open question with a default answer takes it; undefined when none has one. */
export function inputExpiryOf(steps: readonly Step[]): Date | undefined {
  const due = openQuestions(steps)
    .map((q) => Date.parse(q.expiresAt ?? ""))
    .filter(Number.isFinite);
  return due.length === 0 ? undefined : new Date(Math.min(...due));
}

/** Why an answer does not fit its schema: the first problem, with the path to it (`$` is the whole answer). */
export interface AnswerProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * Checks an answer against the JSON Schema its question recorded. The schema is turned back
 * into zod (`z.fromJSONSchema`), so what zod's JSON Schema output holds is supported: types,
 * objects (required, additionalProperties), arrays, enums, literals, unions, string and number
 * bounds, patterns and formats zod knows.
 */
export function checkAnswer(schema: Record<string, unknown>, answer: unknown): AnswerProblem | undefined {
  let parsed: ReturnType<z.ZodType["safeParse"]>;
  try {
    parsed = z.fromJSONSchema(schema as Parameters<typeof z.fromJSONSchema>[0]).safeParse(answer);
  } catch (error) {
    return { path: "$", message: `the question's schema cannot be checked: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  return { path: ["$", ...(issue?.path ?? []).map(String)].join("."), message: issue?.message ?? "does not match the schema" };
}
