import type { JWTPayload } from "jose";
import { AuthError } from "./auth-errors.js";

export interface ClaimRules {
  readonly issuer: string;
  readonly audience: string;
  readonly clockToleranceSeconds: number;
}

/**
 * Checks the claims that need no key — times, issuer, audience — on the decoded payload, before
 * any key is looked up: an expired or foreign token is refused (401) even while the key server
 * is down, and never makes us fetch keys. The signature is verified after this, over the same bytes.
 * @throws AuthError naming the claim and what was wrong with it.
 */
export function checkClaimsWithoutKey(payload: JWTPayload, rules: ClaimRules, nowSeconds: number): void {
  const tolerance = rules.clockToleranceSeconds;
  const exp = numericDate(payload, "exp");
  if (exp <= nowSeconds - tolerance) throw new AuthError("the token has expired", { i18n: { key: "auth.expired" } });
  const iat = numericDate(payload, "iat");
  // jose checks iat only against a maximum age; a token "issued" in the future is a forged or broken clock.
  if (iat > nowSeconds + tolerance) throw new AuthError(`the token's iat is in the future (more than ${tolerance} s ahead of the server's clock)`, { i18n: { key: "auth.iat-future", params: { tolerance } } });
  if (payload.nbf !== undefined) {
    const nbf = numericDate(payload, "nbf");
    if (nbf > nowSeconds + tolerance) throw new AuthError("the token is not valid yet (nbf is in the future)", { i18n: { key: "auth.not-yet-valid" } });
  }
  if (payload.iss !== rules.issuer) throw new AuthError('claim "iss" is wrong or missing (unexpected "iss" claim value)', { i18n: { key: "auth.claim-wrong", params: { claim: "iss" } } });
  const audiences = typeof payload.aud === "string" ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
  if (!audiences.includes(rules.audience)) throw new AuthError('claim "aud" is wrong or missing (unexpected "aud" claim value)', { i18n: { key: "auth.claim-wrong", params: { claim: "aud" } } });
}

function numericDate(payload: JWTPayload, claim: "exp" | "iat" | "nbf"): number {
  const value = payload[claim];
  if (typeof value !== "number" || !Number.isFinite(value)) throw new AuthError(`claim "${claim}" is wrong or missing (it must be a number of seconds)`, { i18n: { key: "auth.claim-not-number", params: { claim } } });
  return value;
}
