import { afterEach, describe, expect, it } from "vitest";
import { RunEventHub } from "../../src/api/run-event-hub.js";
import type { RunFeedStore } from "../../src/api/run-event-hub.js";
import { SqliteStore } from "../../src/store/index.js";
import type { RunEvent, ServiceStore } from "../../src/store/index.js";

const stores: ServiceStore[] = [];
const hubs: RunEventHub[] = [];
afterEach(async () => {
  for (const hub of hubs.splice(0)) hub.close();
  for (const store of stores.splice(0)) await store.close();
});

/** A store that counts the feed's queries. */
function countingStore(inner: ServiceStore): { store: RunFeedStore; calls: Record<string, number> } {
  const calls: Record<string, number> = { get: 0, load: 0, syncRunEvents: 0, listRunEvents: 0 };
  const store: RunFeedStore = {
    get: (id) => (calls.get!++, inner.get(id)),
    load: (id) => (calls.load!++, inner.load(id)),
    syncRunEvents: (id, candidates) => (calls.syncRunEvents!++, inner.syncRunEvents(id, candidates)),
    listRunEvents: (id, afterId, limit) => (calls.listRunEvents!++, inner.listRunEvents(id, afterId, limit)),
  };
  return { store, calls };
}

/** A run driven by hand: submitted, claimed, `steps` subtasks done, then succeeded. */
async function drivenRun(store: ServiceStore, runId: string) {
  await store.submitAudited({ description: "report", tenant: "acme" }, { runId, requestHash: "h", submittedBy: "alice" }, { action: "task.submitted", actor: "alice", tenant: "acme" });
  const [lease] = await store.claim({ workerId: "w", leaseMs: 60_000, limit: 1, maxCrashes: 3, runId });
  if (!lease) throw new Error("not claimed");
  const plan = { source: "test", language: "en" as const, params: {}, subtasks: ["a", "b", "c"].map((id) => ({ id, title: id, agent: "writer", instructions: "", dependsOn: [], tool: "t", input: {} })) };
  return {
    async plan() {
      await store.record(lease, { runId, key: "plan", kind: "plan", status: "succeeded", output: plan, startedAt: new Date(), finishedAt: new Date() });
    },
    async subtask(id: string) {
      await store.record(lease, { runId, key: `subtask/${id}/done`, kind: "subtask", status: "succeeded", output: { output: id, artifacts: [] }, startedAt: new Date(), finishedAt: new Date() });
    },
    async succeed() {
      await store.transition(lease, { status: "succeeded", plan, result: { subtasks: {}, artifacts: [], output: "done" } });
    },
  };
}

