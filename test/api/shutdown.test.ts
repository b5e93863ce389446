import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FINAL_RUN_STATUSES } from "../../src/core/index.js";
import { SqliteStore } from "../../src/store/index.js";
import { BIN, scratchDir } from "../cli/spawn-cli.js";

type Outcome = { sentAt: number; status?: number; error?: string; truncated?: boolean };

/** One request; a failure before any response byte means the server never accepted it. */
async function request(base: string, n: number): Promise<Outcome> {
  const sentAt = performance.now();
  let res: Response;
  try {
    res = n % 2 === 0
      ? await fetch(`${base}/v1/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ description: `task ${n}` }) })
      : await fetch(`${base}/v1/tasks?limit=5`);
  } catch (error) {
    return { sentAt, error: String((error as { cause?: { code?: string } }).cause?.code ?? error) };
  }
  try {
    await res.text();
    return { sentAt, status: res.status };
  } catch {
    return { sentAt, status: res.status, truncated: true };
  }
}

describe("graceful shutdown", () => {
  it("on SIGTERM under load: readiness fails, accepted requests all succeed, workers release, exit 0", async () => {
    const dir = scratchDir();
    const env = {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      CS_AGENTS_AUTH: "off",
      DATABASE_URL: join(dir, "db.sqlite"),
      CS_AGENTS_RATE_LIMIT_PER_MINUTE: "0",
      CS_AGENTS_MAX_ACTIVE_RUNS_PER_TENANT: "100000",
    };
    const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--workers", "2", "--grace-ms", "4000"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const base = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (c: Buffer) => {
        stdout += c.toString();
        const match = /listening on (http:\/\/[^\s]+)/.exec(stdout);
        if (match?.[1]) resolve(match[1]);
      });
      child.once("exit", () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    expect(stderr).toMatch(/WARNING: auth is off/);
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => child.once("exit", (code) => resolve({ code, at: performance.now() })));

    const outcomes: Outcome[] = [];
    let stop = false;
    let n = 0;
    const clients = Array.from({ length: 8 }, async () => {
      let refused = 0;
      while (!stop && refused < 3) {
        const outcome = await request(base, n++);
        outcomes.push(outcome);
        refused = outcome.error ? refused + 1 : 0;
      }
    });
    // Load first: SIGTERM lands once the server has answered 50 requests (not after a fixed time,
    // which on a loaded machine may hold only a handful).
    const loaded = performance.now();
    while (outcomes.filter((o) => o.status !== undefined).length < 50 && performance.now() - loaded < 20_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const sigtermAt = performance.now();
    child.kill("SIGTERM");
    // Readiness fails at once: 503 on a kept-alive connection, or the port no longer answers.
    let readiness = 200;
    while (readiness === 200 && performance.now() - sigtermAt < 1_000) {
      readiness = await fetch(`${base}/readyz`).then((r) => r.status, () => 0);
    }
    expect([0, 503]).toContain(readiness);
    expect(performance.now() - sigtermAt).toBeLessThan(1_000);
    const { code, at } = await exited;
    stop = true;
    await Promise.all(clients);

    expect(code).toBe(0);
    expect(at - sigtermAt).toBeLessThan(4_000 + 2_000);
    const answered = outcomes.filter((o) => o.status !== undefined);
    expect(answered.length).toBeGreaterThanOrEqual(50);
    // Accepted requests (any response began) all succeeded: no 5xx, nothing cut off.
    expect(answered.filter((o) => (o.status ?? 0) >= 500 || o.truncated)).toEqual([]);
    expect(answered.filter((o) => o.status !== 202 && o.status !== 200)).toEqual([]);
    // Requests that failed were never accepted (refused or reset before a response), and only after SIGTERM.
    expect(outcomes.filter((o) => o.error && o.sentAt < sigtermAt - 1)).toEqual([]);
    expect(stdout).toMatch(/SIGTERM: draining/);
    expect(stdout).toMatch(/stopped/);

    // Workers gave their runs back: every unfinished run can be claimed at once.
    const store = SqliteStore.open(join(dir, "db.sqlite"));
    const unfinished = (await store.list({ limit: 500 })).filter((r) => !FINAL_RUN_STATUSES.has(r.status));
    const claimed = await store.claim({ workerId: "after", leaseMs: 60_000, limit: 500, maxCrashes: 3 });
    expect(claimed.length).toBe(unfinished.filter((r) => r.status !== "waiting_approval").length);
    await store.close();
  }, 60_000);
});

describe("cs-agents serve settings", () => {
  it("refuses to start with auth on and no issuer, naming the setting", async () => {
    const { runCli } = await import("../cli/spawn-cli.js");
    const dir = scratchDir();
    const res = await runCli(["serve", "--port", "0"], { cwd: dir, env: { DATABASE_URL: join(dir, "db.sqlite") } });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/CS_AGENTS_JWT_ISSUER is not set/);
    const noKey = await runCli(["serve", "--port", "0"], { cwd: dir, env: { DATABASE_URL: join(dir, "db.sqlite"), CS_AGENTS_JWT_ISSUER: "https://i/", CS_AGENTS_JWT_AUDIENCE: "a" } });
    expect(noKey.stderr).toMatch(/CS_AGENTS_JWT_JWKS_URL nor CS_AGENTS_JWT_PUBLIC_KEY_FILE/);
    const offPublic = await runCli(["serve", "--port", "0", "--host", "0.0.0.0"], { cwd: dir, env: { DATABASE_URL: join(dir, "db.sqlite"), CS_AGENTS_AUTH: "off" } });
    expect(offPublic.code).not.toBe(0);
    expect(offPublic.stderr).toMatch(/loopback only/);
  });
});
