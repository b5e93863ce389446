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
  DATABASE_URL: z
    .string()
    .default("./data/cs-agents.db")
    .describe("where runs are kept: a SQLite file path (or sqlite:<path>), or postgres://user:password@host:5432/db"),
  CS_AGENTS_MIGRATE: z
    .enum(["true", "false"], { message: 'must be "true" or "false"' })
    .default("true")
    .transform((v) => v === "true")
    .describe("apply schema migrations on start"),
  CS_AGENTS_LEASE_MS: z.coerce
    .number()
    .int("must be a whole number of milliseconds")
    .min(1_000, "must be at least 1000")
    .max(3_600_000, "must be at most 3600000")
    .default(30_000)
    .describe("how long a worker's claim on a run lasts without a heartbeat"),
  CS_AGENTS_MAX_CRASHES: z.coerce
    .number()
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .default(3)
    .describe("a run whose worker died this many times is failed as poison"),
  CS_AGENTS_GRACE_MS: z.coerce
    .number()
    .int("must be a whole number of milliseconds")
    .min(0, "must not be negative")
    .default(30_000)
    .describe("on SIGTERM, how long running runs may finish before their leases are released"),
  CS_AGENTS_RETENTION_DAYS: z.coerce
    .number()
    .min(0, "must not be negative")
    .default(30)
    .describe("finished runs older than this many days are deleted (0 keeps them forever)"),
  CS_AGENTS_RETENTION_MAX_RUNS: z.coerce
    .number()
    .int("must be a whole number")
    .min(0, "must not be negative")
    .default(10_000)
    .describe("at most this many finished runs are kept, the newest (0: no limit)"),
  REDIS_URL: z
    .string()
    .default("")
    .refine((v) => v === "" || /^rediss?:\/\/[^\s]+$/.test(v), "must be redis://[user:password@]host:6379[/db] or rediss://…")
    .describe("adds the shared L2 tool cache (and cross-worker single-flight); empty: in-process cache only"),
  CS_AGENTS_CACHE_MAX_ENTRIES: z.coerce
    .number()
    .int("must be a whole number")
    .min(0, "must not be negative")
    .default(10_000)
    .describe("entries the in-process (L1) tool cache keeps; 0 turns tool caching off"),
  CS_AGENTS_CACHE_MAX_MB: z.coerce.number().min(1, "must be at least 1").default(64).describe("megabytes the in-process (L1) tool cache may hold"),
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
