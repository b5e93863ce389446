import { createPublicKey } from "node:crypto";
import type { KeyObject } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from "jose";
import type { JWTPayload } from "jose";
import { CsAgentsError, type MessageRef } from "../core/index.js";
import { AuthError, AuthUnavailableError } from "./auth-errors.js";
import { createJwksKeySet } from "./jwks-key-set.js";
import type { JwksKeySet } from "./jwks-key-set.js";
import { VerifiedTokenCache } from "./verified-token-cache.js";
import { checkClaimsWithoutKey } from "./token-claims.js";
import { parseScopes } from "./scopes.js";
import type { Scope } from "./scopes.js";

/** Who is calling: the token's subject, the tenant it acts for, and what it may do. */
export interface Principal {
  readonly subject: string;
  readonly tenant: string;
  readonly scopes: ReadonlySet<Scope>;
}

export interface TokenVerifierOptions {
  /** Required `iss`. Setting: CS_AGENTS_JWT_ISSUER. */
  readonly issuer: string | undefined;
  /** Required `aud` (one of). Setting: CS_AGENTS_JWT_AUDIENCE. */
  readonly audience: string | undefined;
  /** Keys from a JWKS endpoint, cached and refetched on an unknown `kid`. Setting: CS_AGENTS_JWT_JWKS_URL. */
  readonly jwksUrl?: string | undefined;
  /** One PEM public key (SPKI). Setting: CS_AGENTS_JWT_PUBLIC_KEY_FILE. */
  readonly publicKeyPem?: string | undefined;
  /** Accepted `alg` values; anything else (`none`, HS256 …) is refused. Default ["RS256"]. */
  readonly algorithms?: readonly string[];
  /** Leeway for `exp`, `nbf` and `iat`. Default 30. */
  readonly clockToleranceSeconds?: number;
  /** The claim naming the tenant. Default "tenant". */
  readonly tenantClaim?: string;
  /** The JWKS fetch timeout. Default 5,000. */
  readonly jwksTimeoutMs?: number;
  /** Least time between two JWKS fetches for unknown `kid`s (a rotation). Default 30,000. */
  readonly jwksCooldownMs?: number;
  /** Keys are fetched again after this long, so a removed key stops verifying. Default 600,000. */
  readonly jwksCacheMaxAgeMs?: number;
  /** While the key server fails, known keys keep verifying this long past their cache age. Default 86,400,000 (a day). */
  readonly jwksMaxStaleMs?: number;
  /** The first wait after a failed JWKS fetch; doubles per failure (with jitter). Default 1,000. */
  readonly jwksBackoffInitialMs?: number;
  /** The longest wait between fetches while the key server fails. Default 60,000. */
  readonly jwksBackoffMaxMs?: number;
  /**
   * Verified tokens remembered (by their exact text) so a client's next request skips the
   * signature check; 0 turns the cache off. Default 10,000.
   */
  readonly verifiedCacheSize?: number;
  /** A verified token is verified again after this long at most (and at its `exp`). Default 60,000. */
  readonly verifiedCacheTtlMs?: number;
  /** Milliseconds since the epoch; default `Date.now` (tests move it instead of sleeping). */
  readonly clock?: () => number;
}

/** Verifies `Authorization: Bearer <jwt>` headers. */
export interface TokenVerifier {
  /** @throws AuthError (UNAUTHENTICATED) for a missing, malformed, unverifiable or incomplete token. */
  verify(authorization: string | undefined): Promise<Principal>;
}

const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/;
const FORBIDDEN_HEADERS = ["jku", "jwk", "x5u", "x5c"] as const;

