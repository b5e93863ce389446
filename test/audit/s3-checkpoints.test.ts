import { generateKeyPairSync } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { checkpointStoreAt, signCheckpoint } from "../../src/audit/index.js";
import { withCheckpoints } from "../../src/cli/commands/serve.js";
import { loadConfig } from "../../src/config.js";
import { bearer, makeApi, token } from "../api/harness.js";
import { SqliteStore } from "../../src/store/index.js";
import { runCli, scratchDir } from "../cli/spawn-cli.js";
import { startS3Server } from "../support/s3-server.js";

const s3 = await startS3Server(["audit-checkpoints"]);
const client = new S3Client({ region: "us-east-1", endpoint: s3.endpoint, forcePathStyle: true });
afterAll(async () => {
  client.destroy();
  await s3.close();
});

const { privateKey, publicKey } = generateKeyPairSync("ed25519");
// The SDK's own switch for its notice that releases after January 2027 need Node 22 (this
// machine runs Node 20; the image runs 24): without it every command's stderr carries it.
const AWS_ENV = { AWS_ACCESS_KEY_ID: "S3RVER", AWS_SECRET_ACCESS_KEY: "S3RVER", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" };

/** A bucket prefix of its own for each test. */
const bucketUrl = (prefix: string) => `s3://audit-checkpoints/${prefix}?endpoint=${s3.endpoint}`;

async function keysUnder(prefix: string): Promise<string[]> {
  const page = await client.send(new ListObjectsV2Command({ Bucket: "audit-checkpoints", Prefix: `${prefix}/` }));
  return (page.Contents ?? []).map((o) => o.Key ?? "").sort();
}

/** A SQLite database with `entries` audit entries, and the environment of a CLI run against it. */
async function auditedDatabase(entries: number): Promise<{ dir: string; dbPath: string; env: Record<string, string> }> {
  const dir = scratchDir("cs-agents-s3-audit-");
  const dbPath = join(dir, "db.sqlite");
  const store = SqliteStore.open(dbPath);
  for (let i = 1; i <= entries; i++) await store.appendAudit({ action: `action.${i}`, actor: "alice", tenant: "acme", details: { n: i } });
  await store.close();
  const keyFile = join(dir, "audit-key.pem");
  writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
  return { dir, dbPath, env: { ...AWS_ENV, DATABASE_URL: dbPath, CS_AGENTS_AUDIT_SIGNING_KEY_FILE: keyFile } };
}

describe("audit checkpoints in object storage (s3rver)", () => {
  it("writes each checkpoint to an object of its own, keyed by head and time, and verify reads them back from the bucket", async () => {
    const { dir, dbPath, env } = await auditedDatabase(3);
    const to = bucketUrl("prod");
    const first = await runCli(["audit", "checkpoint", "--to", to, "--json"], { cwd: dir, env });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ seq: 3, path: expect.stringMatching(/^s3:\/\/audit-checkpoints\/prod\/checkpoint-000000000003-\d{4}-\d{2}-\d{2}T\d{9}Z\.json$/) });

    const store = SqliteStore.open(dbPath);
    await store.appendAudit({ action: "action.4", actor: "alice", tenant: "acme", details: {} });
    await store.close();
    // The bucket from the setting this time, as the CronJob gives it.
    const second = await runCli(["audit", "checkpoint"], { cwd: dir, env: { ...env, CS_AGENTS_AUDIT_CHECKPOINT_URL: to } });
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/signed entry 4 .* → s3:\/\/audit-checkpoints\/prod\/checkpoint-000000000004-/);

    const keys = await keysUnder("prod");
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(/^prod\/checkpoint-000000000003-/);
    expect(keys[1]).toMatch(/^prod\/checkpoint-000000000004-/);
    const body = await client.send(new GetObjectCommand({ Bucket: "audit-checkpoints", Key: keys[1] }));
    expect(JSON.parse(await body.Body!.transformToString())).toMatchObject({ version: 1, seq: 4 });

    const verified = await runCli(["audit", "verify", "--from", to], { cwd: dir, env });
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/intact: 4 entries.*2 signed checkpoint/);
  });

  it("catches a truncated log against a checkpoint in the bucket, with exit 1", async () => {
    const { dir, dbPath, env } = await auditedDatabase(5);
    const bucketEnv = { ...env, CS_AGENTS_AUDIT_CHECKPOINT_URL: bucketUrl("truncated") };
    expect((await runCli(["audit", "checkpoint"], { cwd: dir, env: bucketEnv })).code).toBe(0);
    // An attacker with database access drops the append-only triggers and the tail.
    const db = new Database(dbPath);
    db.exec("DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; DELETE FROM audit_log WHERE seq >= 4;");
    db.close();
    const broken = await runCli(["audit", "verify"], { cwd: dir, env: bucketEnv });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN at entry 4: .*truncated/);
  });

  it("names an object in the bucket that is not signed by the key, and fails", async () => {
    const { dir, env } = await auditedDatabase(2);
    const from = bucketUrl("forged");
    const forged = { ...signCheckpoint({ seq: 2, hash: "0".repeat(64) }, privateKey), hash: "f".repeat(64) };
    await client.send(new PutObjectCommand({ Bucket: "audit-checkpoints", Key: "forged/checkpoint-000000000002-2026-12-06T000000000Z.json", Body: JSON.stringify(forged) }));
    const verdict = await runCli(["audit", "verify", "--from", from], { cwd: dir, env });
    expect(verdict.code).toBe(1);
    expect(verdict.stderr).toMatch(/s3:\/\/audit-checkpoints\/forged\/checkpoint-000000000002-2026-12-06T000000000Z\.json is not signed by the configured key/);
  });

  it("never overwrites a checkpoint already in the bucket", async () => {
    const store = checkpointStoreAt(bucketUrl("once"));
    try {
      const checkpoint = signCheckpoint({ seq: 7, hash: "a".repeat(64) }, privateKey, new Date("2026-12-06T21:00:00Z"));
      const url = await store.write(checkpoint);
      expect(url).toBe("s3://audit-checkpoints/once/checkpoint-000000000007-2026-12-06T210000000Z.json");
      const other = signCheckpoint({ seq: 7, hash: "b".repeat(64) }, privateKey, new Date("2026-12-06T21:00:00Z"));
      await expect(store.write(other)).rejects.toMatchObject({ code: "AUDIT_CHECKPOINT_EXISTS" });
      expect(await store.read(publicKey)).toEqual([checkpoint]);
    } finally {
      await store.close();
    }
  });

  it("refuses a bad URL or a missing bucket with a one-line reason, writing nothing", async () => {
    const { dir, env } = await auditedDatabase(1);
    const badUrl = await runCli(["audit", "checkpoint", "--to", "s3://Bad_Bucket/x"], { cwd: dir, env });
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/audit checkpoint URL "s3:\/\/Bad_Bucket\/x" is not usable: the bucket name/);
    const both = await runCli(["audit", "checkpoint", "--to", bucketUrl("x"), "--dir", dir], { cwd: dir, env });
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--to and --dir both name/);
    const missing = await runCli(["audit", "checkpoint", "--to", `s3://no-such-bucket/x?endpoint=${s3.endpoint}`], { cwd: dir, env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/bucket no-such-bucket does not exist/);
    const badSetting = await runCli(["audit", "checkpoint"], { cwd: dir, env: { ...env, CS_AGENTS_AUDIT_CHECKPOINT_URL: "http://not-s3" } });
    expect(badSetting.code).not.toBe(0);
    expect(badSetting.stderr).toMatch(/CS_AGENTS_AUDIT_CHECKPOINT_URL/);
  });

  it("serves GET /v1/audit/verification against the checkpoints in the bucket CS_AGENTS_AUDIT_CHECKPOINT_URL names", async () => {
    const { env } = await auditedDatabase(0);
    const url = bucketUrl("served");
    const config = loadConfig({ CS_AGENTS_AUTH: "off", CS_AGENTS_AUDIT_CHECKPOINT_URL: url, CS_AGENTS_AUDIT_SIGNING_KEY_FILE: env.CS_AGENTS_AUDIT_SIGNING_KEY_FILE ?? "" });
    const api = await makeApi({}, undefined, withCheckpoints(config));
    try {
      for (let i = 1; i <= 3; i++) await api.store.appendAudit({ action: `action.${i}`, actor: "alice", tenant: "acme", details: { n: i } });
      const head = (await api.store.auditHead())!;
      const bucket = checkpointStoreAt(url);
      await bucket.write(signCheckpoint(head, privateKey));
      await bucket.close();
      const res = await api.api.app.inject({ method: "GET", url: "/v1/audit/verification", headers: bearer(await token()) });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ ok: true, entries: 3, checkpoints: 1, lastCheckpoint: { seq: 3 } });
    } finally {
      await api.close();
    }
  });
});
