import type { AuditDraft } from "../store/index.js";

/** Sources tracked at once; beyond this, failures of new sources share one row per window. */
const MAX_SOURCES = 10_000;
const OVERFLOW_SOURCE = "(other addresses)";

interface Window {
  readonly startedAt: Date;
  /** Failures after the first, written as one row when the window closes. */
  repeated: number;
  reasons: Set<string>;
}

/**
 * Failed authentications per client address, so an anonymous caller cannot make the
 * append-only audit log grow one row per request: a source's first failure in a window is
 * written at once; the rest become one `auth.failed` row with a `count` when the window ends.
 * Also the per-address limit checked before a token is verified.
 */
export class AuthFailures {
  readonly #windows = new Map<string, Window>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #windowMs: number;
  readonly #maxPerWindow: number;
  readonly #append: (draft: AuditDraft) => Promise<void>;

  constructor(options: { windowMs: number; maxPerWindow: number; append: (draft: AuditDraft) => Promise<void> }) {
    this.#windowMs = options.windowMs;
    this.#maxPerWindow = options.maxPerWindow;
    this.#append = options.append;
  }

  /** Whether this address has used up its failures for the window (answer 429 without verifying). */
  limited(address: string): boolean {
    const window = this.#windows.get(this.#sourceOf(address));
    return window !== undefined && 1 + window.repeated >= this.#maxPerWindow;
  }

  /** Notes one failure; resolves once a row that must be written now is written. */
  async failed(address: string, details: Record<string, unknown> & { reason: string }): Promise<void> {
    const source = this.#sourceOf(address);
    const window = this.#windows.get(source);
    if (window) {
      window.repeated++;
      if (window.reasons.size < 10) window.reasons.add(details.reason);
      return;
    }
    const opened: Window = { startedAt: new Date(), repeated: 0, reasons: new Set() };
    this.#windows.set(source, opened);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.#close(source, opened);
    }, this.#windowMs);
    timer.unref();
    this.#timers.add(timer);
    await this.#append({ action: "auth.failed", actor: "anonymous", tenant: "", details: { ...details, ip: address, count: 1 } });
  }

  /** Writes every open window's count (on shutdown). */
  async flush(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await Promise.all([...this.#windows].map(([source, window]) => this.#close(source, window)));
  }

  async #close(source: string, window: Window): Promise<void> {
    if (this.#windows.get(source) !== window) return;
    this.#windows.delete(source);
    if (window.repeated === 0) return;
    const details = { ip: source, count: window.repeated, reasons: [...window.reasons], from: window.startedAt.toISOString(), to: new Date().toISOString() };
    await this.#append({ action: "auth.failed", actor: "anonymous", tenant: "", details });
  }

  #sourceOf(address: string): string {
    return this.#windows.has(address) || this.#windows.size < MAX_SOURCES ? address : OVERFLOW_SOURCE;
  }
}
