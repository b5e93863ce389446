/**
 * English, the fallback. Errors carry their English message in code, so this catalogue holds
 * only what is not written at a throw site: problem titles (the HTTP status phrases) and the
 * CLI's error line.
 */
export const en: Readonly<Record<string, string>> = {
  "problem.title.INVALID_INPUT": "Bad Request",
  "problem.title.INVALID_JSON": "Bad Request",
  "problem.title.UNKNOWN_FIELDS": "Bad Request",
  "problem.title.JSON_TOO_DEEP": "Bad Request",
  "problem.title.UNAUTHENTICATED": "Unauthorized",
  "problem.title.INSUFFICIENT_SCOPE": "Forbidden",
  "problem.title.SEPARATE_APPROVER_REQUIRED": "Forbidden",
  "problem.title.NOT_FOUND": "Not Found",
  "problem.title.METHOD_NOT_ALLOWED": "Method Not Allowed",
  "problem.title.REQUEST_TIMEOUT": "Request Timeout",
  "problem.title.IDEMPOTENCY_IN_PROGRESS": "Conflict",
  "problem.title.NOT_AMBIGUOUS": "Conflict",
  "problem.title.APPROVAL_MISMATCH": "Conflict",
  "problem.title.RUN_FINISHED": "Conflict",
  "problem.title.APPROVAL_EXPIRED": "Gone",
  "problem.title.PAYLOAD_TOO_LARGE": "Content Too Large",
  "problem.title.UNSUPPORTED_MEDIA_TYPE": "Unsupported Media Type",
  "problem.title.IDEMPOTENCY_KEY_REUSED": "Unprocessable Content",
  "problem.title.RATE_LIMITED": "Too Many Requests",
  "problem.title.TOO_MANY_ACTIVE_RUNS": "Too Many Requests",
  "problem.title.HEADERS_TOO_LARGE": "Request Header Fields Too Large",
  "problem.title.INTERNAL": "Internal Server Error",
  "problem.title.NOT_READY": "Service Unavailable",
  "problem.title.OVERLOADED": "Service Unavailable",
  "problem.title.AUTH_KEYS_UNAVAILABLE": "Service Unavailable",
  "problem.title.URI_TOO_LONG": "URI Too Long",
  "problem.title.STORE_UNREACHABLE": "Service Unavailable",
  "problem.title.JOURNAL_UNAVAILABLE": "Service Unavailable",
  "cli.error": "error: {{message}} [{{code}}]",
  "cli.error-internal": "error: {{message}}",
  "cli.run-failed": "error: the run failed: {{message}} [{{code}}]",
  "cli.run-cancelled": "error: the run was cancelled: {{message}} [{{code}}]",
};