async function collect(events: AsyncIterable<RunEvent>): Promise<RunEvent[]> {
  const out: RunEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("RunEventHub", () => {
  it("fans one run out to 200 subscribers: the same events in order, the store asked once per look, not per subscriber", async () => {
    const inner = SqliteStore.open(":memory:");
    stores.push(inner);
    const { store, calls } = countingStore(inner);
    // A poll interval no test waits for: every look below is a wake-up.
    const hub = new RunEventHub({ store, pollMs: 600_000 });
    hubs.push(hub);
    const run = await drivenRun(inner, "run-fan");
    // A signal of its own per reader, as each HTTP request has (one shared by 200 would pass
    // Node's listener limit and warn).
    const readers = Array.from({ length: 200 }, () => collect(hub.subscribe("run-fan", { afterId: 0, signal: new AbortController().signal })));
    expect(hub.stats()).toMatchObject({ runs: 1, subscribers: 200 });
    let wakes = 0;
    for (const change of [() => run.plan(), () => run.subtask("a"), () => run.subtask("b"), () => run.subtask("c"), () => run.succeed()]) {
      await change();
      hub.wake("run-fan");
      wakes++;
      await tick();
    }
    const all = await Promise.all(readers);
    const first = all[0]!;
    expect(first.at(-1)?.type).toBe("run.succeeded");
    expect(first.map((e) => e.id)).toEqual([...first.map((e) => e.id)].sort((a, b) => a - b));
    expect(new Set(first.map((e) => e.id)).size).toBe(first.length);
    for (const events of all) expect(events).toEqual(first);
    // One look at start and at most one per wake-up, for 200 subscribers.
    expect(calls.listRunEvents).toBeGreaterThanOrEqual(1);
    expect(calls.listRunEvents).toBeLessThanOrEqual(wakes + 1);
    expect(calls.get).toBe(calls.listRunEvents);
    // The hub's own count of looks (what cs_agents_event_store_reads_total follows) is the store's.
    expect(hub.stats()).toEqual({ runs: 0, subscribers: 0, storeReads: calls.get, cut: 0 });
  });

  it("resumes after an id: only the later events, the same ones a full reader got", async () => {
    const store = SqliteStore.open(":memory:");
    stores.push(store);
    const hub = new RunEventHub({ store, pollMs: 10 });
    hubs.push(hub);
    const run = await drivenRun(store, "run-resume");
    await run.plan();
    await run.subtask("a");
    await run.subtask("b");
    await run.subtask("c");
    await run.succeed();
    const signal = new AbortController().signal;
    const full = await collect(hub.subscribe("run-resume", { afterId: 0, signal }));
    expect(full.length).toBeGreaterThan(3);
    const after = full[2]!.id;
    const resumed = await collect(hub.subscribe("run-resume", { afterId: after, signal }));
    expect(resumed).toEqual(full.filter((e) => e.id > after));
  });

  it("cuts a subscriber that stops reading, without holding its events, while the others get everything", async () => {
    const inner = SqliteStore.open(":memory:");
    stores.push(inner);
    const hub = new RunEventHub({ store: inner, pollMs: 600_000, maxBuffered: 2 });
    hubs.push(hub);
    const run = await drivenRun(inner, "run-slow");
    const signal = new AbortController().signal;
    const slow = hub.subscribe("run-slow", { afterId: 0, signal });
    const slowIterator = slow[Symbol.asyncIterator]();
    const firstSlow = await slowIterator.next();
    expect(firstSlow.done).toBe(false);
    const fast = collect(hub.subscribe("run-slow", { afterId: 0, signal }));
    for (const change of [() => run.plan(), () => run.subtask("a"), () => run.subtask("b"), () => run.subtask("c"), () => run.succeed()]) {
      await change();
      hub.wake("run-slow");
      await tick();
    }
    const fastEvents = await fast;
    expect(fastEvents.at(-1)?.type).toBe("run.succeeded");
    expect(fastEvents.length).toBeGreaterThan(3);
    expect(slow.cut).toBe(true);
    expect(hub.stats().cut).toBe(1);
    // What it had not read is gone; it ends, and its client resumes from the last id it read.
    const rest: RunEvent[] = [];
    for (let next = await slowIterator.next(); !next.done; next = await slowIterator.next()) rest.push(next.value);
    expect(rest.length).toBeLessThanOrEqual(2);
    expect(1 + rest.length).toBeLessThan(fastEvents.length);
  });

  it("ends a subscription when its signal aborts, and stops following a run nobody follows", async () => {
    const store = SqliteStore.open(":memory:");
    stores.push(store);
    const hub = new RunEventHub({ store, pollMs: 10 });
    hubs.push(hub);
    await drivenRun(store, "run-abort");
    const leaving = new AbortController();
    const events = collect(hub.subscribe("run-abort", { afterId: 0, signal: leaving.signal }));
    await tick();
    expect(hub.stats()).toMatchObject({ runs: 1, subscribers: 1 });
    leaving.abort();
    const got = await events;
    expect(got.every((e) => e.type !== "run.succeeded")).toBe(true);
    for (let i = 0; i < 100 && hub.stats().runs > 0; i++) await tick();
    expect(hub.stats()).toMatchObject({ runs: 0, subscribers: 0 });
  });

  it("ends every subscription when the hub closes (a drain)", async () => {
    const store = SqliteStore.open(":memory:");
    stores.push(store);
    const hub = new RunEventHub({ store, pollMs: 10 });
    await drivenRun(store, "run-drain");
    const signal = new AbortController().signal;
    const readers = [collect(hub.subscribe("run-drain", { afterId: 0, signal })), collect(hub.subscribe("run-drain", { afterId: 0, signal }))];
    await tick();
    hub.close();
    const [a, b] = await Promise.all(readers);
    expect(a).toEqual(b);
    expect(await collect(hub.subscribe("run-drain", { afterId: 0, signal }))).toEqual([]);
  });
});
