export { AuthError, AuthUnavailableError } from "./auth-errors.js";
export { createTokenVerifier, type Principal, type TokenVerifier, type TokenVerifierOptions } from "./token-verifier.js";
export { parseScopes, SCOPES, type Scope } from "./scopes.js";