/**
 * Builds the verifier, checking its settings now: a missing issuer, audience or key fails here,
 * naming the setting, not on the first request.
 * @throws CsAgentsError (AUTH_CONFIG) naming the missing or wrong setting.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const { issuer, audience } = options;
  if (!issuer) throw configError("CS_AGENTS_JWT_ISSUER is not set: tokens' `iss` must be checked");
  if (!audience) throw configError("CS_AGENTS_JWT_AUDIENCE is not set: tokens' `aud` must be checked");
  const algorithms = [...(options.algorithms ?? ["RS256"])];
  const symmetric = algorithms.filter((a) => !ASYMMETRIC.test(a));
  if (algorithms.length === 0 || symmetric.length > 0) {
    throw configError(`CS_AGENTS_JWT_ALGORITHMS must list asymmetric algorithms (RS256, ES256, EdDSA, …), got "${algorithms.join(",")}"`);
  }
  const clock = options.clock ?? Date.now;
  const source = keySource(options, clock);
  const key = "getKey" in source ? source.getKey : source;
  const remote = "getKey" in source;
  // A configured PEM key never changes: everything verified with it stays generation 0.
  const generation = "getKey" in source ? () => source.generation() : () => Promise.resolve(0);
  const tenantClaim = options.tenantClaim ?? "tenant";
  const clockTolerance = options.clockToleranceSeconds ?? 30;
  const rules = { issuer, audience, clockToleranceSeconds: clockTolerance };
  const cacheSize = options.verifiedCacheSize ?? 10_000;
  const cacheTtlMs = options.verifiedCacheTtlMs ?? 60_000;
  const cache = cacheSize > 0 ? new VerifiedTokenCache(cacheSize) : undefined;

  /**
   * A remembered verification, if it still holds: verified under the key set in force now (a
   * rotation or a withdrawn key changes the generation), and its claims still pass at `now`.
   * @throws AuthError when the remembered token's claims no longer pass (it has expired).
   */
  const remembered = async (token: string, now: number): Promise<Principal | undefined> => {
    const hit = cache?.get(token, now);
    if (!hit) return undefined;
    let current: number | undefined;
    try {
      current = await generation();
    } catch {
      // The key set cannot be used now: the full path decides (and answers why).
      current = undefined;
    }
    if (current !== hit.generation) {
      cache?.delete(token);
      return undefined;
    }
    try {
      checkClaimsWithoutKey(hit.payload, rules, Math.floor(now / 1_000));
    } catch (error) {
      cache?.delete(token);
      throw error;
    }
    return hit.principal;
  };

  return {
    async verify(authorization) {
      const token = bearerToken(authorization);
      const known = await remembered(token, clock());
      if (known) return known;
      let header: ReturnType<typeof decodeProtectedHeader>;
      try {
        header = decodeProtectedHeader(token);
      } catch (error) {
        throw new AuthError("the token is not a JWT", { cause: error, i18n: { key: "auth.not-jwt" } });
      }
      // Keys come from configuration only, never from the token itself.
      const pointer = FORBIDDEN_HEADERS.find((name) => name in header);
      if (pointer) throw new AuthError(`the token's "${pointer}" header is not accepted`, { i18n: { key: "auth.header-refused", params: { header: pointer } } });
      const now = clock();
      checkClaimsWithoutKey(decodePayload(token), rules, Math.floor(now / 1_000));
      // Read before verifying: if the key set changes meanwhile, the entry is already stale.
      const verifiedUnder = cache ? await generation().catch(() => undefined) : undefined;
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key, { issuer, audience, algorithms, clockTolerance, currentDate: new Date(now), requiredClaims: ["exp", "iat", "sub"] }));
      } catch (error) {
        if (error instanceof AuthUnavailableError) throw error;
        // A key set member that does not import is the key server's fault, not the token's.
        if (remote && error instanceof joseErrors.JWKSInvalid) throw new AuthUnavailableError({ cause: error });
        if (!(error instanceof joseErrors.JOSEError)) throw error;
        const { reason, i18n } = joseReason(error);
        throw new AuthError(reason, { cause: error, i18n });
      }
      const principal = principalOf(payload, tenantClaim);
      if (cache && verifiedUnder !== undefined && typeof payload.exp === "number") {
        const until = Math.min(payload.exp * 1_000, now + cacheTtlMs);
        if (until > now) cache.set(token, { principal, payload, generation: verifiedUnder, until });
      }
      return principal;
    },
  };
}

