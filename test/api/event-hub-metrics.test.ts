import { afterEach, describe, expect, it } from "vitest";
import { watchEventHub } from "../../src/api/event-hub-metrics.js";
import { MetricsRegistry } from "../../src/observability/index.js";
import { bearer, makeApi, takeSseEvents, token } from "./harness.js";
import type { SseEvent, TestApi } from "./harness.js";

let t: TestApi | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** The value of an unlabelled series in Prometheus text. */
function sample(text: string, name: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`no series ${name} in /metrics`);
  return Number(line.slice(name.length + 1));
}

/** Opens an event stream; resolves once its response arrived (the server has subscribed it). */
async function openStream(url: string, headers: Record<string, string>): Promise<{ readonly events: Promise<SseEvent[]> }> {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  const reader = res.body?.getReader();
  if (!reader) throw new Error("no body");
  const read = async () => {
    const events: SseEvent[] = [];
    const decoder = new TextDecoder();
    let buffer = "";
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      const taken = takeSseEvents(buffer + decoder.decode(next.value, { stream: true }));
      buffer = taken.rest;
      events.push(...taken.events);
    }
    return events;
  };
  // Wrapped: an async function returning the promise itself would wait for the stream's end.
  return { events: read() };
}

describe("the event hub's metrics", () => {
  it("shows subscribers and followed runs on /metrics while streams are open, and 0 once they ended", async () => {
    // A minute-long poll: only the cancel's wake ends the streams.
    t = await makeApi({ eventsPollMs: 60_000 });
    const base = `http://127.0.0.1:${(await t.api.listen(0, "127.0.0.1")).port}`;
    const auth = bearer(await token());
    const scrape = async () => (await fetch(`${base}/metrics`)).text();
    const submitted = await fetch(`${base}/v1/tasks`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ description: "生成季度财务报告" }) });
    const { id } = (await submitted.json()) as { id: string };

    const before = await scrape();
    expect(sample(before, "cs_agents_event_subscribers")).toBe(0);
    expect(sample(before, "cs_agents_event_runs_followed")).toBe(0);
    const streams = await Promise.all(Array.from({ length: 3 }, () => openStream(`${base}/v1/tasks/${id}/events`, auth)));
    const open = await scrape();
    expect(sample(open, "cs_agents_event_subscribers")).toBe(3);
    expect(sample(open, "cs_agents_event_runs_followed")).toBe(1);
    // Three subscribers of one run: the hub looked once for all of them, not three times.
    expect(sample(open, "cs_agents_event_store_reads_total")).toBe(1);

    expect((await fetch(`${base}/v1/tasks/${id}/cancel`, { method: "POST", headers: auth })).status).toBe(202);
    for (const events of await Promise.all(streams.map((s) => s.events))) expect(events.at(-1)).toMatchObject({ event: "run.cancelled" });
    const ended = await scrape();
    expect(sample(ended, "cs_agents_event_subscribers")).toBe(0);
    expect(sample(ended, "cs_agents_event_runs_followed")).toBe(0);
    expect(sample(ended, "cs_agents_event_store_reads_total")).toBe(2);
    expect(sample(ended, "cs_agents_event_subscribers_cut_total")).toBe(0);
  }, 20_000);

  it("moves the counters by what the hub did since the last scrape, never backwards", async () => {
    const metrics = new MetricsRegistry({ defaultMetrics: false });
    let stats = { runs: 2, subscribers: 5, storeReads: 7, cut: 1 };
    watchEventHub(metrics, { stats: () => stats });
    const first = await metrics.text();
    expect(sample(first, "cs_agents_event_store_reads_total")).toBe(7);
    expect(sample(first, "cs_agents_event_subscribers_cut_total")).toBe(1);
    stats = { runs: 0, subscribers: 0, storeReads: 10, cut: 3 };
    const second = await metrics.text();
    expect(sample(second, "cs_agents_event_store_reads_total")).toBe(10);
    expect(sample(second, "cs_agents_event_subscribers_cut_total")).toBe(3);
    expect(sample(second, "cs_agents_event_subscribers")).toBe(0);
  });
});
