import { randomUUID } from "node:crypto";
import { ApiConnectionError, ApiProblemError, problemFromAnswer } from "./errors.js";
import { DEFAULT_RETRY, parseRetryAfter, retryDelay, sleep } from "./retry.js";
import type { RetryPolicy } from "./retry.js";
import { sseFrames } from "./sse.js";
import type {
  AgentList,
  ApprovalDecision,
  ApprovalList,
  ApprovalResult,
  ArtifactDownload,
  ListTasksQuery,
  ModelTextDelta,
  RunDetail,
  RunEvent,
  RunList,
  RunSummary,
  Schedule,
  ScheduleBody,
  ScheduleList,
  StepList,
  Submission,
  SubmitTaskBody,
  ForkBody,
  InputAnswerResult,
  ToolList,
} from "./types.js";

/** The bearer token: a string, or a function asked before every request (to refresh it). */
export type TokenSource = string | (() => string | undefined | Promise<string | undefined>);

export interface ClientOptions {
  /** Where the API is, e.g. https://agents.example.com (paths such as /v1/tasks are appended). */
  readonly baseUrl: string | URL;
  readonly token?: TokenSource | undefined;
  readonly retry?: Partial<RetryPolicy> | undefined;
  /** Language of problem titles and details, e.g. "zh-CN"; codes are never translated. */
  readonly acceptLanguage?: string | undefined;
  /** Default: the global fetch (Node's undici). */
  readonly fetch?: typeof fetch | undefined;
  /** Jitter source in [0, 1); default Math.random. */
  readonly random?: (() => number) | undefined;
}

export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
}

interface RequestSpec extends CallOptions {
  readonly method: "GET" | "POST" | "DELETE";
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>> | undefined;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  /** Safe to send again after a network error: the server may have acted on the first one. */
  readonly idempotent: boolean;
}

const FINAL_EVENTS: ReadonlySet<string> = new Set(["run.succeeded", "run.failed", "run.cancelled"]);
const FINAL_STATUSES: ReadonlySet<string> = new Set(["succeeded", "failed", "cancelled"]);

/**
 * A typed client of the cs-agents REST API. Retries 429 and 503 (honouring Retry-After) for
 * every call, and network errors for calls that are safe to repeat; answers that are errors
 * throw `ApiProblemError`, an unreachable server `ApiConnectionError`.
 */
export class CsAgentsClient {
  readonly #base: URL;
  readonly #token: TokenSource | undefined;
  readonly #retry: RetryPolicy;
  readonly #acceptLanguage: string | undefined;
  readonly #fetch: typeof fetch;
  readonly #random: () => number;

  constructor(options: ClientOptions) {
    const base = new URL(String(options.baseUrl));
    if (base.protocol !== "http:" && base.protocol !== "https:") throw new TypeError(`baseUrl must be an http or https URL, got "${String(options.baseUrl)}"`);
    if (!base.pathname.endsWith("/")) base.pathname += "/";
    this.#base = base;
    this.#token = options.token;
    this.#retry = { ...DEFAULT_RETRY, ...options.retry };
    this.#acceptLanguage = options.acceptLanguage;
    this.#fetch = options.fetch ?? fetch;
    this.#random = options.random ?? Math.random;
  }

