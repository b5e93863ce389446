import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../src/store/index.js";
import { describeStoreContract } from "./store-contract.js";

const root = mkdtempSync(join(tmpdir(), "cs-agents-sqlite-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A path in a directory that does not exist yet: the store creates it. */
function freshPath(): string {
  return join(root, randomUUID(), "nested", "cs-agents.db");
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
    expect(await store.migrate()).toEqual([1, 2]);
    expect(await store.migrate()).toEqual([]);
    expect(await store.get("run-001")).toBeUndefined();
    await store.close();
  });

  it("reports a path it cannot open as STORE_UNREACHABLE, naming the path", () => {
    expect(() => SqliteStore.open(root)).toThrow(expect.objectContaining({ code: "STORE_UNREACHABLE", message: expect.stringContaining(root) }));
  });

  it("refuses a synchronous setting other than NORMAL or FULL", () => {
    expect(() => SqliteStore.open(":memory:", { synchronous: "OFF" as "FULL" })).toThrow(expect.objectContaining({ code: "STORE_CONFIG" }));
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
