import { inspect } from "node:util";
import { CsAgentsError } from "../../core/index.js";
import { redactUrl } from "../redact-url.js";

/**
 * Why the store could not connect, naming host:port and the driver's cause (ECONNREFUSED,
 * ENOTFOUND, an SQLSTATE such as 28P01), never the password.
 */
export function unreachableError(url: string, error: unknown): CsAgentsError {
  const { host, port, secrets } = endpoint(url);
  // Node reports a refused dual-stack connect as an AggregateError with an empty message.
  const first: unknown = error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error;
  const code = codeOf(first) ?? codeOf(error);
  const reason = scrub(first instanceof Error ? first.message : String(first), secrets);
  return new CsAgentsError(
    "STORE_UNREACHABLE",
    `cannot reach PostgreSQL at ${host}:${port}${code === undefined ? "" : ` (${code})`}: ${reason}; check DATABASE_URL (${redactUrl(url)})`,
    { cause: leaksSecret(error, secrets) ? undefined : error, retryable: true },
  );
}

/** Node's URL errors keep the whole input, password included: such a cause is not passed on. */
function leaksSecret(error: unknown, secrets: readonly string[]): boolean {
  const text = inspect(error, { depth: 5 });
  return secrets.some((secret) => text.includes(secret));
}

/** host, port and the password as written and as decoded (the forms a message could repeat). */
function endpoint(url: string): { host: string; port: string; secrets: readonly string[] } {
  try {
    const parsed = new URL(url);
    const secrets = parsed.password === "" ? [] : [parsed.password, decodeURIComponent(parsed.password)];
    return { host: parsed.hostname || "localhost", port: parsed.port || "5432", secrets };
  } catch {
    // Unparsable: everything after the scheme could be secret.
    const rest = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "");
    return { host: "(unparsable DATABASE_URL)", port: "?", secrets: rest === "" ? [] : [rest] };
  }
}

function codeOf(error: unknown): string | undefined {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

/** Driver messages do not quote passwords today; this keeps it so if one ever does. */
function scrub(message: string, secrets: readonly string[]): string {
  return secrets.filter((s) => s.length >= 3).reduce((text, secret) => text.split(secret).join("***"), message);
}
