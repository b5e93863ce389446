import { delimiter } from "node:path";
import { z } from "zod";
import { InvalidInputError } from "./core/index.js";

/**
 * Every environment variable cs-agents reads, with its default. This is the only reader of
 * `process.env`; `.env.example` lists the same names (a test keeps them in step).
 */
export const ConfigSchema = z.object({
  CS_AGENTS_PLUGINS: z
    .string()
    .default("")
    .transform((value) => value.split(delimiter).map((p) => p.trim()).filter((p) => p !== ""))
    .describe(`plugin modules to load, separated by "${delimiter}"`),
  CS_AGENTS_OUT_DIR: z.string().min(1).default("out").describe("where `run` writes reports: <dir>/<run id>/"),
  CS_AGENTS_MAX_CONCURRENCY: z.coerce
    .number()
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(256, "must be at most 256")
    .default(4)
    .describe("most subtasks of one run running at once"),
});

export type Config = Readonly<z.output<typeof ConfigSchema>>;

/**
 * Parses the environment once.
 * @throws InvalidInputError (INVALID_INPUT) naming the variable and the expected form.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const known = Object.fromEntries(Object.keys(ConfigSchema.shape).map((k) => [k, env[k] === "" ? undefined : env[k]]));
  const parsed = ConfigSchema.safeParse(known);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new InvalidInputError(`bad configuration: ${issues}`);
  }
  return Object.freeze(parsed.data);
}
