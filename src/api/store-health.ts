import { isStoreUnavailable } from "../store/index.js";

/** Where the API writes its operational lines; a pino logger fits. */
export interface ApiLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export const SILENT_LOG: ApiLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Whether the store answers, learned from the API's own calls: the first connection failure of
 * an outage is logged, and the first success after it, so a down database is two log lines,
 * not one per request.
 */
export class StoreHealth {
  readonly #log: ApiLog;
  #downSince: Date | undefined;

  constructor(log: ApiLog) {
    this.#log = log;
  }

  get down(): boolean {
    return this.#downSince !== undefined;
  }

  /** Any other error came from a store that answered (a conflict, a constraint): it is up. */
  failed(error: unknown): void {
    if (!isStoreUnavailable(error)) {
      this.succeeded();
      return;
    }
    if (this.#downSince !== undefined) return;
    this.#downSince = new Date();
    this.#log.error({ reason: reasonOf(error) }, "store unreachable: answering 503 STORE_UNREACHABLE until it answers again");
  }

  succeeded(): void {
    if (this.#downSince === undefined) return;
    const downMs = Date.now() - this.#downSince.getTime();
    this.#downSince = undefined;
    this.#log.info({ downMs }, "store recovered");
  }
}

/** The store with every call reported to `health`; calls and results pass through unchanged. */
export function watchedStore<S extends object>(store: S, health: StoreHealth): S {
  return new Proxy(store, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]): unknown => {
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(target, args);
        } catch (error) {
          health.failed(error);
          throw error;
        }
        if (!(result instanceof Promise)) {
          health.succeeded();
          return result;
        }
        return result.then(
          (v: unknown) => {
            health.succeeded();
            return v;
          },
          (error: unknown) => {
            health.failed(error);
            throw error;
          },
        );
      };
    },
  });
}

/** The driver's message without the connection string (which may hold a password). */
function reasonOf(error: unknown): string {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return `${typeof code === "string" ? `${code}: ` : ""}${message.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s]*/gi, "(url)")}`.slice(0, 300);
}
