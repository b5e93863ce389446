import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { schemas } from "../../src/api/index.js";
import { runDetail } from "../../src/api/run-view.js";
import { FilesystemArtifactStore, sha256Hex, withArtifactStore } from "../../src/artifacts/index.js";
import type { Artifact, Plan } from "../../src/core/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { bearer, makeApi, seedSucceeded, testRunId, token, type TestApi } from "../api/harness.js";
import { scratchDir } from "../support/scratch.js";

let t: TestApi | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

describe("the API's artifact routes on a store whose artifacts are in the artifact store", () => {
  it("shows, lists and downloads them as before, byte for byte", async () => {
    const blobs = new FilesystemArtifactStore(join(scratchDir(), "blobs"));
    t = await makeApi({}, withArtifactStore(SqliteStore.open(":memory:"), blobs));
    const auth = bearer(await token({ tenant: "acme", scope: "tasks:read tasks:write" }));
    const id = testRunId(7);
    const markdown = `# 季度报告\n\n${"| 收入 | 1,234,567 |\n".repeat(200)}`;
    const workbook = Buffer.from(Array.from({ length: 5_000 }, (_, i) => (i * 13) % 256));
    const xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    await seedSucceeded(t.store, id, "acme", [
      { name: "report.md", mediaType: "text/markdown", content: markdown },
      { name: "report.xlsx", mediaType: xlsx, content: workbook.toString("base64"), encoding: "base64" },
    ]);
    expect(await t.store.storageBytes(id)).toBeLessThan(2_000);
    expect(await blobs.has(sha256Hex(workbook))).toBe(true);

    const run = schemas.RunDetailSchema.parse((await t.api.app.inject({ method: "GET", url: `/v1/tasks/${id}`, headers: auth })).json());
    expect(run.artifacts.map((a) => [a.name, a.bytes])).toEqual([
      ["report.md", Buffer.byteLength(markdown)],
      ["report.xlsx", workbook.length],
    ]);
    const md = await t.api.app.inject({ method: "GET", url: run.artifacts[0]?.href ?? "", headers: auth });
    expect(md.statusCode).toBe(200);
    expect(md.body).toBe(markdown);
    const file = await t.api.app.inject({ method: "GET", url: run.artifacts[1]?.href ?? "", headers: auth });
    expect(sha256Hex(file.rawPayload)).toBe(sha256Hex(workbook));
    const list = await t.api.app.inject({ method: "GET", url: "/v1/tasks?status=succeeded", headers: auth });
    expect(list.json().items.map((r: { id: string }) => r.id)).toEqual([id]);
  });
});

