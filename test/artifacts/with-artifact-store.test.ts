import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FilesystemArtifactStore, holdsBlobRef, packValue, sha256Hex, unpackValue, withArtifactStore } from "../../src/artifacts/index.js";
import type { Artifact, RunResult, Step } from "../../src/core/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { scratchDir } from "../support/scratch.js";

const chart = `<svg xmlns="http://www.w3.org/2000/svg">${"<rect width='1' height='2'/>".repeat(200)}</svg>`;
const workbook = Buffer.from(Array.from({ length: 3_000 }, (_, i) => (i * 31) % 256));
const artifacts: Artifact[] = [
  { name: "charts/margins.svg", mediaType: "image/svg+xml", content: chart },
  { name: "report.xlsx", mediaType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", content: workbook.toString("base64"), encoding: "base64" },
  { name: "note.txt", mediaType: "text/plain", content: "short" },
];

describe("withArtifactStore", () => {
  it("keeps references in the rows, gives whole values back, and stores each file once as its own bytes", async () => {
    const blobs = new FilesystemArtifactStore(join(scratchDir(), "blobs"));
    const store = withArtifactStore(SqliteStore.open(":memory:"), blobs);
    await store.submit({ description: "report" }, { runId: "r1" });
    const [lease] = await store.claim({ workerId: "w", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
    if (!lease) throw new Error("no lease");
    const rows = Array.from({ length: 300 }, (_, i) => ({ account: `6001-${i}`, amount: i * 100 }));
    const call: Step = { runId: "r1", key: "subtask/a/call/0", kind: "tool_call", status: "succeeded", input: { rows }, output: { charts: [{ svg: chart }] }, startedAt: new Date(1), finishedAt: new Date(2) };
    const done: Step = { runId: "r1", key: "subtask/a/done", kind: "subtask", status: "succeeded", output: { output: { ok: true }, artifacts }, startedAt: new Date(2), finishedAt: new Date(3) };
    await store.recordAll(lease, [call, done]);
    const result: RunResult = { subtasks: { a: { subtaskId: "a", output: { ok: true }, artifacts } }, artifacts, output: { ok: true } };
    await store.transition(lease, { status: "succeeded", result });

    expect(await store.load("r1")).toEqual([call, done]);
    expect((await store.get("r1"))?.result).toEqual(result);
    // The database holds references only: a few hundred bytes for all of it.
    expect(await store.storageBytes("r1")).toBeLessThan(3_000);
    // The chart is one blob, whether a tool's output, a step's artifact or the run's result holds it.
    expect(await blobs.has(sha256Hex(Buffer.from(chart)))).toBe(true);
    expect(await blobs.has(sha256Hex(workbook))).toBe(true);
    // A listing leaves the stored result out (nothing read); get gives it.
    const [listed] = await store.list();
    expect(listed).toMatchObject({ id: "r1", status: "succeeded" });
    expect(listed?.result).toBeUndefined();
    await store.close();
  });

  it("packs a packed value to itself, and leaves small values and non-canonical base64 alone", async () => {
    const blobs = new FilesystemArtifactStore(join(scratchDir(), "blobs"));
    const value = { small: "x", list: [1, 2, 3], artifacts };
    const packed = await packValue(value, blobs);
    expect(holdsBlobRef(packed)).toBe(true);
    expect(await packValue(packed, blobs)).toEqual(packed);
    expect((packed as { small: string; list: number[] }).small).toBe("x");
    expect(await unpackValue(packed, blobs)).toEqual(value);
    const odd: Artifact = { name: "x.bin", mediaType: "application/octet-stream", content: "not base64!", encoding: "base64" };
    expect(await unpackValue(await packValue(odd, blobs), blobs)).toEqual(odd);
  });
});
