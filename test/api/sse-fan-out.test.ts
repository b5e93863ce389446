import { afterEach, describe, expect, it } from "vitest";
import { Worker } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { SqliteStore } from "../../src/store/index.js";
import type { RunEvent, ServiceStore } from "../../src/store/index.js";
import { bearer, makeApi, seedApproval, takeSseEvents, testRunId, token } from "./harness.js";
import type { SseEvent, TestApi } from "./harness.js";

/** An open event stream: its response has arrived, so the server has subscribed it. */
interface OpenStream {
  /** Every event until the stream ends, or until `stopAfter` events or the event it accepts (then it disconnects). */
  readonly events: Promise<SseEvent[]>;
}

async function openStream(url: string, headers: Record<string, string>, stopAfter: number | ((event: SseEvent) => boolean) = Infinity): Promise<OpenStream> {
  const controller = new AbortController();
  const res = await fetch(url, { headers, signal: controller.signal });
  expect(res.status).toBe(200);
  const reader = res.body?.getReader();
  if (!reader) throw new Error("no body");
  const read = async (): Promise<SseEvent[]> => {
    const events: SseEvent[] = [];
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return events;
      const taken = takeSseEvents(buffer + decoder.decode(value, { stream: true }));
      buffer = taken.rest;
      for (const event of taken.events) {
        events.push(event);
        if (typeof stopAfter === "number" ? events.length >= stopAfter : stopAfter(event)) {
          controller.abort();
          await reader.cancel().catch(() => undefined);
          return events;
        }
      }
    }
  };
  return { events: read() };
}

/** The store with a count of event-log reads per run: only a stream's look reads the log. */
function countingStore(inner: ServiceStore): { store: ServiceStore; looks: Map<string, number> } {
  const looks = new Map<string, number>();
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === "listRunEvents") {
        return (runId: string, afterId: number): Promise<readonly RunEvent[]> => {
          looks.set(runId, (looks.get(runId) ?? 0) + 1);
          return target.listRunEvents(runId, afterId);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store, looks };
}

function asSse(events: readonly RunEvent[]): SseEvent[] {
  return events.map((e) => ({ id: e.id, event: e.type, data: JSON.parse(JSON.stringify(e.data)) as Record<string, unknown> }));
}

// Polling is off in effect (a minute): everything below must arrive because something woke the run.
const LONG_POLL_MS = 60_000;

let t: TestApi | undefined;
let worker: Worker | undefined;
afterEach(async () => {
  await worker?.stop(5_000);
  worker = undefined;
  await t?.close();
  t = undefined;
});

async function setUp(): Promise<{ api: TestApi; base: string; auth: Record<string, string>; looks: Map<string, number> }> {
  const { store, looks } = countingStore(SqliteStore.open(":memory:"));
  const api = await makeApi({ eventsPollMs: LONG_POLL_MS }, store);
  t = api;
  const address = await api.api.listen(0, "127.0.0.1");
  return { api, base: `http://127.0.0.1:${address.port}`, auth: bearer(await token()), looks };
}

async function submit(base: string, auth: Record<string, string>): Promise<string> {
  const res = await fetch(`${base}/v1/tasks`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ description: "生成季度财务报告" }) });
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}