function keySource(options: TokenVerifierOptions, clock: () => number): KeyObject | JwksKeySet {
  if (options.jwksUrl && options.publicKeyPem) throw configError("set only one of CS_AGENTS_JWT_JWKS_URL and CS_AGENTS_JWT_PUBLIC_KEY_FILE");
  if (options.jwksUrl) {
    let url: URL;
    try {
      url = new URL(options.jwksUrl);
    } catch {
      throw configError(`CS_AGENTS_JWT_JWKS_URL is not a URL: "${options.jwksUrl}"`);
    }
    if (url.protocol !== "https:" && url.hostname !== "127.0.0.1" && url.hostname !== "localhost") {
      throw configError("CS_AGENTS_JWT_JWKS_URL must use https (http only on localhost)");
    }
    return createJwksKeySet(
      url,
      {
        timeoutMs: options.jwksTimeoutMs ?? 5_000,
        cooldownMs: options.jwksCooldownMs ?? 30_000,
        cacheMaxAgeMs: options.jwksCacheMaxAgeMs ?? 600_000,
        maxStaleMs: options.jwksMaxStaleMs ?? 86_400_000,
        backoffInitialMs: options.jwksBackoffInitialMs ?? 1_000,
        backoffMaxMs: options.jwksBackoffMaxMs ?? 60_000,
      },
      clock,
    );
  }
  if (options.publicKeyPem) {
    try {
      const key = createPublicKey(options.publicKeyPem);
      if (key.type !== "public") throw new Error("not a public key");
      return key;
    } catch (error) {
      throw configError("CS_AGENTS_JWT_PUBLIC_KEY_FILE does not hold a PEM public key", error);
    }
  }
  throw configError("neither CS_AGENTS_JWT_JWKS_URL nor CS_AGENTS_JWT_PUBLIC_KEY_FILE is set: there is no key to verify tokens with");
}

function bearerToken(authorization: string | undefined): string {
  if (!authorization) throw new AuthError("no Authorization header", { i18n: { key: "auth.no-header" } });
  const match = /^Bearer +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)\s*$/i.exec(authorization);
  if (!match?.[1]) throw new AuthError("the Authorization header is not `Bearer <jwt>`", { i18n: { key: "auth.not-bearer" } });
  return match[1];
}

function decodePayload(token: string): JWTPayload {
  try {
    return decodeJwt(token);
  } catch (error) {
    throw new AuthError("the token's payload is not a JSON object", { cause: error, i18n: { key: "auth.payload-not-object" } });
  }
}

function principalOf(payload: JWTPayload, tenantClaim: string): Principal {
  const subject = payload.sub;
  if (typeof subject !== "string" || subject.length === 0 || subject.length > 200) throw new AuthError("the token's sub is not a string of 1-200 characters", { i18n: { key: "auth.bad-sub" } });
  const tenant = payload[tenantClaim];
  if (typeof tenant !== "string" || !/^[A-Za-z0-9._:@-]{1,200}$/.test(tenant)) {
    throw new AuthError(`the token's "${tenantClaim}" claim does not name a tenant`, { i18n: { key: "auth.no-tenant", params: { claim: tenantClaim } } });
  }
  return { subject, tenant, scopes: parseScopes(payload.scope, payload.scp) };
}

/** jose's failure as a reason safe to show, in English and by catalogue key. */
function joseReason(error: unknown): { reason: string; i18n: MessageRef } {
  if (error instanceof joseErrors.JWTExpired) return { reason: "the token has expired", i18n: { key: "auth.expired" } };
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return { reason: `claim "${error.claim}" is wrong or missing (${error.reason})`, i18n: { key: "auth.claim-invalid", params: { claim: error.claim, reason: error.reason } } };
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return { reason: "the token's algorithm is not accepted", i18n: { key: "auth.alg-refused" } };
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return { reason: "the signature does not verify", i18n: { key: "auth.bad-signature" } };
  if (error instanceof joseErrors.JWKSNoMatchingKey) return { reason: "no key matches the token's kid", i18n: { key: "auth.no-matching-key" } };
  return { reason: "the token could not be verified", i18n: { key: "auth.unverifiable" } };
}

function configError(message: string, cause?: unknown): CsAgentsError {
  return new CsAgentsError("AUTH_CONFIG", `auth is on, but ${message} (set CS_AGENTS_AUTH=off only for local development)`, cause === undefined ? {} : { cause });
}
