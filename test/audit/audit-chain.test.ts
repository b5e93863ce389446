import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readAuditLog, readCheckpoints, signCheckpoint, verifyAuditChain, writeCheckpoint } from "../../src/audit/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { runCli } from "../cli/spawn-cli.js";

const { privateKey, publicKey } = generateKeyPairSync("ed25519");
let dir: string;
let dbPath: string;
let store: SqliteStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "cs-agents-audit-"));
  dbPath = join(dir, "db.sqlite");
  store = SqliteStore.open(dbPath);
  for (let i = 1; i <= 10; i++) await store.appendAudit({ action: `action.${i}`, actor: "alice", tenant: "acme", details: { n: i } });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Changes the file as an attacker with database access would: the append-only triggers go first. */
function tamper(sql: string): void {
  const db = new Database(dbPath);
  db.exec("DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;");
  db.exec(sql);
  db.close();
}

async function verdict(checkpoints = readCheckpoints(join(dir, "checkpoints"), publicKey)) {
  return verifyAuditChain(readAuditLog(store, 3), checkpoints);
}

describe("audit chain", () => {
  it("verifies an intact log", async () => {
    expect(await verdict()).toMatchObject({ ok: true, entries: 10, head: { seq: 10 } });
  });

  it("refuses UPDATE and DELETE through SQL (append-only)", () => {
    const db = new Database(dbPath);
    expect(() => db.exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")).toThrow(/append-only/);
    expect(() => db.exec("DELETE FROM audit_log WHERE seq = 3")).toThrow(/append-only/);
    db.close();
  });

  it("names a modified entry", async () => {
    tamper(`UPDATE audit_log SET details = '{"n":999}' WHERE seq = 4`);
    expect(await verdict()).toMatchObject({ ok: false, seq: 4, reason: expect.stringContaining("modified") });
  });

  it("names a deleted entry", async () => {
    tamper("DELETE FROM audit_log WHERE seq = 6");
    expect(await verdict()).toMatchObject({ ok: false, seq: 6, reason: expect.stringContaining("missing") });
  });

  it("names an inserted entry", async () => {
    tamper(`UPDATE audit_log SET seq = seq + 100 WHERE seq >= 5; UPDATE audit_log SET seq = seq - 99 WHERE seq >= 105;
            INSERT INTO audit_log (seq, at, tenant, actor, action, target, details, prev_hash, hash)
            SELECT 5, at, tenant, 'mallory', 'forged', NULL, '{}', hash, hash FROM audit_log WHERE seq = 4`);
    expect(await verdict()).toMatchObject({ ok: false, seq: 5 });
  });

  it("names reordered entries", async () => {
    tamper("UPDATE audit_log SET seq = 1000 WHERE seq = 7; UPDATE audit_log SET seq = 7 WHERE seq = 8; UPDATE audit_log SET seq = 8 WHERE seq = 1000;");
    expect(await verdict()).toMatchObject({ ok: false, seq: 7 });
  });

  it("catches a truncated tail with a signed checkpoint", async () => {
    const head = await store.auditHead();
    if (!head) throw new Error("empty");
    writeCheckpoint(join(dir, "checkpoints"), signCheckpoint(head, privateKey));
    tamper("DELETE FROM audit_log WHERE seq > 7");
    expect(await verdict([])).toMatchObject({ ok: true, entries: 7 });
    expect(await verdict()).toMatchObject({ ok: false, seq: 8, reason: expect.stringContaining("truncated") });
  });

  it("catches a consistently rewritten chain with a signed checkpoint", async () => {
    const head = await store.auditHead();
    if (!head) throw new Error("empty");
    writeCheckpoint(join(dir, "checkpoints"), signCheckpoint(head, privateKey));
    // Rewrite everything, recomputing every hash: the chain alone looks intact.
    tamper("DELETE FROM audit_log");
    await store.close();
    store = SqliteStore.open(dbPath);
    for (let i = 1; i <= 10; i++) await store.appendAudit({ action: `action.${i}`, actor: i === 2 ? "mallory" : "alice", tenant: "acme", details: { n: i } });
    expect(await verdict([])).toMatchObject({ ok: true });
    expect(await verdict()).toMatchObject({ ok: false, seq: 10, reason: expect.stringContaining("rewritten") });
  });

  it("never overwrites a checkpoint file: a second one with the same head and time is refused", async () => {
    const head = (await store.auditHead())!;
    const at = new Date("2026-12-06T21:00:00Z");
    const path = writeCheckpoint(join(dir, "checkpoints"), signCheckpoint(head, privateKey, at));
    const before = readFileSync(path, "utf8");
    expect(() => writeCheckpoint(join(dir, "checkpoints"), signCheckpoint({ seq: head.seq, hash: "0".repeat(64) }, privateKey, at))).toThrow(/exists already/);
    expect(readFileSync(path, "utf8")).toBe(before);
    expect(readdirSync(join(dir, "checkpoints"))).toEqual([basename(path)]);
  });

  it("refuses a forged or altered checkpoint file", async () => {
    const head = await store.auditHead();
    if (!head) throw new Error("empty");
    const path = writeCheckpoint(join(dir, "checkpoints"), signCheckpoint(head, privateKey));
    writeFileSync(path, JSON.stringify({ ...signCheckpoint(head, privateKey), seq: 3 }));
    expect(() => readCheckpoints(join(dir, "checkpoints"), publicKey)).toThrow(/not signed by the configured key/);
  });
});

describe("cs-agents audit (CLI)", () => {
  it("checkpoints, verifies, and names the first broken entry with exit 1", async () => {
    const keyFile = join(dir, "audit-key.pem");
    writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }));
    const env = { DATABASE_URL: dbPath, CS_AGENTS_AUDIT_SIGNING_KEY_FILE: keyFile, CS_AGENTS_AUDIT_CHECKPOINT_DIR: join(dir, "cps") };
    const checkpoint = await runCli(["audit", "checkpoint"], { cwd: dir, env });
    expect(checkpoint).toMatchObject({ code: 0 });
    expect(checkpoint.stdout).toMatch(/signed entry 10/);
    expect(readdirSync(join(dir, "cps"))).toHaveLength(1);
    const ok = await runCli(["audit", "verify"], { cwd: dir, env });
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.stdout).toMatch(/intact: 10 entries.*1 signed checkpoint/);
    tamper("DELETE FROM audit_log WHERE seq >= 9");
    const broken = await runCli(["audit", "verify"], { cwd: dir, env });
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN at entry 9: .*truncated/);
    const noKey = await runCli(["audit", "checkpoint"], { cwd: dir, env: { DATABASE_URL: dbPath } });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/CS_AGENTS_AUDIT_SIGNING_KEY_FILE/);
  });
});