describe("a run's page on a store whose large values are in the artifact store", () => {
  /** The filesystem store, counting the blobs read. */
  class CountingBlobs extends FilesystemArtifactStore {
    reads = 0;
    override async get(sha256: string): Promise<Buffer> {
      this.reads++;
      return super.get(sha256);
    }
  }
  const big = (label: string) => ({ label, rows: Array.from({ length: 60 }, (_, i) => ({ line: `${label} ${i}`, amount: i * 1_000 })) });
  const plan: Plan = {
    source: "test",
    language: "en",
    params: {},
    subtasks: [
      { id: "collect", title: "Collect", agent: "data", instructions: "", dependsOn: [], tool: "t", input: {} },
      { id: "write", title: "Write", agent: "writer", instructions: "", dependsOn: ["collect"], tool: "t", input: {} },
    ],
  };

  it("shows exactly what the run read whole shows, reading no artifact content and no tool call's values", async () => {
    const blobs = new CountingBlobs(join(scratchDir(), "blobs"));
    t = await makeApi({}, withArtifactStore(SqliteStore.open(":memory:"), blobs));
    const auth = bearer(await token({ tenant: "acme", scope: "tasks:read tasks:write" }));
    const runId = testRunId(8);
    const artifacts: Artifact[] = [
      { name: "report.md", mediaType: "text/markdown", content: `# 季度报告\n\n${"| 收入 | 1,234,567 |\n".repeat(300)}` },
      { name: "report.xlsx", mediaType: "application/octet-stream", content: Buffer.alloc(9_000, 7).toString("base64"), encoding: "base64" },
    ];
    const store = t.store;
    await store.submitAudited({ description: "report", tenant: "acme" }, { runId, requestHash: "h", submittedBy: "alice" }, { action: "task.submitted", actor: "alice", tenant: "acme" });
    const [lease] = await store.claim({ workerId: "seed", leaseMs: 60_000, limit: 1, maxCrashes: 3, runId });
    if (!lease) throw new Error("not claimed");
    const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms));
    await store.record(lease, { runId, key: "plan", kind: "plan", status: "succeeded", output: plan, startedAt: at(0), finishedAt: at(1) });
    await store.record(lease, { runId, key: "subtask/collect/call/0", kind: "tool_call", status: "succeeded", input: big("query"), output: big("ledger"), attempts: 0, startedAt: at(2), finishedAt: at(3) });
    await store.record(lease, { runId, key: "subtask/collect/done", kind: "subtask", status: "succeeded", output: { output: big("figures"), artifacts: [] }, startedAt: at(4), finishedAt: at(5) });
    await store.record(lease, { runId, key: "subtask/write/call/0", kind: "tool_call", status: "succeeded", input: big("draft"), output: { markdown: artifacts[0]?.content }, attempts: 0, startedAt: at(6), finishedAt: at(7) });
    await store.record(lease, { runId, key: "subtask/write/done", kind: "subtask", status: "succeeded", output: { output: big("summary"), artifacts }, startedAt: at(8), finishedAt: at(9) });
    await store.transition(lease, { status: "succeeded", plan, result: { subtasks: {}, artifacts, output: big("report") } });
    expect(await store.storageBytes(runId)).toBeLessThan(4_000);

    // The page as it was made before, from the run and its journal read whole.
    const whole = runDetail((await store.get(runId)) ?? expect.fail("no run"), await store.load(runId), { links: await store.forkLinks(runId) });
    blobs.reads = 0;
    const res = await t.api.app.inject({ method: "GET", url: `/v1/tasks/${runId}`, headers: auth });
    expect(res.statusCode).toBe(200);
    expect(schemas.RunDetailSchema.parse(res.json())).toEqual(JSON.parse(JSON.stringify(whole)));
    expect(res.json().subtasks.map((s: { output: { label: string } }) => s.output.label)).toEqual(["figures", "summary"]);
    // Read: the result's output and the two subtasks' outputs; never the artifacts' content nor
    // the calls' inputs and outputs.
    expect(blobs.reads).toBe(3);
    blobs.reads = 0;
    await store.get(runId);
    await store.load(runId);
    expect(blobs.reads).toBeGreaterThan(8);
  });

  it("shows open questions and timers whose values are in the artifact store", async () => {
    t = await makeApi({}, withArtifactStore(SqliteStore.open(":memory:"), new FilesystemArtifactStore(join(scratchDir(), "blobs"))));
    const auth = bearer(await token({ tenant: "acme", scope: "tasks:read tasks:write" }));
    const store = t.store;
    const schema = { type: "object", properties: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`field${i}`, { type: "string", description: `the value of field ${i}` }])) };
    const ids: readonly [string, string] = [testRunId(1), testRunId(2)];
    for (const runId of ids) {
      await store.submitAudited({ description: "ask", tenant: "acme" }, { runId, requestHash: "h", submittedBy: "alice" }, { action: "task.submitted", actor: "alice", tenant: "acme" });
      const [lease] = await store.claim({ workerId: "seed", leaseMs: 60_000, limit: 1, maxCrashes: 3, runId });
      if (!lease) throw new Error("not claimed");
      if (runId === ids[0]) {
        await store.record(lease, { runId, key: "subtask/ask/input/0", kind: "input", status: "started", input: { tool: "form", question: "Fill in the form", schema }, startedAt: new Date() });
        await store.sleep(lease, null, "waiting_input");
      } else {
        const wakeAt = new Date(Date.now() + 3_600_000);
        await store.record(lease, { runId, key: "subtask/nap/sleep/0", kind: "sleep", status: "started", input: big("why"), output: { wakeAt: wakeAt.toISOString(), note: big("note") }, startedAt: new Date() });
        await store.sleep(lease, wakeAt);
      }
    }
    const [asking, sleeping] = await Promise.all(ids.map(async (id) => (await t?.api.app.inject({ method: "GET", url: `/v1/tasks/${id}`, headers: auth }))?.json()));
    expect(asking.questions).toEqual([{ step: "subtask/ask/input/0", question: "Fill in the form", schema }]);
    for (const [id, page] of [[ids[0], asking], [ids[1], sleeping]] as const satisfies readonly (readonly [string, unknown])[]) {
      const whole = runDetail((await store.get(id)) ?? expect.fail("no run"), await store.load(id), { links: await store.forkLinks(id) });
      expect(page).toEqual(JSON.parse(JSON.stringify(whole)));
    }
    expect(sleeping.wakeAt).toEqual(expect.any(String));
  });
});
