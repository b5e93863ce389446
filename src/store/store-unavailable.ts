import { CsAgentsError } from "../core/index.js";

/** Socket-level failures: the database host refused, dropped or never answered. */
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN", "ECONNABORTED"]);
/**
 * SQLSTATEs that mean "the server is not taking this connection now", not "your query is wrong".
 * 25006 (read-only transaction) is a standby answering a write: during a failover the proxy can
 * route to the new primary a moment before its promotion ends (Patroni's `/primary` check turns
 * green first), so the write is retried later, like a refused connection.
 */
const PG_UNAVAILABLE = new Set(["57P01", "57P02", "57P03", "53300", "25006"]);
/** Messages node-postgres raises without a code when a connection dies or cannot be had in time. */
const PG_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection terminated due to connection timeout)/;
/** SQLite's "another writer holds the file" after the busy timeout, in all its extended forms. */
const SQLITE_CONTENDED = /^SQLITE_(BUSY|LOCKED)(_|$)/;

/**
 * Whether an error says the store cannot be reached or is too busy to answer now (retrying
 * later may work), as opposed to a bug or a bad request. Looks through `cause` and
 * AggregateError members, since drivers wrap the socket error.
 */
export function isStoreUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 4 || typeof error !== "object" || error === null) return false;
  if (error instanceof CsAgentsError && error.code === "STORE_UNREACHABLE") return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    if (NETWORK_CODES.has(code) || PG_UNAVAILABLE.has(code) || /^08[0-9A-Z]{3}$/.test(code) || SQLITE_CONTENDED.test(code)) return true;
  }
  if (error instanceof Error && code === undefined && PG_MESSAGES.test(error.message)) return true;
  if (error instanceof AggregateError && error.errors.some((e: unknown) => isStoreUnavailable(e, depth + 1))) return true;
  return isStoreUnavailable((error as { cause?: unknown }).cause, depth + 1);
}
