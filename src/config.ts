import { delimiter } from "node:path";
import { z } from "zod";
import { InvalidInputError } from "./core/index.js";
// The schema file only (pure zod), not the MCP module with its SDK.
import { McpServersSchema } from "./mcp/mcp-server-config.js";

/** s3://bucket[/prefix][?query]: a bucket name as S3 allows it (3-63 lowercase letters, digits, '.', '-'). */
const S3_URL = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](?:\/[^?\s]*)?(?:\?\S*)?$/;

/** Settings of `cs-agents serve`: HTTP, auth, limits, approvals and the audit log (docs/security.md). */
const SERVICE_SETTINGS = {
  CS_AGENTS_HOST: z.string().min(1).default("127.0.0.1").describe("address `serve` listens on"),
  CS_AGENTS_PORT: z.coerce.number().int("must be a whole number").min(0).max(65_535, "must be at most 65535").default(8080).describe("port `serve` listens on"),
  CS_AGENTS_GRPC_PORT: z.coerce.number().int("must be a whole number").min(0).max(65_535, "must be at most 65535").optional().describe("port of the gRPC server `serve` starts beside the HTTP one (same host, TLS and auth); unset: no gRPC"),
  CS_AGENTS_WORKERS: z.coerce.number().int("must be a whole number").min(0).max(256, "must be at most 256").default(2).describe("runs `serve` executes at once in-process; 0: API only"),
  CS_AGENTS_TLS_CERT: z.string().default("").describe("PEM certificate (chain) file: serve HTTPS (TLS 1.2+)"),
  CS_AGENTS_TLS_KEY: z.string().default("").describe("PEM private key file for CS_AGENTS_TLS_CERT"),
  CS_AGENTS_AUTH: z.enum(["jwt", "off"], { message: 'must be "jwt" or "off"' }).default("jwt").describe("bearer-token auth; off only for local development (loopback only)"),
  CS_AGENTS_JWT_ISSUER: z.string().default("").describe("required `iss` of access tokens"),
  CS_AGENTS_JWT_AUDIENCE: z.string().default("").describe("required `aud` of access tokens"),
  CS_AGENTS_JWT_JWKS_URL: z.string().default("").describe("JWKS URL of the issuer's signing keys (cached, refetched on an unknown kid)"),
  CS_AGENTS_JWT_PUBLIC_KEY_FILE: z.string().default("").describe("PEM public key file, instead of a JWKS URL"),
  CS_AGENTS_JWT_ALGORITHMS: z
    .string()
    .default("RS256")
    .transform((v) => v.split(",").map((a) => a.trim()).filter((a) => a !== ""))
    .describe("accepted token algorithms, comma-separated (asymmetric only)"),
  CS_AGENTS_JWT_CLOCK_TOLERANCE_S: z.coerce.number().int("must be a whole number").min(0).max(300, "must be at most 300").default(30).describe("leeway for exp/nbf/iat, seconds"),
  CS_AGENTS_JWT_TENANT_CLAIM: z.string().min(1).default("tenant").describe("the token claim naming the tenant"),
  CS_AGENTS_UI_OIDC_ISSUER: z
    .string()
    .default("")
    .refine((v) => v === "" || /^https:\/\/\S+$/i.test(v) || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/\S*)?$/i.test(v), "must be an https URL (http only on loopback), e.g. https://login.example.com/realms/ops")
    .describe("OIDC issuer the console signs in with (authorization code + PKCE, in the browser); empty: the console asks for a pasted token"),
  CS_AGENTS_UI_OIDC_CLIENT_ID: z.string().default("").describe("the console's client id at that issuer: a public client (no secret) with <origin>/ui/ as redirect URI"),
  CS_AGENTS_UI_OIDC_SCOPES: z
    .string()
    .default("openid tasks:read tasks:write approvals:write")
    .refine((v) => /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/.test(v.trim()), "must be space-separated OAuth scopes")
    .describe("scopes the console asks the issuer for, space-separated"),
  CS_AGENTS_APPROVAL_TTL_S: z.coerce.number().int("must be a whole number").min(1, "must be at least 1").default(86_400).describe("approval requests older than this are denied"),
  CS_AGENTS_APPROVALS_REQUIRE_SEPARATE_APPROVER: z
    .enum(["true", "false"], { message: 'must be "true" or "false"' })
    .default("true")
    .transform((v) => v === "true")
    .describe("the token that submitted a task cannot approve its sensitive steps"),
  CS_AGENTS_BODY_LIMIT_BYTES: z.coerce.number().int("must be a whole number").min(1_024, "must be at least 1024").default(262_144).describe("largest request body; larger answers 413"),
  CS_AGENTS_MAX_JSON_DEPTH: z.coerce.number().int("must be a whole number").min(2).max(256).default(32).describe("deepest JSON nesting accepted"),
  CS_AGENTS_RATE_LIMIT_PER_MINUTE: z.coerce.number().int("must be a whole number").min(0).default(600).describe("requests per tenant per minute (0: no limit); shared through Redis when REDIS_URL is set"),
  CS_AGENTS_MAX_ACTIVE_RUNS_PER_TENANT: z.coerce.number().int("must be a whole number").min(0).default(100).describe("unfinished runs a tenant may have (0: no cap)"),
  CS_AGENTS_MAX_RUNNING_RUNS_PER_TENANT: z.coerce
    .number()
    .int("must be a whole number")
    .min(0, "must be 0 (no limit) or more")
    .default(0)
    .describe("runs of one tenant workers hold at once, across the fleet (0: no limit); keep it below the workers' slots so a tenant flooding the queue leaves slots to the others"),
  CS_AGENTS_API_MAX_IN_FLIGHT: z.coerce.number().int("must be a whole number").min(0).default(256).describe("requests served at once per process; more answer 503 OVERLOADED with Retry-After (0: no bound)"),
  CS_AGENTS_API_MAX_EVENT_LOOP_DELAY_MS: z.coerce.number().int("must be a whole number").min(0).default(0).describe("event-loop delay (P99, ms) past which new requests answer 503 OVERLOADED (0: not watched)"),
  CS_AGENTS_REQUEST_TIMEOUT_MS: z.coerce.number().int("must be a whole number").min(1_000).default(30_000).describe("a request must arrive within this (headers within a third of it)"),
  CS_AGENTS_KEEP_ALIVE_TIMEOUT_MS: z.coerce
    .number()
    .int("must be a whole number of milliseconds")
    .min(1_000, "must be at least 1000")
    .max(3_600_000, "must be at most 3600000")
    .default(5_000)
    .describe("idle keep-alive connections close after this (ms); set it above the load balancer's idle timeout"),
  CS_AGENTS_CORS_ORIGINS: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((o) => o.trim()).filter((o) => o !== ""))
    .describe("origins allowed by CORS, comma-separated; empty: CORS off"),
  CS_AGENTS_AUDIT_SIGNING_KEY_FILE: z.string().default("").describe("Ed25519 private key (PEM) that signs audit checkpoints"),
  CS_AGENTS_AUDIT_CHECKPOINT_DIR: z.string().default("").describe("directory, outside the database, where audit checkpoints are written"),
  CS_AGENTS_AUDIT_CHECKPOINT_URL: z
    .string()
    .default("")
    .refine((v) => v === "" || S3_URL.test(v), "must be s3://bucket[/prefix][?endpoint=http://host:9000&region=us-east-1&path_style=true]")
    .describe("S3-compatible bucket for audit checkpoints, instead of a directory (wins over CS_AGENTS_AUDIT_CHECKPOINT_DIR); credentials from the AWS environment"),
  CS_AGENTS_ARTIFACTS_DIR: z.string().default("").describe("directory of the artifact store (reports, large journal values); default: <SQLite file>-artifacts next to a SQLite database"),
  CS_AGENTS_ARTIFACTS_URL: z
    .string()
    .default("")
    .refine((v) => v === "" || S3_URL.test(v), "must be s3://bucket[/prefix][?endpoint=http://host:9000&region=us-east-1&path_style=true]")
    .describe("S3-compatible bucket of the artifact store, instead of a directory; credentials from the AWS environment"),
  CS_AGENTS_ARTIFACTS_REPLICA_URL: z
    .string()
    .default("")
    .refine((v) => v === "" || S3_URL.test(v), "must be s3://bucket[/prefix][?endpoint=…] like CS_AGENTS_ARTIFACTS_URL")
    .describe("second bucket (another zone) every blob is also written to; reads fall back to it"),
};

