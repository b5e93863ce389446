import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { CsAgentsError } from "../../src/core/index.js";
import { DEFAULT_SQLITE_PATH, PostgresStore, SqliteStore, openStore, parseStoreUrl, redactUrl } from "../../src/store/index.js";

const SECRET = "hunter2-secret";

async function failure(promise: Promise<unknown>): Promise<CsAgentsError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof CsAgentsError)) throw new Error(`expected a CsAgentsError, got ${String(error)}`);
  return error;
}

function thrown(fn: () => unknown): CsAgentsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CsAgentsError) return error;
    throw error;
  }
  throw new Error("expected a throw");
}

describe("parseStoreUrl", () => {
  it("uses the default SQLite file when DATABASE_URL is empty", () => {
    for (const url of [undefined, "", "  "]) expect(parseStoreUrl(url)).toEqual({ kind: "sqlite", path: DEFAULT_SQLITE_PATH });
  });

  it("reads sqlite: URLs and plain paths as SQLite", () => {
    expect(parseStoreUrl("sqlite:/var/lib/cs/x.db")).toEqual({ kind: "sqlite", path: "/var/lib/cs/x.db" });
    expect(parseStoreUrl("sqlite:///var/lib/cs/x.db")).toEqual({ kind: "sqlite", path: "/var/lib/cs/x.db" });
    expect(parseStoreUrl("sqlite:./data/x.db")).toEqual({ kind: "sqlite", path: "./data/x.db" });
    expect(parseStoreUrl("sqlite::memory:")).toEqual({ kind: "sqlite", path: ":memory:" });
    expect(parseStoreUrl("./data/x.db")).toEqual({ kind: "sqlite", path: "./data/x.db" });
    expect(parseStoreUrl("C:\\data\\x.db")).toEqual({ kind: "sqlite", path: "C:\\data\\x.db" });
  });

  it("reads postgres:// and postgresql:// URLs as PostgreSQL", () => {
    const url = `postgres://cs:${SECRET}@db.internal:5432/cs`;
    expect(parseStoreUrl(url)).toEqual({ kind: "postgres", url });
    expect(parseStoreUrl("postgresql://db/cs")).toEqual({ kind: "postgres", url: "postgresql://db/cs" });
  });

  it("names DATABASE_URL and the expected form for a malformed URL, without the password", () => {
    for (const url of [`postgres://cs:${SECRET}@db:notaport/cs`, `postgres:///cs`, `mysql://cs:${SECRET}@db/cs`, "sqlite:"]) {
      const error = thrown(() => parseStoreUrl(url));
      expect(error.code).toBe("STORE_CONFIG");
      expect(error.message).toContain("DATABASE_URL");
      expect(error.message).toContain("postgres://user:password@host:5432/database");
      expect(inspect(error)).not.toContain(SECRET);
    }
  });
});

describe("redactUrl", () => {
  it("replaces the password and keeps the rest", () => {
    expect(redactUrl(`postgres://cs:${SECRET}@db:5432/cs?sslmode=require`)).toBe("postgres://cs:***@db:5432/cs?sslmode=require");
    expect(redactUrl("postgres://cs@db/cs")).toBe("postgres://cs@db/cs");
    expect(redactUrl("./data/cs-agents.db")).toBe("./data/cs-agents.db");
  });

  it("hides passwords that are escaped, unescaped or in the query", () => {
    for (const url of [`postgres://cs:${encodeURIComponent("p@ss/w:rd")}@db/cs`, "postgres://cs:p@ss/w@db/cs", `postgres://db/cs?user=cs&password=${SECRET}`]) {
      const redacted = redactUrl(url);
      expect(redacted).not.toMatch(/p@ss|p%40ss|hunter2/);
      expect(redacted).toContain("***");
    }
  });
});

describe("openStore", () => {
  const dir = mkdtempSync(join(tmpdir(), "cs-agents-open-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("opens SQLite for a sqlite: URL and honours migrate: false", async () => {
    const store = await openStore(`sqlite:${join(dir, "a", "cs.db")}`, { migrate: false });
    expect(store).toBeInstanceOf(SqliteStore);
    expect(await store.migrate()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15]);
    await store.close();
  });

  it("says which host:port could not be reached and why, never the password", async () => {
    const error = await failure(openStore(`postgres://cs:${SECRET}@127.0.0.1:1/cs`));
    expect(error.code).toBe("STORE_UNREACHABLE");
    expect(error.message).toContain("127.0.0.1:1");
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.message).toContain("postgres://cs:***@127.0.0.1:1/cs");
    expect(inspect(error)).not.toContain(SECRET);
  });

  it("keeps the password out of a connect error for a URL the driver cannot parse", async () => {
    const error = await failure(PostgresStore.connect(`postgres://cs:${SECRET}@db:notaport/cs`));
    expect(error.code).toBe("STORE_UNREACHABLE");
    expect(inspect(error)).not.toContain(SECRET);
  });
});
