import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { newRunId } from "../../src/core/index.js";
import { verifyAuditChain } from "../../src/audit/verify-chain.js";
import { SqliteStore } from "../../src/store/index.js";
import { SQLITE_MIGRATIONS } from "../../src/store/sqlite/migrations.js";
import { prepareActiveRuns } from "../../src/store/sqlite/sqlite-service.js";
import { prepareStatements } from "../../src/store/sqlite/statements.js";
import { describeStoreContract } from "./store-contract.js";
import { describeScheduleContract } from "./schedule-contract.js";

const root = mkdtempSync(join(tmpdir(), "cs-agents-sqlite-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A path in a directory that does not exist yet: the store creates it. */
function freshPath(): string {
  return join(root, randomUUID(), "nested", "cs-agents.db");
}

/** A new file migrated up to `version` only, as an older release left it; the caller closes `db`. */
async function databaseAtVersion(version: number): Promise<{ path: string; db: Database.Database }> {
  const path = freshPath();
  await SqliteStore.open(path, { migrate: false }).close();
  const db = new Database(path);
  db.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT");
  for (const m of SQLITE_MIGRATIONS.filter((m) => m.version <= version)) {
    db.exec(m.sql);
    db.prepare("INSERT INTO schema_migrations VALUES (?, ?, ?)").run(m.version, m.name, 0);
  }
  return { path, db };
}

describeStoreContract("SqliteStore", async () => {
  const path = freshPath();
  const store = SqliteStore.open(path);
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(join(path, "..", ".."), { recursive: true, force: true });
    },
  };
});

describeScheduleContract("SqliteStore", async () => {
  const path = freshPath();
  const stores = [SqliteStore.open(path), SqliteStore.open(path)] as const;
  return {
    stores,
    cleanup: async () => {
      await Promise.all(stores.map((s) => s.close()));
      rmSync(join(path, "..", ".."), { recursive: true, force: true });
    },
  };
});

