import { createLocalJWKSet, errors as joseErrors } from "jose";
import type { CryptoKey, FlattenedJWSInput, JWSHeaderParameters } from "jose";
import { AuthUnavailableError } from "./auth-errors.js";

/** When the key set is fetched again, and how hard a failing key server is asked. */
export interface JwksPolicy {
  /** One fetch's timeout. */
  readonly timeoutMs: number;
  /** Least time after a successful fetch before an unknown `kid` fetches again (a rotation). */
  readonly cooldownMs: number;
  /** Keys are fetched again after this long, so a withdrawn key stops verifying. */
  readonly cacheMaxAgeMs: number;
  /** While the key server fails, known keys keep verifying this long past `cacheMaxAgeMs`. */
  readonly maxStaleMs: number;
  /** The first wait after a failed fetch; each further failure doubles it, up to `backoffMaxMs`. */
  readonly backoffInitialMs: number;
  readonly backoffMaxMs: number;
}

export type JwksGetKey = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>;

export interface JwksKeySet {
  /** The key for a token's header: jose's key-resolver function. */
  readonly getKey: JwksGetKey;
  /**
   * The key set's generation, after the same freshness rules `getKey` follows (refetched once
   * older than `cacheMaxAgeMs`, stale keys served while the key server fails): it changes
   * whenever a fetch brings a key set that differs from the one before, so a result verified
   * under an older generation is verified again.
   * @throws AuthUnavailableError when no key set may be used.
   */
  generation(): Promise<number>;
}

/**
 * Keys from a JWKS endpoint. Unlike a plain remote key set, a failing key server is not asked
 * again on every request: after each failure the next fetch waits a jittered, exponentially
 * growing delay (so anonymous clients cannot set the rate at which we hit the identity
 * provider), concurrent requests share one fetch, and keys already fetched keep verifying.
 * @throws AuthUnavailableError when a fetch is needed and fails or is backing off, and no known key answers.
 */
export function createJwksKeySet(url: URL, policy: JwksPolicy, clock: () => number, random: () => number = Math.random): JwksKeySet {
  let keys: ReturnType<typeof createLocalJWKSet> | undefined;
  let fetchedText: string | undefined;
  let generation = 0;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let failures = 0;
  let retryAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<void> | undefined;

  const refresh = (): Promise<void> => {
    if (pending) return pending;
    if (clock() < retryAt) return Promise.reject(new AuthUnavailableError());
    pending = fetchKeySet(url, policy.timeoutMs)
      .then(
        (jwks) => {
          keys = createLocalJWKSet(jwks as Parameters<typeof createLocalJWKSet>[0]);
          const text = JSON.stringify(jwks);
          if (text !== fetchedText) generation++;
          fetchedText = text;
          fetchedAt = clock();
          failures = 0;
          retryAt = Number.NEGATIVE_INFINITY;
        },
        (error: unknown) => {
          failures++;
          retryAt = clock() + backoffDelayMs(failures, policy, random);
          throw new AuthUnavailableError({ cause: error });
        },
      )
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };

  const known = (): NonNullable<typeof keys> => {
    if (!keys) throw new AuthUnavailableError();
    return keys;
  };

  const fresh = async (): Promise<void> => {
    const age = clock() - fetchedAt;
    if (!keys || age >= policy.cacheMaxAgeMs) {
      try {
        await refresh();
      } catch (error) {
        // Serve the keys we know: a key server outage should not lock out every valid token.
        if (!keys || age >= policy.cacheMaxAgeMs + policy.maxStaleMs) throw error;
      }
    }
  };

  const getKey: JwksGetKey = async (header, token) => {
    await fresh();
    try {
      return await known()(header, token);
    } catch (error) {
      if (!(error instanceof joseErrors.JWKSNoMatchingKey) || clock() - fetchedAt < policy.cooldownMs) throw error;
      // An unknown kid may be a rotation: ask again (unless backing off), then look once more.
      await refresh();
      return known()(header, token);
    }
  };

  return {
    getKey,
    async generation() {
      await fresh();
      return generation;
    },
  };
}

/** Equal jitter: half the exponential delay for sure, the other half at random. */
export function backoffDelayMs(failures: number, policy: Pick<JwksPolicy, "backoffInitialMs" | "backoffMaxMs">, random: () => number): number {
  const ceiling = Math.min(policy.backoffMaxMs, policy.backoffInitialMs * 2 ** (failures - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}

async function fetchKeySet(url: URL, timeoutMs: number): Promise<unknown> {
  const response = await fetch(url, { method: "GET", redirect: "manual", signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json, application/jwk-set+json" } });
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(`the key server answered ${response.status}`);
  }
  return response.json();
}