const whole = (what: string) => z.coerce.number().int(`must be a whole number${what}`);

const flag = z.enum(["true", "false"], { message: 'must be "true" or "false"' }).default("false").transform((v) => v === "true");

/** Webhooks: signed POSTs of a run's outcome to its task's callbackUrl (docs/run-control.md#webhooks). */
const WEBHOOK_SETTINGS = {
  CS_AGENTS_WEBHOOK_SECRET: z
    .string()
    .default("")
    .refine((v) => v === "" || v.length >= 16, "must be at least 16 characters")
    .describe("signs webhooks (HMAC-SHA256) of tenants without a secret of their own (a secret: never logged); empty: those tenants get no webhooks"),
  CS_AGENTS_WEBHOOK_SECRETS: z
    .string()
    .default("")
    .transform((v, ctx) => {
      if (v.trim() === "") return {};
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: 'must be a JSON object of tenant to secret, e.g. {"acme":"whsec_0123456789abcdef"}' });
        return z.NEVER;
      }
    })
    .pipe(z.record(z.string(), z.string().min(16, "each secret must be at least 16 characters"), { message: 'must be a JSON object of tenant to secret, e.g. {"acme":"whsec_0123456789abcdef"}' }))
    .describe("per-tenant webhook signing secrets as JSON, e.g. {\"acme\":\"whsec_…\"} (secrets: never logged)"),
  CS_AGENTS_WEBHOOK_ALLOW_HTTP: flag.describe("accept http:// callback URLs (tests, trusted networks); default https only"),
  CS_AGENTS_WEBHOOK_ALLOW_PRIVATE: flag.describe("allow callback URLs on private, loopback and link-local addresses (tests, on-prem); default refused (SSRF)"),
  CS_AGENTS_WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int("must be a whole number").min(1, "must be at least 1").max(50, "must be at most 50").default(8).describe("attempts per webhook (backoff 5 s doubling up to 1 h, with jitter); then it is marked failed and kept"),
  CS_AGENTS_WEBHOOK_TIMEOUT_MS: z.coerce.number().int("must be a whole number of milliseconds").min(100, "must be at least 100").max(120_000, "must be at most 120000").default(10_000).describe("per webhook attempt: connect, send and the whole answer"),
};