describe("event streams fan out in process", () => {
  it("serves 200 subscribers of one run with one store look per write, each the same whole sequence", async () => {
    const { api, base, auth, looks } = await setUp();
    const id = await submit(base, auth);
    const streams = await Promise.all(Array.from({ length: 200 }, () => openStream(`${base}/v1/tasks/${id}/events`, auth)));
    let writes = 0;
    worker = new Worker({
      store: api.store,
      engine: createRuntime().engine,
      concurrency: 1,
      pollMs: 20,
      onWritten: (runId) => {
        if (runId === id) writes += 1;
        api.api.wake(runId);
      },
    });
    worker.start();
    const received = await Promise.all(streams.map((s) => s.events));
    const looked = looks.get(id) ?? 0;

    const whole = asSse(await api.store.listRunEvents(id, 0));
    expect(whole[whole.length - 1]).toMatchObject({ event: "run.succeeded" });
    for (const events of received) expect(events).toEqual(whole);
    expect(writes).toBeGreaterThan(1);
    // The first look (when the first subscriber came) plus at most one per write it was woken for.
    expect(looked).toBeGreaterThan(0);
    expect(looked).toBeLessThanOrEqual(writes + 1);
  }, 30_000);

  it("resumes mid-run from Last-Event-ID with exactly the rest", async () => {
    const { api, base, auth } = await setUp();
    const id = await submit(base, auth);
    // The run's outcome waits for the gate, so the reconnect below happens while it runs.
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const gated = new Proxy(api.store, {
      get(target, property, receiver) {
        if (property === "transition") {
          return async (...args: Parameters<ServiceStore["transition"]>) => {
            await gate;
            return target.transition(...args);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const url = `${base}/v1/tasks/${id}/events`;
    const first = await openStream(url, auth, 3);
    worker = new Worker({ store: gated, engine: createRuntime().engine, concurrency: 1, pollMs: 20, onWritten: api.api.wake });
    worker.start();
    const before = await first.events;
    expect(before).toHaveLength(3);
    const last = before[before.length - 1]?.id ?? 0;
    const resumed = await openStream(url, { ...auth, "last-event-id": String(last) });
    expect((await api.store.get(id))?.status).toBe("running");
    open();
    const after = await resumed.events;

    const whole = asSse(await api.store.listRunEvents(id, 0));
    expect(after[0]?.id).toBe(last + 1);
    expect([...before, ...after]).toEqual(whole);
    expect(after[after.length - 1]).toMatchObject({ event: "run.succeeded" });
  }, 30_000);

  it("tells every stream of a run at once that its approval was decided", async () => {
    const { api, base, auth } = await setUp();
    const seeded = await seedApproval(api.store, { runId: testRunId(1), tenant: "acme" });
    const queuedAgain = (event: SseEvent) => event.event === "run.queued";
    const streams = await Promise.all(Array.from({ length: 20 }, () => openStream(`${base}/v1/tasks/${seeded.runId}/events`, auth, queuedAgain)));
    const listed = (await (await fetch(`${base}/v1/approvals?state=pending`, { headers: bearer(await token({ sub: "bob" })) })).json()) as { items: { id: string }[] };
    expect(listed.items).toHaveLength(1);
    const decided = await fetch(`${base}/v1/approvals/${encodeURIComponent(listed.items[0]?.id ?? "")}`, {
      method: "POST",
      headers: { ...bearer(await token({ sub: "bob" })), "content-type": "application/json" },
      body: JSON.stringify({ decision: "approve", argsHash: seeded.argsHash }),
    });
    expect(decided.status).toBe(200);
    // No worker and a minute-long poll: only the decision's wake brings the run's next status.
    const received = await Promise.all(streams.map((s) => s.events));
    for (const events of received) {
      expect(events.map((e) => e.event)).toContain("run.waiting_approval");
      expect(events[events.length - 1]).toMatchObject({ event: "run.queued", data: { status: "queued" } });
    }
  }, 10_000);

  it("ends every stream with the final event as soon as the run is cancelled", async () => {
    const { base, auth } = await setUp();
    const id = await submit(base, auth);
    const streams = await Promise.all(Array.from({ length: 50 }, () => openStream(`${base}/v1/tasks/${id}/events`, auth)));
    const cancelled = await fetch(`${base}/v1/tasks/${id}/cancel`, { method: "POST", headers: auth });
    expect(cancelled.status).toBe(202);
    // No worker and a minute-long poll: only the cancel's wake can end these within the test's time.
    const received = await Promise.all(streams.map((s) => s.events));
    for (const events of received) {
      expect(events[0]).toMatchObject({ id: 1, event: "run.queued" });
      expect(events[events.length - 1]).toMatchObject({ event: "run.cancelled" });
    }
  }, 10_000);
});
