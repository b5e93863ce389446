import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { openStore } from "../../src/store/index.js";
import { REDIS_URL, requireRedis, requireRedisServerBinary, startRedisServer } from "../cache/redis-test-support.js";
import { inOrder, startFakeOpenAI, status, text, type FakeOpenAI } from "../llm/fake-openai-server.js";
import { createTestDatabase, postgresAvailable } from "../support/postgres.js";
import { scratchDir } from "../support/scratch.js";

const MCP_FIXTURE = fileURLToPath(new URL("../mcp/fixture-server.mjs", import.meta.url));

interface Check {
  name: string;
  status: "ok" | "fail" | "skipped";
  detail: string;
}

/** `cs-agents doctor` in this process with exactly `env` as its environment. */
async function doctor(env: Record<string, string>, args: readonly string[] = []): Promise<{ code: number; lines: string[]; checks: Check[] }> {
  const capture = () => {
    let text = "";
    const stream = { write: (chunk: string) => ((text += chunk), true), isTTY: false } as unknown as NodeJS.WriteStream;
    return { stream, text: () => text };
  };
  const plain = capture();
  const code = await main([...args, "doctor"], { stdout: plain.stream, stderr: plain.stream, env });
  const json = capture();
  expect(await main([...args, "doctor", "--json"], { stdout: json.stream, stderr: json.stream, env })).toBe(code);
  const parsed = JSON.parse(json.text()) as { ok: boolean; checks: Check[] };
  expect(parsed.ok).toBe(code === 0);
  return { code, lines: plain.text().trimEnd().split("\n"), checks: parsed.checks };
}

const find = (checks: Check[], name: string) => checks.find((c) => c.name === name);

describe("cs-agents doctor with SQLite", () => {
  it("on a migrated store: every check ok or skipped with its reason, one line each, exit 0", async () => {
    const db = join(scratchDir(), "agents.db");
    await (await openStore(db)).close();
    const { code, lines, checks } = await doctor({ DATABASE_URL: db });
    expect(code).toBe(0);
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ["config", "ok"],
      ["store", "ok"],
      ["migrations", "ok"],
      ["plugins", "skipped"],
      ["redis", "skipped"],
      ["llm", "skipped"],
      ["mcp", "skipped"],
    ]);
    expect(find(checks, "redis")?.detail).toMatch(/REDIS_URL not set/);
    expect(lines).toHaveLength(checks.length + 1);
    expect(lines[1]).toMatch(/^ok\s+store\s+SQLite .*agents\.db answers$/);
    expect(lines.at(-1)).toBe("all checks passed");
  });

  it("reports a database not created yet without creating it", async () => {
    const db = join(scratchDir(), "later.db");
    const { code, checks } = await doctor({ DATABASE_URL: db });
    expect(code).toBe(0);
    expect(find(checks, "store")).toMatchObject({ status: "ok", detail: expect.stringMatching(/does not exist yet/) as unknown });
    expect(find(checks, "migrations")?.status).toBe("skipped");
    expect(existsSync(db)).toBe(false);
  });

  it("fails on pending migrations when they would not be applied (CS_AGENTS_MIGRATE=false)", async () => {
    const db = join(scratchDir(), "empty.db");
    await (await openStore(db, { migrate: false })).close();
    const { code, checks } = await doctor({ DATABASE_URL: db, CS_AGENTS_MIGRATE: "false" });
    expect(code).toBe(1);
    expect(find(checks, "migrations")).toMatchObject({ status: "fail", detail: expect.stringMatching(/CS_AGENTS_MIGRATE=false: run cs-agents migrate$/) as unknown });
  });

  it("fails a configuration that does not parse, and skips what depends on it", async () => {
    const { code, lines, checks } = await doctor({ CS_AGENTS_PORT: "eighty" });
    expect(code).toBe(1);
    expect(checks[0]).toMatchObject({ name: "config", status: "fail", detail: expect.stringMatching(/CS_AGENTS_PORT/) as unknown });
    expect(checks.slice(1).every((c) => c.status === "skipped")).toBe(true);
    expect(lines.at(-1)).toBe("1 check(s) failed");
  });

  it("loads the plugins it is given, and fails one that does not load", async () => {
    const dir = scratchDir();
    const db = join(dir, "agents.db");
    const good = fileURLToPath(new URL("../../examples/plugins/word-count.js", import.meta.url));
    expect((await doctor({ DATABASE_URL: db }, ["--plugin", good])).checks.find((c) => c.name === "plugins")).toMatchObject({ status: "ok" });
    const bad = join(dir, "broken.mjs");
    writeFileSync(bad, "throw new Error('broken plugin');\n");
    const { code, checks } = await doctor({ DATABASE_URL: db }, ["--plugin", bad]);
    expect(code).toBe(1);
    expect(find(checks, "plugins")?.status).toBe("fail");
  });
});

