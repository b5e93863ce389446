import { createHash } from "node:crypto";
import { canonicalJson as coreCanonicalJson, CsAgentsError } from "../core/index.js";

/**
 * Who may share a cached result: everyone (`global`), one tenant (`tenant`), or one run (`run`).
 */
export type CacheScope = "global" | "tenant" | "run";

export interface CacheKeyParts {
  readonly tool: string;
  /** The tool's version: bumping it retires every entry of the old one. */
  readonly version: string;
  readonly input: unknown;
  readonly scope: CacheScope;
  /** Required for scope `tenant`; also recorded for scope `run`, so tenant invalidation reaches it. */
  readonly tenant?: string;
  /** Required for scope `run`. */
  readonly runId?: string;
}

/**
 * The canonical key of one tool call. Layout (each part URI-encoded, so `:` only separates):
 *
 *     <tool>:global:<version>:<sha256>
 *     <tool>:tenant=<tenant>:<version>:<sha256>
 *     <tool>:tenant=<tenant>:run=<runId>:<version>:<sha256>   (run scope with a tenant)
 *     <tool>:run=<runId>:<version>:<sha256>                   (run scope without one)
 *
 * The tool comes first so one prefix deletes a tool everywhere (`toolKeyPrefix`); the scope comes
 * before the version so one prefix per tool deletes a tenant's entries of every version
 * (`tenantKeyPrefix`). The hash is over the canonical JSON of the input: object keys sorted at
 * every depth, arrays in order, so `{a, b}` and `{b, a}` share an entry.
 * @throws CsAgentsError (CACHE_KEY_INVALID) when the scope's tenant or runId is missing, or the
 *   input has no JSON form.
 */
export function cacheKey(parts: CacheKeyParts): string {
  const hash = createHash("sha256").update(canonicalJson(parts.input)).digest("hex");
  return `${toolKeyPrefix(parts.tool)}${scopePart(parts)}:${encode(parts.version)}:${hash}`;
}

/** The prefix of every key of `tool`, whatever the scope or version. */
export function toolKeyPrefix(tool: string): string {
  return `${encode(tool)}:`;
}

/** The prefix of every key of `tool` scoped to `tenant` (tenant and run scopes, every version). */
export function tenantKeyPrefix(tool: string, tenant: string): string {
  return `${toolKeyPrefix(tool)}tenant=${encode(tenant)}:`;
}

/**
 * The core's canonical JSON, with this module's error code.
 * @throws CsAgentsError (CACHE_KEY_INVALID) for values JSON can't hold (bigint, cycles).
 */
export function canonicalJson(value: unknown): string {
  try {
    return coreCanonicalJson(value);
  } catch (error) {
    throw new CsAgentsError("CACHE_KEY_INVALID", `cache key input is not JSON-serialisable: ${String(error)}`, {
      cause: error,
    });
  }
}

function scopePart(parts: CacheKeyParts): string {
  switch (parts.scope) {
    case "global":
      return "global";
    case "tenant":
      return `tenant=${encode(required(parts.tenant, "tenant", parts))}`;
    case "run": {
      const run = `run=${encode(required(parts.runId, "runId", parts))}`;
      return parts.tenant === undefined ? run : `tenant=${encode(parts.tenant)}:${run}`;
    }
  }
}

function required(value: string | undefined, name: string, parts: CacheKeyParts): string {
  if (value === undefined || value === "") {
    throw new CsAgentsError("CACHE_KEY_INVALID", `cache scope "${parts.scope}" of tool "${parts.tool}" needs a ${name}`);
  }
  return value;
}

/** Percent-encodes `:` and `=` (and more), so a tenant named `a:run=b` can't forge another key. */
function encode(part: string): string {
  return encodeURIComponent(part);
}
