import { utimes } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { collectGarbage, FilesystemArtifactStore, parseS3Url, S3ArtifactStore, sha256Hex, withArtifactStore, type ArtifactStore } from "../../src/artifacts/index.js";
import { artifactBytes, type Run, type Step } from "../../src/core/index.js";
import { Worker } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { SqliteStore, type ServiceStore } from "../../src/store/index.js";
import { startS3Server } from "../support/s3-server.js";
import { scratchDir } from "../support/scratch.js";

const s3 = await startS3Server(["cs-gc"]);
afterAll(() => s3.close());
const runtime = createRuntime();

const HOUR = 3_600_000;
const later = (ms: number) => () => new Date(Date.now() + ms);

async function allBlobs(store: ArtifactStore): Promise<string[]> {
  const found: string[] = [];
  for await (const sha256 of store.list()) found.push(sha256);
  return found.sort();
}

function files(run: Run | undefined): Record<string, string> {
  return Object.fromEntries((run?.result?.artifacts ?? []).map((a) => [a.name, sha256Hex(artifactBytes(a))]));
}

/**
 * A store with the seed's report run, and a run whose step holds twenty large strings: stored as
 * a JSON blob that references twenty blobs of its own (only the JSON blob is named by the row).
 */
async function storeWithRuns(artifacts: ArtifactStore): Promise<{ raw: SqliteStore; store: ServiceStore; nested: string[] }> {
  const raw = SqliteStore.open(join(scratchDir(), "runs.db"));
  const store = withArtifactStore(raw, artifacts);
  await (await new Worker({ store, engine: runtime.engine, workerId: "w" }).submitAndRun({ description: "生成季度财务报告" }, { runId: "report" })).end;
  await store.submit({ description: "nested" }, { runId: "nested" });
  const [lease] = await store.claim({ workerId: "w", leaseMs: 60_000, limit: 1, maxCrashes: 3, runId: "nested" });
  if (!lease) throw new Error("no lease");
  const parts = Array.from({ length: 20 }, (_, i) => `part ${i} `.repeat(200));
  const step: Step = { runId: "nested", key: "subtask/a/call/0", kind: "tool_call", status: "succeeded", input: {}, output: { parts }, startedAt: new Date(1), finishedAt: new Date(2) };
  await store.record(lease, step);
  await store.transition(lease, { status: "failed", error: { code: "STOPPED", message: "stopped after its first call" } });
  return { raw, store, nested: parts.map((p) => sha256Hex(Buffer.from(p))) };
}

const adapters: { name: string; open(): ArtifactStore; age?(store: ArtifactStore, sha256: string, ms: number): Promise<void> }[] = [
  {
    name: "filesystem",
    open: () => new FilesystemArtifactStore(join(scratchDir(), "blobs")),
    age: async (store, sha256, ms) => {
      const when = new Date(Date.now() - ms);
      await utimes(join((store as FilesystemArtifactStore).dir, sha256.slice(0, 2), sha256), when, when);
    },
  },
  { name: "S3 (s3rver)", open: () => new S3ArtifactStore(parseS3Url(`s3://cs-gc/t${Math.random().toString(36).slice(2)}?endpoint=${s3.endpoint}`)) },
];

describe.each(adapters)("artifact garbage collection: $name", (adapter) => {
  it("deletes only the blobs no run references once past the grace period; every run reads back whole", async () => {
    const artifacts = adapter.open();
    const { raw, store, nested } = await storeWithRuns(artifacts);
    const before = files(await store.get("report"));
    expect(Object.keys(before)).toContain("report.xlsx");
    const nestedSteps = await store.load("nested");
    for (const sha256 of nested) expect(await artifacts.has(sha256)).toBe(true);
    const referenced = await allBlobs(artifacts);

    const orphan = await artifacts.put(Buffer.from("a blob a pruned run left behind"));
    // Young: written now, nobody references it yet (a run between its put and its commit).
    const young = await collectGarbage(raw, artifacts);
    expect(young).toMatchObject({ blobs: referenced.length + 1, referenced: referenced.length, young: 1, deleted: 0, dryRun: false });
    expect(await artifacts.has(orphan)).toBe(true);

    const dry = await collectGarbage(raw, artifacts, { dryRun: true, now: later(2 * HOUR) });
    expect(dry).toMatchObject({ deleted: 1, deletedBytes: 31, young: 0, dryRun: true });
    expect(await allBlobs(artifacts)).toEqual([...referenced, orphan].sort());

    const done = await collectGarbage(raw, artifacts, { now: later(2 * HOUR) });
    expect(done).toMatchObject({ blobs: referenced.length + 1, referenced: referenced.length, deleted: 1, deletedBytes: 31 });
    expect(await allBlobs(artifacts)).toEqual(referenced);
    // The blobs only a JSON blob names are kept too: the runs read back whole.
    expect(files(await store.get("report"))).toEqual(before);
    expect(await store.load("nested")).toEqual(nestedSteps);
    expect(await store.load("report")).toHaveLength((await raw.load("report")).length);

    // Pruned, the runs leave their blobs behind: all of them go.
    expect(await store.prune({ maxFinishedRuns: 0 })).toBe(2);
    expect(await collectGarbage(raw, artifacts, { now: later(2 * HOUR) })).toMatchObject({ referenced: 0, deleted: referenced.length });
    expect(await allBlobs(artifacts)).toEqual([]);
    await store.close();
    await artifacts.close?.();
  }, 120_000);

  it("keeps an old blob a run writes again (its age starts over)", async () => {
    const artifacts = adapter.open();
    const bytes = Buffer.from("the same chart, written by a new run");
    const sha256 = await artifacts.put(bytes);
    const raw = SqliteStore.open(":memory:");
    if (adapter.age) {
      await adapter.age(artifacts, sha256, 3 * HOUR);
      expect((await collectGarbage(raw, artifacts, { dryRun: true })).deleted).toBe(1);
      await artifacts.put(bytes);
      expect(await collectGarbage(raw, artifacts)).toMatchObject({ young: 1, deleted: 0 });
    } else {
      // S3 keeps LastModified to the second: wait past it, write again, see it move.
      const first = await artifacts.writtenAt?.(sha256);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      await artifacts.put(bytes);
      const second = await artifacts.writtenAt?.(sha256);
      expect(second?.getTime()).toBeGreaterThan(first?.getTime() ?? Infinity);
      expect(await collectGarbage(raw, artifacts)).toMatchObject({ young: 1, deleted: 0 });
    }
    expect(await artifacts.get(sha256)).toEqual(bytes);
    await raw.close();
    await artifacts.close?.();
  });
});
