// The typed client of the REST API, published as `cs-agents/client`. It imports nothing of
// the server: only Node's fetch, eventsource-parser, and the error base of core.
export { CsAgentsClient } from "./client.js";
export type { CallOptions, ClientOptions, TokenSource } from "./client.js";
export { ApiConnectionError, ApiProblemError } from "./errors.js";
export type { ProblemDetails } from "./errors.js";
export { DEFAULT_RETRY, parseRetryAfter } from "./retry.js";
export type { RetryPolicy } from "./retry.js";
export type * from "./types.js";
export type { components, operations, paths } from "./openapi.js";