  /**
   * Submits a task. Without `idempotencyKey` one is made, and every retry of this call sends
   * the same one, so a retried submit never makes a second run.
   */
  async submit(task: SubmitTaskBody, options: CallOptions & { readonly idempotencyKey?: string } = {}): Promise<Submission> {
    const idempotencyKey = options.idempotencyKey ?? randomUUID();
    const response = await this.#request({ method: "POST", path: "v1/tasks", body: task, headers: { "Idempotency-Key": idempotencyKey }, idempotent: true, signal: options.signal }, async (res) => ({
      run: (await res.json()) as RunDetail,
      replayed: res.headers.get("idempotent-replayed") === "true",
    }));
    return { ...response, idempotencyKey };
  }

  /** One run, with its plan, subtasks, result and artifact links. */
  get(runId: string, options: CallOptions = {}): Promise<RunDetail> {
    return this.#json({ method: "GET", path: `v1/tasks/${encodeURIComponent(runId)}`, idempotent: true, signal: options.signal });
  }

  /** One page of the tenant's runs, newest first; pass `nextCursor` as `cursor` for the next. */
  list(query: ListTasksQuery = {}, options: CallOptions = {}): Promise<RunList> {
    return this.#json({ method: "GET", path: "v1/tasks", query, idempotent: true, signal: options.signal });
  }

  /** Every run matching `query`, newest first, fetching page after page as it is iterated. */
  async *listAll(query: Omit<ListTasksQuery, "cursor"> = {}, options: CallOptions = {}): AsyncGenerator<RunSummary> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...query, ...(cursor === undefined ? {} : { cursor }) }, options);
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** Cancels an unfinished run. Safe to repeat: cancelling a cancelled run answers as the first time. */
  cancel(runId: string, options: CallOptions = {}): Promise<RunDetail> {
    return this.#json({ method: "POST", path: `v1/tasks/${encodeURIComponent(runId)}/cancel`, idempotent: true, signal: options.signal });
  }

  /** The run's journaled steps and its budget use. */
  steps(runId: string, options: CallOptions = {}): Promise<StepList> {
    return this.#json({ method: "GET", path: `v1/tasks/${encodeURIComponent(runId)}/steps`, idempotent: true, signal: options.signal });
  }

  /** Downloads a file the run produced. */
  artifact(runId: string, name: string, options: CallOptions = {}): Promise<ArtifactDownload> {
    return this.#request({ method: "GET", path: `v1/tasks/${encodeURIComponent(runId)}/artifacts/${encodeURIComponent(name)}`, idempotent: true, signal: options.signal }, async (res) => ({
      bytes: new Uint8Array(await res.arrayBuffer()),
      mediaType: res.headers.get("content-type") ?? "application/octet-stream",
    }));
  }

  /** Steps of the tenant's runs waiting for a person. */
  approvals(options: CallOptions = {}): Promise<ApprovalList> {
    return this.#json({ method: "GET", path: "v1/approvals", idempotent: true, signal: options.signal });
  }

  /** Approves or denies a pending step (single use: not repeated after a network error). */
  decide(approvalId: string, decision: ApprovalDecision, options: CallOptions = {}): Promise<ApprovalResult> {
    return this.#json({ method: "POST", path: `v1/approvals/${encodeURIComponent(approvalId)}`, body: decision, idempotent: false, signal: options.signal });
  }

  /**
   * Forks a run from one of its steps: a new run with the parent's journal up to `step`, the step
   * re-executed or (with `output`) recorded with that result, optionally with a new task `input`.
   * As `submit`, every retry sends the same idempotency key, so a retried fork makes one run.
   */
  async fork(runId: string, fork: ForkBody, options: CallOptions & { readonly idempotencyKey?: string } = {}): Promise<Submission> {
    const idempotencyKey = options.idempotencyKey ?? randomUUID();
    const path = `v1/tasks/${encodeURIComponent(runId)}/fork`;
    const response = await this.#request({ method: "POST", path, body: fork, headers: { "Idempotency-Key": idempotencyKey }, idempotent: true, signal: options.signal }, async (res) => ({
      run: (await res.json()) as RunDetail,
      replayed: res.headers.get("idempotent-replayed") === "true",
    }));
    return { ...response, idempotencyKey };
  }

  /**
   * Answers a question a tool asked (`questions[].step` of `get(runId)`); the answer must fit the
   * question's schema. Single use: not repeated after a network error (a 409 then says it was taken).
   */
  answer(runId: string, step: string, answer: unknown, options: CallOptions = {}): Promise<InputAnswerResult> {
    return this.#json({ method: "POST", path: `v1/tasks/${encodeURIComponent(runId)}/input`, body: { step, answer }, idempotent: false, signal: options.signal });
  }

  tools(options: CallOptions = {}): Promise<ToolList> {
    return this.#json({ method: "GET", path: "v1/tools", idempotent: true, signal: options.signal });
  }

  agents(options: CallOptions = {}): Promise<AgentList> {
    return this.#json({ method: "GET", path: "v1/agents", idempotent: true, signal: options.signal });
  }

  /** Submits `schedule.task` on a cron (with a time zone) or an interval; not repeated after a network error. */
  createSchedule(schedule: ScheduleBody, options: CallOptions = {}): Promise<Schedule> {
    return this.#json({ method: "POST", path: "v1/schedules", body: schedule, idempotent: false, signal: options.signal });
  }

  /** The tenant's schedules, oldest first. */
  schedules(options: CallOptions = {}): Promise<ScheduleList> {
    return this.#json({ method: "GET", path: "v1/schedules", idempotent: true, signal: options.signal });
  }

  schedule(id: string, options: CallOptions = {}): Promise<Schedule> {
    return this.#json({ method: "GET", path: `v1/schedules/${encodeURIComponent(id)}`, idempotent: true, signal: options.signal });
  }

  /** Deletes a schedule (runs it made stay); answers the schedule as it was. */
  deleteSchedule(id: string, options: CallOptions = {}): Promise<Schedule> {
    return this.#json({ method: "DELETE", path: `v1/schedules/${encodeURIComponent(id)}`, idempotent: false, signal: options.signal });
  }

  /** Pauses (`paused: true`) or resumes a schedule; safe to repeat. */
  setSchedulePaused(id: string, paused: boolean, options: CallOptions = {}): Promise<Schedule> {
    return this.#json({ method: "POST", path: `v1/schedules/${encodeURIComponent(id)}/${paused ? "pause" : "resume"}`, idempotent: true, signal: options.signal });
  }

  /**
   * The run's events until it ends (its run.succeeded / run.failed / run.cancelled event).
   * A dropped connection is reopened with Last-Event-ID, so no event is lost or repeated;
   * `lastEventId` resumes after an event seen earlier. Gives up after `retry.retries`
   * reconnections in a row that brought no event. `onModelText` receives the model's text as
   * it is generated (`model.delta`, sent by a server whose workers run in its process); those
   * pieces are not events of the run's log and are not yielded.
   */
  async *events(runId: string, options: CallOptions & { readonly lastEventId?: number; readonly onModelText?: (delta: ModelTextDelta) => void } = {}): AsyncGenerator<RunEvent> {
    const { signal } = options;
    let last = options.lastEventId ?? 0;
    let failures = 0;
    let hintMs: number | undefined;
    for (;;) {
      const body = await this.#request(
        { method: "GET", path: `v1/tasks/${encodeURIComponent(runId)}/events`, headers: { accept: "text/event-stream", ...(last > 0 ? { "Last-Event-ID": String(last) } : {}) }, idempotent: true, signal },
        (res) => {
          if (!res.body) throw new ApiConnectionError("the event stream answered without a body");
          return Promise.resolve(res.body);
        },
      );
      let received = 0;
      let broken: unknown;
      try {
        for await (const frame of sseFrames(body)) {
          if (frame.kind === "retry") {
            hintMs = frame.ms;
            continue;
          }
          if (frame.id === undefined && frame.event === "model.delta") {
            options.onModelText?.(parseData(frame.data) as unknown as ModelTextDelta);
            continue;
          }
          const id = Number(frame.id);
          // Only frames with an id are run events; one at or below the last seen was already given.
          if (frame.id === undefined || !Number.isSafeInteger(id) || id <= last) continue;
          last = id;
          received += 1;
          failures = 0;
          const type = frame.event ?? "message";
          yield { id, type, data: parseData(frame.data) };
          if (FINAL_EVENTS.has(type)) return;
        }
      } catch (error) {
        if (signal?.aborted) throw error;
        broken = error;
      }
      // The stream ended cleanly with nothing new: after the final event it stays empty.
      if (broken === undefined && received === 0 && FINAL_STATUSES.has((await this.get(runId, { signal })).status)) return;
      failures += 1;
      if (failures > this.#retry.retries) throw new ApiConnectionError(`the event stream of ${runId} dropped ${failures} times in a row without an event`, { cause: broken });
      await sleep(Math.min(this.#retry.maxDelayMs, hintMs ?? retryDelay(this.#retry, failures - 1, undefined, this.#random)), signal);
    }
  }

  #json<T>(spec: RequestSpec): Promise<T> {
    return this.#request(spec, async (res) => (await res.json()) as T);
  }

  /** Sends `spec`, retrying as the class says, and reads a 2xx answer with `read`. */
  async #request<T>(spec: RequestSpec, read: (res: Response) => Promise<T>): Promise<T> {
    const url = new URL(spec.path, this.#base);
    for (const [name, value] of Object.entries(spec.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    for (let retry = 0; ; retry += 1) {
      const canRetry = retry < this.#retry.retries;
      let res: Response;
      try {
        res = await this.#fetch(url, { method: spec.method, headers: await this.#headers(spec), ...(spec.body === undefined ? {} : { body: JSON.stringify(spec.body) }), ...(spec.signal ? { signal: spec.signal } : {}) });
      } catch (error) {
        if (spec.signal?.aborted) throw error;
        if (!spec.idempotent || !canRetry) throw new ApiConnectionError(`${spec.method} ${url.pathname} failed: ${causeText(error)}`, { cause: error });
        await sleep(retryDelay(this.#retry, retry, undefined, this.#random), spec.signal);
        continue;
      }
      if (!res.ok) {
        const retryAfterMs = parseRetryAfter(res.headers.get("retry-after"));
        const text = await res.text().catch(() => "");
        if ((res.status === 429 || res.status === 503) && canRetry) {
          await sleep(retryDelay(this.#retry, retry, retryAfterMs, this.#random), spec.signal);
          continue;
        }
        throw problemFromAnswer(res.status, res.statusText, text, retryAfterMs);
      }
      try {
        return await read(res);
      } catch (error) {
        if (spec.signal?.aborted || error instanceof ApiProblemError) throw error;
        // The answer broke off mid-body: the request was made, so only a repeatable one is sent again.
        if (!spec.idempotent || !canRetry) throw new ApiConnectionError(`${spec.method} ${url.pathname}: the answer broke off: ${causeText(error)}`, { cause: error });
        await sleep(retryDelay(this.#retry, retry, undefined, this.#random), spec.signal);
      }
    }
  }

  async #headers(spec: RequestSpec): Promise<Record<string, string>> {
    const token = typeof this.#token === "function" ? await this.#token() : this.#token;
    return {
      accept: "application/json",
      ...(spec.body === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(this.#acceptLanguage ? { "accept-language": this.#acceptLanguage } : {}),
      ...spec.headers,
    };
  }
}

function parseData(data: string): unknown {
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

function causeText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
