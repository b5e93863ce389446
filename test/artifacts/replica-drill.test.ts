import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openStoreWithArtifacts, sha256Hex, type ArtifactStore } from "../../src/artifacts/index.js";
import { loadConfig } from "../../src/config.js";
import { artifactBytes, newRunId, type Run } from "../../src/core/index.js";
import { Worker } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { runCli } from "../cli/spawn-cli.js";
import { scratchDir } from "../support/scratch.js";
import { startS3Server, type S3Server } from "../support/s3-server.js";

// Two zones, each an S3-protocol server of its own (s3rver) with one bucket.
const zoneA = await startS3Server(["reports-zone-a"]);
const zoneB = await startS3Server(["reports-zone-b"]);
let rebuiltA: S3Server | undefined;
afterAll(async () => {
  await Promise.all([zoneA.close(), zoneB.close(), rebuiltA?.close()]);
});

const bucketA = (server: S3Server) => `s3://reports-zone-a/cs-agents?endpoint=${server.endpoint}`;
const BUCKET_B = `s3://reports-zone-b/cs-agents?endpoint=${zoneB.endpoint}`;
const AWS_ENV = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER" };

function hashes(run: Run | undefined): Record<string, string> {
  return Object.fromEntries((run?.result?.artifacts ?? []).map((a) => [a.name, sha256Hex(artifactBytes(a))]));
}

async function blobs(store: ArtifactStore): Promise<string[]> {
  const all: string[] = [];
  for await (const sha256 of store.list()) all.push(sha256);
  return all.sort();
}

/** The run as a process configured with these settings reads it. */
async function readRun(settings: Record<string, string>, runId: string): Promise<{ run: Run | undefined; blobs: string[] }> {
  const { store, artifacts } = await openStoreWithArtifacts(loadConfig({ CS_AGENTS_AUTH: "off", ...settings }));
  try {
    return { run: await store.get(runId), blobs: artifacts ? await blobs(artifacts) : [] };
  } finally {
    await store.close();
  }
}

describe("drill: the primary artifact bucket is lost, the replica in the other zone serves", () => {
  it("writes every blob to both zones, serves every report from the replica after zone A is gone, and refills a rebuilt zone A with artifacts sync", async () => {
    const DATABASE_URL = join(scratchDir(), "runs.db");
    const replicated = { DATABASE_URL, CS_AGENTS_ARTIFACTS_URL: bucketA(zoneA), CS_AGENTS_ARTIFACTS_REPLICA_URL: BUCKET_B };

    // Two quarterly reports, written while both zones are up.
    const { store, artifacts } = await openStoreWithArtifacts(loadConfig({ CS_AGENTS_AUTH: "off", ...replicated }));
    const worker = new Worker({ store, engine: createRuntime().engine, workerId: "zone-a" });
    const q3 = newRunId();
    const q2 = newRunId();
    for (const runId of [q3, q2]) {
      const task = { description: runId === q3 ? "生成2024年第三季度财务报告" : "生成2024年第二季度财务报告" };
      expect(await (await worker.submitAndRun(task, { runId })).end).toMatchObject({ kind: "finished", outcome: { status: "succeeded" } });
    }
    const expected = { q3: hashes(await store.get(q3)), q2: hashes(await store.get(q2)) };
    const inZoneA = await blobs(artifacts!);
    await store.close();
    expect(Object.keys(expected.q3)).toHaveLength(6);
    const onlyB = await readRun({ DATABASE_URL, CS_AGENTS_ARTIFACTS_URL: BUCKET_B }, q3);
    expect(onlyB.blobs).toEqual(inZoneA);

    // Zone A is lost: its server stops and its disk is gone.
    await zoneA.close();
    rmSync(zoneA.directory, { recursive: true, force: true });

    // Still configured with both: reads fall back to the replica.
    expect(hashes((await readRun(replicated, q3)).run)).toEqual(expected.q3);
    // Failed over to zone B alone: every report, every file, byte for byte.
    const failedOver = { DATABASE_URL, CS_AGENTS_ARTIFACTS_URL: BUCKET_B };
    expect(hashes((await readRun(failedOver, q3)).run)).toEqual(expected.q3);
    expect(hashes((await readRun(failedOver, q2)).run)).toEqual(expected.q2);
    // And the CLI writes the files from the replica.
    const dir = scratchDir();
    const exported = await runCli(["artifacts", q3, "--out", "q3", "--json"], { cwd: dir, env: { ...AWS_ENV, ...failedOver } });
    expect(exported.code, exported.stderr).toBe(0);
    expect((JSON.parse(exported.stdout) as { files: string[] }).files).toHaveLength(6);

    // Zone A is rebuilt empty and refilled from zone B; then it serves alone again.
    rebuiltA = await startS3Server(["reports-zone-a"]);
    const sync = await runCli(["artifacts", "sync", BUCKET_B, bucketA(rebuiltA), "--json"], { cwd: dir, env: AWS_ENV });
    expect(sync.code, sync.stderr).toBe(0);
    expect(JSON.parse(sync.stdout)).toEqual({ checked: inZoneA.length, copied: inZoneA.length });
    const back = await readRun({ DATABASE_URL, CS_AGENTS_ARTIFACTS_URL: bucketA(rebuiltA) }, q2);
    expect(back.blobs).toEqual(inZoneA);
    expect(hashes(back.run)).toEqual(expected.q2);
    // Two report runs through two S3 servers on a shared machine: well past the default 30 s.
  }, 180_000);
});