describe("SqliteStore", () => {
  it("creates the file in a missing directory, in WAL mode", async () => {
    const path = freshPath();
    const store = SqliteStore.open(path, { synchronous: "FULL" });
    await store.close();
    expect(existsSync(path)).toBe(true);
    const db = new Database(path, { readonly: true });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });

  it("works in memory", async () => {
    const store = SqliteStore.open(":memory:");
    await store.submit({ description: "x" }, { runId: "run-001" });
    expect((await store.get("run-001"))?.status).toBe("queued");
    await store.close();
  });

  it("opened without migrating, says how to migrate, then migrates", async () => {
    const store = SqliteStore.open(freshPath(), { migrate: false });
    await expect(store.get("run-001")).rejects.toMatchObject({ code: "STORE_CONFIG", message: expect.stringContaining("cs-agents migrate") });
    expect(await store.migrate()).toEqual(SQLITE_MIGRATIONS.map((m) => m.version).sort((a, b) => a - b));
    expect(await store.migrate()).toEqual([]);
    expect(await store.get("run-001")).toBeUndefined();
    await store.close();
  });

  it("keeps every run, its steps and its events when migration 11 rebuilds runs for the sleeping status", async () => {
    const { path, db } = await databaseAtVersion(10);
    db.prepare("INSERT INTO runs (id, task, status, schema_version, created_at, updated_at, lease_epoch, quarantined) VALUES ('run-001', '{\"description\":\"x\"}', 'waiting_approval', 1, 5, 6, 2, 1)").run();
    db.prepare("INSERT INTO steps (run_id, key, seq, kind, status, started_at, epoch) VALUES ('run-001', 'plan', 1, 'plan', 'succeeded', 0, 1)").run();
    db.prepare("INSERT INTO run_events (run_id, id, key, type, data) VALUES ('run-001', 1, 'run/1', 'run.queued', '{}')").run();
    db.close();

    const store = SqliteStore.open(path);
    try {
      expect(await store.get("run-001")).toMatchObject({ status: "waiting_approval", createdAt: new Date(5) });
      expect((await store.load("run-001")).map((s) => s.key)).toEqual(["plan"]);
    } finally {
      await store.close();
    }
    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT count(*) AS n FROM run_events").get()).toEqual({ n: 1 });
    expect(check.prepare("SELECT lease_epoch, quarantined, wake_at FROM runs").get()).toEqual({ lease_epoch: 2, quarantined: 1, wake_at: null });
    check.close();
  });

  it("keeps a sleeping run with its wake time, its steps and events when migration 12 rebuilds runs for waiting_input; due runs are found through runs_waking", async () => {
    const { path, db } = await databaseAtVersion(11);
    db.prepare("INSERT INTO runs (id, task, status, schema_version, created_at, updated_at, lease_epoch, wake_at) VALUES ('run-001', '{\"description\":\"x\"}', 'sleeping', 1, 5, 6, 3, 777)").run();
    db.prepare("INSERT INTO steps (run_id, key, seq, kind, status, started_at, epoch) VALUES ('run-001', 'plan', 1, 'plan', 'succeeded', 0, 1)").run();
    db.prepare("INSERT INTO run_events (run_id, id, key, type, data) VALUES ('run-001', 1, 'run/1', 'run.queued', '{}')").run();
    db.close();

    const store = SqliteStore.open(path);
    try {
      expect(await store.get("run-001")).toMatchObject({ status: "sleeping", createdAt: new Date(5) });
      expect((await store.load("run-001")).map((s) => s.key)).toEqual(["plan"]);
      // Its timer (777 ms after the epoch) is long due: a claim wakes it.
      expect(await store.claim({ workerId: "w1", leaseMs: 60_000, limit: 1, maxCrashes: 3 })).toMatchObject([{ runId: "run-001", epoch: 4 }]);
    } finally {
      await store.close();
    }
    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT count(*) AS n FROM run_events").get()).toEqual({ n: 1 });
    // The claim's look for due runs, as migration 16 widened it for waiting_children.
    const plan = check.prepare("EXPLAIN QUERY PLAN SELECT id FROM runs WHERE status IN ('sleeping', 'waiting_input', 'waiting_children') AND wake_at <= 1 ORDER BY wake_at, id LIMIT 5").all() as { detail: string }[];
    expect(plan.map((row) => row.detail).join(" ")).toContain("runs_waking");
    check.close();
  });

  it("keeps runs with their priority, steps, webhook trigger and claim indexes when migration 16 rebuilds runs for child runs", async () => {
    const { path, db } = await databaseAtVersion(15);
    db.prepare("INSERT INTO runs (id, task, status, schema_version, created_at, updated_at, lease_epoch, priority) VALUES ('run-001', '{\"description\":\"x\",\"callbackUrl\":\"https://hooks.example.com/x\"}', 'queued', 1, 5, 6, 0, 8)").run();
    db.prepare("INSERT INTO steps (run_id, key, seq, kind, status, started_at, epoch) VALUES ('run-001', 'plan', 1, 'plan', 'succeeded', 0, 1)").run();
    db.close();

    const store = SqliteStore.open(path);
    try {
      expect((await store.get("run-001"))?.status).toBe("queued");
      expect((await store.load("run-001")).map((s) => s.key)).toEqual(["plan"]);
      const [lease] = await store.claim({ workerId: "w1", leaseMs: 60_000, limit: 1, maxCrashes: 3 });
      if (!lease) throw new Error("run-001 was not claimed");
      await store.transition(lease, { status: "succeeded", result: { subtasks: {}, artifacts: [], output: null } });
    } finally {
      await store.close();
    }
    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT priority FROM runs WHERE id = 'run-001'").get()).toEqual({ priority: 8 });
    // The webhook trigger of migration 13 is there again: the outcome's commit wrote the delivery.
    expect(check.prepare("SELECT id FROM webhook_deliveries").all()).toEqual([{ id: "run-001:final" }]);
    const indexes = (check.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runs' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(indexes).toEqual(["runs_active", "runs_created", "runs_forks", "runs_idempotency", "runs_leased", "runs_parent", "runs_quarantined", "runs_tenant_active", "runs_tenant_created", "runs_waiting", "runs_waking"]);
    const triggers = (check.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'runs' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(triggers).toEqual(["runs_cancelled_children", "runs_child_finished", "runs_finished_webhook"]);
    check.close();
  });

  it("keeps the order of a run's steps recorded before migration 3 when the run goes on after it", async () => {
    const { path, db } = await databaseAtVersion(2);
    // Version 2 numbered each run's steps 1, 2, …; another run's steps sit between them.
    const insertRun = db.prepare("INSERT INTO runs (id, task, status, schema_version, created_at, updated_at) VALUES (?, '{\"description\":\"x\"}', 'queued', 1, 0, 0)");
    const insertStep = db.prepare("INSERT INTO steps (run_id, key, seq, kind, status, started_at, epoch) VALUES (?, ?, ?, 'tool_call', 'succeeded', 0, 1)");
    insertRun.run("run-001");
    insertRun.run("run-002");
    for (const [run, key, seq] of [["run-001", "b", 1], ["run-002", "x", 1], ["run-002", "y", 2], ["run-002", "z", 3], ["run-001", "a", 2]] as const) insertStep.run(run, key, seq);
    db.close();

    const store = SqliteStore.open(path);
    try {
      const [lease] = await store.claim({ workerId: "w1", leaseMs: 60_000, limit: 1, maxCrashes: 3, runId: "run-001" });
      if (!lease) throw new Error("run-001 was not claimed");
      const step = (key: string) => ({ runId: "run-001", key, kind: "tool_call" as const, status: "succeeded" as const, startedAt: new Date(0) });
      await store.record(lease, step("c"));
      await store.recordAll(lease, [step("a"), step("0")]);
      expect((await store.load("run-001")).map((s) => s.key)).toEqual(["b", "a", "c", "0"]);
      expect((await store.load("run-002")).map((s) => s.key)).toEqual(["x", "y", "z"]);
    } finally {
      await store.close();
    }
    const check = new Database(path, { readonly: true });
    expect(check.prepare("SELECT name FROM sqlite_master WHERE name = 'steps_order'").all()).toEqual([]);
    check.close();
  });

  it("claims and counts the queue from the active runs only, in claim order, after migrating a version-3 file", async () => {
    const { path, db } = await databaseAtVersion(3);
    // A long history, older than everything queued: the old claim sorted every queued run and
    // the finished ones stayed in its index.
    const insertRun = db.prepare("INSERT INTO runs (id, task, status, schema_version, created_at, updated_at) VALUES (?, '{\"description\":\"x\"}', ?, 1, ?, 0)");
    for (let n = 0; n < 2_000; n++) insertRun.run(`old-${n}`, "succeeded", n);
    insertRun.run("run-003", "queued", 5_003);
    insertRun.run("run-001", "queued", 5_001);
    insertRun.run("run-002", "waiting_approval", 5_002);
    insertRun.run("run-004", "queued", 5_004);
    db.close();

    const store = SqliteStore.open(path);
    try {
      expect((await store.queueStats()).depth).toBe(3);
      expect((await store.claim({ workerId: "w1", leaseMs: 60_000, limit: 2, maxCrashes: 3 })).map((l) => l.runId)).toEqual(["run-001", "run-003"]);
      await store.submit({ description: "x" }, { runId: "run-005" });
      expect((await store.claim({ workerId: "w1", leaseMs: 60_000, limit: 5, maxCrashes: 3 })).map((l) => l.runId)).toEqual(["run-004", "run-005"]);
    } finally {
      await store.close();
    }
    const check = new Database(path);
    check.exec("ANALYZE");
    const statements = prepareStatements(check);
    const plan = (statement: unknown, ...params: unknown[]) =>
      check
        .prepare(`EXPLAIN QUERY PLAN ${(statement as Database.Statement).source}`)
        .all(...params)
        .map((row) => (row as { detail: string }).detail)
        .join("; ");
    // The claim reads the waiting and the leased runs only (migration 15), never the history.
    expect(plan(statements.firstWaitingTenant)).toBe("SCAN runs USING INDEX runs_waiting");
    expect(plan(statements.nextWaitingTenant, "")).toBe("SEARCH runs USING INDEX runs_waiting (tenant>?)");
    expect(plan(statements.waitingOfTenant, { tenant: "", limit: 1 })).toBe("SEARCH runs USING INDEX runs_waiting (tenant=?)");
    expect(plan(statements.leasedByTenant)).toBe("SCAN runs USING COVERING INDEX runs_leased");
    expect(plan(statements.orphanCandidate, { now: 0 })).toMatch(/^SCAN runs USING INDEX runs_leased/);
    // Either index of unfinished runs will do (both hold the same rows), never the history.
    expect(plan(statements.queueStats)).toMatch(/USING (COVERING )?INDEX runs_(tenant_)?active/);
    expect(check.prepare("SELECT name FROM sqlite_master WHERE name = 'runs_claimable'").all()).toEqual([]);
    check.close();
  });

  it("counts a tenant's unfinished runs up to the cap from runs_tenant_active, not from the tenant's history nor other tenants' queues", async () => {
    const path = freshPath();
    await SqliteStore.open(path).close();
    const db = new Database(path);
    // As the store writes them: a final run has finished_at, an unfinished one has none.
    const insertRun = db.prepare(
      "INSERT INTO runs (id, tenant, task, status, schema_version, created_at, updated_at, finished_at) VALUES (?, ?, '{\"description\":\"x\"}', ?, 1, ?, 0, ?)",
    );
    for (let n = 0; n < 2_000; n++) insertRun.run(`old-${n}`, "acme", "succeeded", n, n);
    for (let n = 0; n < 2_000; n++) insertRun.run(`queued-${n}`, "initech", "queued", 3_000 + n, null);
    insertRun.run("run-001", "acme", "queued", 5_001, null);
    insertRun.run("run-002", "acme", "running", 5_002, null);
    insertRun.run("run-003", "globex", "queued", 5_003, null);
    for (const analyze of [false, true]) {
      if (analyze) db.exec("ANALYZE");
      const activeRuns = prepareActiveRuns(db);
      expect(activeRuns.get("acme", 100)).toBe(2);
      expect(activeRuns.get("globex", 100)).toBe(1);
      expect(activeRuns.get("initech", 100)).toBe(100);
      expect(activeRuns.get("initech", 5_000)).toBe(2_000);
      expect(activeRuns.get("acme", 1)).toBe(1);
      const plan = db
        .prepare(`EXPLAIN QUERY PLAN ${activeRuns.source}`)
        .all("acme", 100)
        .map((row) => (row as { detail: string }).detail);
      expect(plan).toContain("SEARCH runs USING INDEX runs_tenant_active (tenant=?)");
      expect(plan.join("; ")).not.toMatch(/runs_active\b|runs_tenant_created/);
    }
    db.close();
  });

  it("commits submissions made together in one transaction, each on its own: the cap holds, refused ones leave nothing, accepted ones are on disk when they resolve", async () => {
    const path = freshPath();
    const store = SqliteStore.open(path);
    try {
      const submit = (n: number) =>
        store.submitAudited(
          { description: `r${n}`, tenant: "acme", idempotencyKey: `k${n % 8}` },
          { runId: `run-${String(n).padStart(3, "0")}`, requestHash: `h${n % 8}`, submittedBy: "u", maxActiveRuns: 5 },
          { action: "task.submitted", actor: "u", tenant: "acme" },
        );
      const results = await Promise.allSettled(Array.from({ length: 12 }, (_, n) => submit(n)));
      // In order: 0–4 are created, 5–7 are over the cap, 8–11 repeat the keys of 0–3 and get those runs back.
      const outcome = results.map((r) => (r.status === "rejected" ? (r.reason as { code?: string }).code : r.value.created ? `created ${r.value.run.id}` : `replayed ${r.value.run.id}`));
      expect(outcome).toEqual([
        ...[0, 1, 2, 3, 4].map((n) => `created run-00${n}`),
        ...Array.from({ length: 3 }, () => "TOO_MANY_ACTIVE_RUNS"),
        ...[0, 1, 2, 3].map((n) => `replayed run-00${n}`),
      ]);
      // Another connection sees exactly the accepted runs and one audit entry each, chained.
      const other = new Database(path, { readonly: true });
      expect(other.prepare("SELECT COUNT(*) AS n FROM runs").get()).toEqual({ n: 5 });
      expect(other.prepare("SELECT COUNT(*) AS n FROM audit_log").get()).toEqual({ n: 5 });
      other.close();
      expect(await verifyAuditChain(await store.listAudit({ limit: 100 }))).toMatchObject({ ok: true });
    } finally {
      await store.close();
    }
  });

  it("commits submissions still waiting for the end of the turn when the store closes", async () => {
    const path = freshPath();
    const store = SqliteStore.open(path);
    const pending = store.submitAudited({ description: "x", tenant: "acme" }, { runId: "run-001", requestHash: "h", submittedBy: "u" }, { action: "task.submitted", actor: "u", tenant: "acme" });
    await store.close();
    await expect(pending).resolves.toMatchObject({ created: true });
    const reopened = SqliteStore.open(path);
    expect((await reopened.get("run-001"))?.status).toBe("queued");
    await reopened.close();
  });

  it("migration 7 stamps final runs an older version left without finished_at, so only unfinished runs stay active", async () => {
    const { path, db } = await databaseAtVersion(6);
    const insertRun = db.prepare(
      "INSERT INTO runs (id, tenant, task, status, schema_version, created_at, updated_at, finished_at) VALUES (?, 'acme', '{\"description\":\"x\"}', ?, 1, ?, ?, ?)",
    );
    insertRun.run("run-001", "cancelled", 1, 100, null);
    insertRun.run("run-002", "failed", 2, 200, 150);
    insertRun.run("run-003", "queued", 3, 300, 250);
    db.close();

    const store = SqliteStore.open(path);
    await store.close();
    const check = new Database(path);
    expect(check.prepare("SELECT id, finished_at FROM runs ORDER BY id").all()).toEqual([
      { id: "run-001", finished_at: 100 },
      { id: "run-002", finished_at: 150 },
      { id: "run-003", finished_at: null },
    ]);
    expect(prepareActiveRuns(check).get("acme", 100)).toBe(1);
    check.close();
  });

  it("lists newest first by reading the ascending indexes backwards, one tenant's runs from that tenant's index", async () => {
    const path = freshPath();
    const store = SqliteStore.open(path);
    try {
      for (const tenant of ["acme", "globex", "acme", "globex", "acme"]) await store.submit({ description: "x", tenant }, { runId: newRunId() });
      const all = await store.list();
      const acme = await store.list({ tenant: "acme", limit: 2 });
      expect(all.map((run) => run.id)).toEqual([...all.map((run) => run.id)].sort().reverse());
      expect(acme.map((run) => run.task.tenant)).toEqual(["acme", "acme"]);
      expect(acme.map((run) => run.id)).toEqual([all[0]?.id, all[2]?.id]);
      expect((await store.list({ tenant: "acme", before: acme[1]?.id ?? "" })).map((run) => run.id)).toEqual([all[4]?.id]);
    } finally {
      await store.close();
    }
    const db = new Database(path, { readonly: true });
    const statements = prepareStatements(db);
    const plan = (statement: unknown, params: object) =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${(statement as Database.Statement).source}`)
        .all(params)
        .map((row) => (row as { detail: string }).detail)
        .join("; ");
    const params = { statuses: null, before: null, beforeAt: null, limit: 50 };
    expect(plan(statements.listRuns, params)).toMatch(/^SCAN runs USING INDEX runs_created\b/);
    expect(plan(statements.listRunsOfTenant, { ...params, tenant: "acme" })).toMatch(/^SEARCH runs USING INDEX runs_tenant_created \(tenant=\?/);
    for (const statement of [statements.listRuns, statements.listRunsOfTenant]) expect(plan(statement, { ...params, tenant: "acme" })).not.toMatch(/TEMP B-TREE/);
    db.close();
  });

  it("reports a path it cannot open as STORE_UNREACHABLE, naming the path", () => {
    expect(() => SqliteStore.open(root)).toThrow(expect.objectContaining({ code: "STORE_UNREACHABLE", message: expect.stringContaining(root) }));
  });

  it("refuses a synchronous setting other than NORMAL or FULL", () => {
    expect(() => SqliteStore.open(":memory:", { synchronous: "OFF" as "FULL" })).toThrow(expect.objectContaining({ code: "STORE_CONFIG" }));
  });

  it("refuses a checkpoint size that is not a whole number of pages from 1 up", () => {
    for (const checkpointPages of [0, -5, 1.5, Number.NaN, 2_000_000]) {
      expect(() => SqliteStore.open(":memory:", { checkpointPages })).toThrow(expect.objectContaining({ code: "STORE_CONFIG", message: expect.stringContaining("checkpointPages") }));
    }
  });

  it("copies the WAL back into the database once it holds checkpointPages pages", async () => {
    const walFrames = async (checkpointPages?: number): Promise<number> => {
      const path = freshPath();
      const store = SqliteStore.open(path, checkpointPages === undefined ? {} : { checkpointPages });
      for (let n = 0; n < 300; n++) await store.submit({ description: `t${n}` }, { runId: newRunId() });
      // A checkpoint lets the next commit start the WAL over, so its frames stay near the limit.
      const other = new Database(path);
      const [{ log }] = other.pragma("wal_checkpoint(PASSIVE)") as [{ log: number }];
      other.close();
      await store.close();
      return log;
    };
    const small = await walFrames(50);
    expect(small).toBeGreaterThan(0);
    expect(small).toBeLessThanOrEqual(50 + 20);
    // Submits alone (an API process's only write) checkpoint too. The default waits longer than
    // SQLite's 1,000 pages: 300 submits write about 1,500.
    expect(await walFrames()).toBeGreaterThan(1_100);
  });

  it("copies the WAL back from a thread of its own once it has written a while; close ends the thread first", async () => {
    const path = freshPath();
    const store = SqliteStore.open(path);
    for (let n = 0; n < 999; n++) await store.submit({ description: `t${n}` }, { runId: `run-${n}` });
    expect(store.backgroundCheckpointStats()).toBeUndefined();
    expect(store.stats()).not.toHaveProperty("checkpointThreadFailed");
    const deadline = Date.now() + 10_000;
    let n = 999;
    while ((store.backgroundCheckpointStats()?.checkpoints ?? 0) === 0 && Date.now() < deadline) {
      await store.submit({ description: `t${n}` }, { runId: `run-${n++}` });
    }
    expect(store.backgroundCheckpointStats()).toEqual({ checkpoints: expect.any(Number) });
    expect(store.backgroundCheckpointStats()?.checkpoints).toBeGreaterThan(0);
    expect(store.stats().checkpointThreadFailed).toBe(false);
    await store.close();
    // Only the last connection to close removes the WAL: the thread's was closed before.
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = SqliteStore.open(path);
    expect((await reopened.get(`run-${n - 1}`))?.status).toBe("queued");
    expect(await reopened.list({ limit: 500 })).toHaveLength(500);
    await reopened.close();
  });

  it("says when its checkpoint thread failed, and goes on writing", async () => {
    const path = freshPath();
    const store = SqliteStore.open(path);
    for (let n = 0; n < 999; n++) await store.submit({ description: `t${n}` }, { runId: `run-${n}` });
    // Moved away while open: the store keeps writing to its open file, and the thread, opening
    // the path, finds an empty database that is not in WAL mode.
    renameSync(path, `${path}.moved`);
    const deadline = Date.now() + 10_000;
    let n = 999;
    while (store.stats().checkpointThreadFailed !== true && Date.now() < deadline) {
      await store.submit({ description: `t${n}` }, { runId: `run-${n++}` });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(store.stats().checkpointThreadFailed).toBe(true);
    expect(store.backgroundCheckpointStats()?.failure).toMatch(/not WAL/);
    await store.submit({ description: "after" }, { runId: "run-after" });
    expect((await store.get("run-after"))?.status).toBe("queued");
    await store.close();
  });

  it("starts no checkpoint thread when told not to, nor for a database in memory", async () => {
    for (const store of [SqliteStore.open(freshPath(), { checkpointInBackground: false }), SqliteStore.open(":memory:")]) {
      for (let n = 0; n < 1_100; n++) await store.submit({ description: `t${n}` }, { runId: `run-${n}` });
      expect(store.backgroundCheckpointStats()).toBeUndefined();
      await store.close();
    }
  });

  it("never hands one run to two connections sharing the file", async () => {
    const path = freshPath();
    const [a, b] = [SqliteStore.open(path), SqliteStore.open(path)];
    for (let n = 1; n <= 6; n++) await a.submit({ description: `t${n}` }, { runId: `run-00${n}` });
    const claims = await Promise.all([a, b, a, b, a, b, a, b].map((s, i) => s.claim({ workerId: `w${i}`, leaseMs: 60_000, limit: 1, maxCrashes: 3 })));
    const ids = claims.flat().map((l) => l.runId);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
    await Promise.all([a.close(), b.close()]);
  });
});
