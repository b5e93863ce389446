import { setTimeout as sleep } from "node:timers/promises";

/** One answer the API gave (or the network error instead), at `at` ms (performance.now()). */
export interface Answer {
  readonly at: number;
  readonly status: number | "network";
  /** The problem's `code` when the API refused. */
  readonly code?: string;
}

/**
 * A client that keeps submitting tasks to `cs-agents serve`, the way a careful integration does:
 * each task has its own Idempotency-Key, and a submission that failed (503, reset connection) is
 * retried with the same key until the API acknowledges it with 202. Every answer is kept.
 */
export class SubmitLoad {
  readonly answers: Answer[] = [];
  /** Run ids the API acknowledged (202), by Idempotency-Key. */
  readonly acknowledged = new Map<string, string>();
  #stopped = false;
  #loop: Promise<void> | undefined;

  /** `keyPrefix` keeps the keys of one load apart from another's on the same server. */
  constructor(
    private readonly base: string,
    private readonly description: string,
    private readonly pauseMs: number,
    private readonly keyPrefix = "drill",
  ) {}

  /** `clients` loops submitting side by side. */
  start(clients = 1): void {
    this.#loop = Promise.all(Array.from({ length: clients }, (_, client) => this.#run(client))).then(() => undefined);
  }

  /** Stops after the attempt in progress; a task never acknowledged is not counted. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }

  async #run(client: number): Promise<void> {
    for (let n = 0; !this.#stopped; n++) {
      const key = `${this.keyPrefix}-${client}-${n}`;
      for (;;) {
        const answer = await this.#submit(key);
        this.answers.push(answer);
        if (answer.status === 202 || this.#stopped) break;
        await sleep(100);
      }
      await sleep(this.pauseMs);
    }
  }

  async #submit(key: string): Promise<Answer> {
    try {
      const res = await fetch(`${this.base}/v1/tasks`, {
        method: "POST",
        headers: { "content-type": "application/json", "idempotency-key": key },
        body: JSON.stringify({ description: this.description }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await res.json()) as { id?: string; code?: string };
      if (res.status === 202 && body.id) this.acknowledged.set(key, body.id);
      return { at: performance.now(), status: res.status, ...(body.code ? { code: body.code } : {}) };
    } catch {
      return { at: performance.now(), status: "network" };
    }
  }
}

/** Polls `/readyz` every 100 ms and keeps each answer. */
export class ReadinessWatch {
  readonly answers: Answer[] = [];
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(private readonly base: string) {}

  start(): void {
    this.#loop = (async () => {
      while (!this.#stopped) {
        const status = await fetch(`${this.base}/readyz`, { signal: AbortSignal.timeout(5_000) }).then(
          (res) => res.status,
          () => "network" as const,
        );
        this.answers.push({ at: performance.now(), status });
        await sleep(100);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#loop;
  }

  /** From the first non-200 after `since` to the first 200 after it; undefined if it never failed or never recovered. */
  notReadySpan(since: number): { from: number; to: number } | undefined {
    const after = this.answers.filter((a) => a.at >= since);
    const firstDown = after.findIndex((a) => a.status !== 200);
    if (firstDown < 0) return undefined;
    const backUp = after.slice(firstDown).find((a) => a.status === 200);
    const from = after[firstDown]?.at;
    return from !== undefined && backUp ? { from, to: backUp.at } : undefined;
  }
}