describe("cs-agents doctor with PostgreSQL", () => {
  let database: { url: string; drop(): Promise<void> } | undefined;
  beforeAll(async () => {
    if (await postgresAvailable("doctor with PostgreSQL")) database = await createTestDatabase();
  });
  afterAll(async () => database?.drop());

  it("answers, and says whether the schema is current", async (context) => {
    if (!database) return context.skip();
    const before = await doctor({ DATABASE_URL: database.url, CS_AGENTS_MIGRATE: "false" });
    expect(before.code).toBe(1);
    expect(find(before.checks, "store")?.status).toBe("ok");
    expect(find(before.checks, "migrations")?.status).toBe("fail");
    await (await openStore(database.url)).close();
    const after = await doctor({ DATABASE_URL: database.url, CS_AGENTS_MIGRATE: "false" });
    expect(after.code).toBe(0);
    expect(find(after.checks, "migrations")).toMatchObject({ status: "ok", detail: "the schema is current" });
  });

  it("fails a server that does not answer, naming it with the password hidden", async () => {
    const { code, lines, checks } = await doctor({ DATABASE_URL: "postgres://agents:s3cret@127.0.0.1:1/agents" });
    expect(code).toBe(1);
    expect(find(checks, "store")?.status).toBe("fail");
    expect(find(checks, "migrations")?.status).toBe("skipped");
    expect(lines.join("\n")).not.toContain("s3cret");
    expect(lines.find((l) => l.startsWith("fail"))).toMatch(/127\.0\.0\.1:1/);
  });
});

describe("cs-agents doctor with Redis", () => {
  it("says the configured Redis answers", async (context) => {
    if (!(await requireRedis("doctor with Redis"))) return context.skip();
    const { code, checks } = await doctor({ DATABASE_URL: join(scratchDir(), "a.db"), REDIS_URL });
    expect(code).toBe(0);
    expect(find(checks, "redis")).toMatchObject({ status: "ok", detail: expect.stringMatching(/answers PING/) as unknown });
  });

  it("fails a stopped Redis with a clear line and exit 1", async (context) => {
    if (!requireRedisServerBinary("doctor with a stopped Redis")) return context.skip();
    const server = await startRedisServer();
    await server.kill();
    const { code, lines } = await doctor({ DATABASE_URL: join(scratchDir(), "a.db"), REDIS_URL: server.url });
    expect(code).toBe(1);
    expect(lines.filter((l) => l.startsWith("fail"))).toEqual([expect.stringMatching(new RegExp(`^fail\\s+redis\\s+Redis ${server.url}: .*ECONNREFUSED`)) as unknown]);
  });
});

describe("cs-agents doctor with an LLM endpoint and MCP servers", () => {
  let llm: FakeOpenAI;
  beforeAll(async () => {
    llm = await startFakeOpenAI(inOrder(text("ok")));
  });
  afterAll(async () => llm.close());

  it("asks each configured model one tiny question", async () => {
    llm.script = inOrder(text("ok"));
    const env = { DATABASE_URL: join(scratchDir(), "a.db"), CS_AGENTS_LLM_BASE_URL: llm.baseUrl, CS_AGENTS_LLM_MODEL: "qwen-plus", CS_AGENTS_LLM_API_KEY: "sk-doctor-secret" };
    const before = llm.requests.length;
    const { code, checks } = await doctor(env);
    expect(code).toBe(0);
    expect(find(checks, "llm")).toMatchObject({ status: "ok", detail: expect.stringMatching(/model qwen-plus\) answers/) as unknown });
    const asked = llm.requests.slice(before);
    expect(asked.map((r) => r.model)).toEqual(["qwen-plus", "qwen-plus"]);
    expect(llm.authorizations.at(-1)).toBe("Bearer sk-doctor-secret");
  });

  it("fails an endpoint that refuses the key, without showing the key", async () => {
    llm.script = inOrder(status(401));
    const env = { DATABASE_URL: join(scratchDir(), "a.db"), CS_AGENTS_LLM_BASE_URL: llm.baseUrl, CS_AGENTS_LLM_MODEL: "qwen-plus", CS_AGENTS_LLM_API_KEY: "sk-doctor-secret" };
    const { code, lines, checks } = await doctor(env);
    expect(code).toBe(1);
    expect(find(checks, "llm")).toMatchObject({ status: "fail", detail: expect.stringMatching(/HTTP 401.*API key/) as unknown });
    expect(lines.join("\n")).not.toContain("sk-doctor-secret");
  });

  it("lists each MCP server's tools, and fails one that does not start", async () => {
    const servers = [
      { name: "calc", transport: "stdio", command: process.execPath, args: [MCP_FIXTURE] },
      { name: "ghost", transport: "stdio", command: join(scratchDir(), "no-such-mcp-server"), startTimeoutMs: 300 },
    ];
    const { code, checks } = await doctor({ DATABASE_URL: join(scratchDir(), "a.db"), CS_AGENTS_MCP_SERVERS: JSON.stringify(servers) });
    expect(code).toBe(1);
    expect(find(checks, "mcp calc")).toMatchObject({ status: "ok", detail: expect.stringMatching(/^\d+ tools: mcp\.calc\./) as unknown });
    expect(find(checks, "mcp ghost")?.status).toBe("fail");
  });
});