/** Models: an OpenAI-compatible endpoint for agents and the planner, run budgets, MCP tools (docs/models.md). */
const MODEL_SETTINGS = {
  CS_AGENTS_LLM_BASE_URL: z
    .string()
    .default("")
    .refine((v) => v === "" || /^https?:\/\/[^\s/]+\S*$/i.test(v), "must be an http(s) URL such as https://api.openai.com/v1")
    .describe("OpenAI-compatible endpoint for agents and the planner; empty: the built-in rules and templates (offline)"),
  CS_AGENTS_LLM_API_KEY: z.string().default("").describe("API key of the endpoint (a secret: never logged)"),
  CS_AGENTS_LLM_MODEL: z.string().default("").describe("model name for agents and the planner; required with a base URL"),
  CS_AGENTS_LLM_TEMPERATURE: z.coerce.number().min(0, "must be between 0 and 2").max(2, "must be between 0 and 2").default(0).describe("sampling temperature"),
  CS_AGENTS_LLM_MAX_OUTPUT_TOKENS: whole("").min(1, "must be at least 1").default(2_048).describe("most tokens one answer may have"),
  CS_AGENTS_LLM_TIMEOUT_MS: whole(" of milliseconds").min(1_000, "must be at least 1000").default(60_000).describe("per request attempt"),
  CS_AGENTS_LLM_MAX_RETRIES: whole("").min(0).max(10, "must be at most 10").default(2).describe("retries of 429, 5xx and timeouts, honouring Retry-After"),
  CS_AGENTS_LLM_RESPONSE_CACHE_TTL_S: whole(" of seconds")
    .min(0, "must not be negative")
    .default(0)
    .describe("reuse answers to identical temperature-0 requests for this long, through the tool cache (0: off)"),
  CS_AGENTS_LLM_AGENT_MODELS: z
    .string()
    .default("")
    .refine((v) => v.split(",").every((pair) => pair.trim() === "" || /^\s*[a-z][a-z0-9_-]*\s*=\s*\S+\s*$/.test(pair)), "must be agent=model pairs separated by commas, e.g. writer=qwen-max,analyst=deepseek-chat")
    .transform((v) => Object.fromEntries(v.split(",").filter((p) => p.trim() !== "").map((p) => p.split("=").map((x) => x.trim()) as [string, string])))
    .describe('per-agent model names, e.g. writer=qwen-max,analyst=deepseek-chat ("rules": keep the built-in rules)'),
  CS_AGENTS_LLM_STREAM: z
    .enum(["true", "false"], { message: 'must be "true" or "false"' })
    .default("true")
    .transform((v) => v === "true")
    .describe("stream agents' answers (model.delta events, live progress); an endpoint that does not stream is asked unstreamed"),
  CS_AGENTS_LLM_CONTEXT_TOKENS: whole(" of tokens")
    .min(4_096, "must be at least 4096")
    .max(10_000_000, "must be at most 10000000")
    .default(32_768)
    .describe("the model's context window: each request's prompt must fit with CS_AGENTS_LLM_MAX_OUTPUT_TOKENS to spare (PROMPT_TOO_LARGE)"),
  CS_AGENTS_RUN_MAX_TOKENS: whole("").min(0, "must not be negative").default(0).describe("a run using more model tokens fails with BUDGET_EXCEEDED (0: no limit)"),
  CS_AGENTS_RUN_MAX_TOOL_CALLS: whole("").min(0, "must not be negative").default(0).describe("a run asking for more tool calls fails with BUDGET_EXCEEDED (0: no limit)"),
  CS_AGENTS_RUN_MAX_MS: whole(" of milliseconds").min(0, "must not be negative").default(0).describe("a run executing longer fails with BUDGET_EXCEEDED (0: no limit)"),
  CS_AGENTS_RUN_MAX_COST: z.coerce.number().min(0, "must not be negative").default(0).describe("a run whose model calls cost more (at CS_AGENTS_LLM_PRICES) fails with BUDGET_EXCEEDED (0: no limit)"),
  CS_AGENTS_LLM_PRICES: z
    .string()
    .default("")
    .refine(
      (v) => v.split(",").every((pair) => pair.trim() === "" || /^\s*[^\s=]+\s*=\s*\d+(\.\d+)?\s*\/\s*\d+(\.\d+)?\s*$/.test(pair)),
      "must be model=input/output prices per million tokens, separated by commas, e.g. qwen-plus=0.8/2,gpt-4o=2.5/10",
    )
    .transform((v) =>
      Object.fromEntries(
        v
          .split(",")
          .filter((p) => p.trim() !== "")
          .map((p) => {
            const [model = "", prices = ""] = p.split("=").map((x) => x.trim());
            const [input = "0", output = "0"] = prices.split("/").map((x) => x.trim());
            return [model, { inputPerMillion: Number(input), outputPerMillion: Number(output) }];
          }),
      ),
    )
    .describe("model prices per million input/output tokens, e.g. qwen-plus=0.8/2,gpt-4o=2.5/10 (any one currency): cost per run and tenant, and CS_AGENTS_RUN_MAX_COST"),
  CS_AGENTS_MCP_SERVERS: z
    .string()
    .default("")
    .transform((v, ctx) => {
      if (v.trim() === "") return [];
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: 'must be a JSON array such as [{"name":"fs","transport":"stdio","command":"node","args":["server.js"]}]' });
        return z.NEVER;
      }
    })
    .pipe(McpServersSchema)
    .describe("MCP servers whose tools are registered as mcp.<server>.<tool> (JSON; see docs/models.md)"),
};

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
  CS_AGENTS_SERVER: z.string().default("").describe("`submit` and `status` talk to this cs-agents API (e.g. https://agents.example.com) instead of opening the store"),
  CS_AGENTS_TOKEN: z.string().default("").describe("bearer token for CS_AGENTS_SERVER (a secret: never logged)"),
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
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .string()
    .default("")
    .refine((v) => v === "" || /^https?:\/\/[^\s]+$/.test(v), "must be the OTLP/HTTP base URL, e.g. http://otel-collector:4318")
    .describe("sends traces (run → subtask → tool/model call) over OTLP/HTTP to <url>/v1/traces; empty: no tracing, nothing sent"),
  CS_AGENTS_LOG_FORMAT: z
    .enum(["auto", "json", "pretty"])
    .default("auto")
    .describe("serve/worker logs: JSON lines (pino), human-readable lines, or auto (pretty on a terminal, JSON otherwise)"),
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
  ...SERVICE_SETTINGS,
  ...MODEL_SETTINGS,
  ...WEBHOOK_SETTINGS,
}).superRefine((config, ctx) => {
  if (config.CS_AGENTS_LLM_BASE_URL !== "" && config.CS_AGENTS_LLM_MODEL.trim() === "") {
    ctx.addIssue({ code: "custom", path: ["CS_AGENTS_LLM_MODEL"], message: "is required when CS_AGENTS_LLM_BASE_URL is set" });
  }
  if (config.CS_AGENTS_UI_OIDC_ISSUER !== "" && config.CS_AGENTS_UI_OIDC_CLIENT_ID.trim() === "") {
    ctx.addIssue({ code: "custom", path: ["CS_AGENTS_UI_OIDC_CLIENT_ID"], message: "is required when CS_AGENTS_UI_OIDC_ISSUER is set" });
  }
  if (config.CS_AGENTS_ARTIFACTS_DIR !== "" && config.CS_AGENTS_ARTIFACTS_URL !== "") {
    ctx.addIssue({ code: "custom", path: ["CS_AGENTS_ARTIFACTS_URL"], message: "set either CS_AGENTS_ARTIFACTS_DIR or CS_AGENTS_ARTIFACTS_URL, not both" });
  }
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
