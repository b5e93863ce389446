import { CsAgentsError, type MessageRef } from "../core/index.js";

/**
 * The key server (JWKS) could not be asked, or is being left alone while it fails, and no known
 * key answers: the token may be fine, so this is the service's failure (503), not the caller's (401).
 */
export class AuthUnavailableError extends CsAgentsError {
  constructor(options: { cause?: unknown } = {}) {
    super("AUTH_KEYS_UNAVAILABLE", "tokens cannot be verified right now: the identity provider's key server (JWKS) is not answering; retry shortly", { ...options, retryable: true });
  }
}

/**
 * A request without a valid token. `reason` is safe to show and to audit; `i18n` names the whole
 * message in the catalogues (`auth.*`), so a Chinese caller reads the reason in Chinese too.
 */
export class AuthError extends CsAgentsError {
  readonly reason: string;
  constructor(reason: string, options: { cause?: unknown; i18n?: MessageRef } = {}) {
    super("UNAUTHENTICATED", `the bearer token is missing or invalid: ${reason}`, options);
    this.reason = reason;
  }
}
