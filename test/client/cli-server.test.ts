import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CsAgentsClient } from "../../src/client/index.js";
import { Worker } from "../../src/engine/index.js";
import { createRuntime } from "../../src/runtime/index.js";
import { makeApi, SEAT_QUESTION, seedWaitingInput, testRunId, token } from "../api/harness.js";
import type { TestApi } from "../api/harness.js";
import { runCli, scratchDir } from "../cli/spawn-cli.js";

// The built CLI (`npm run build`) against a live API: submit and status through the typed client.
let t: TestApi;
let base: string;
let jwt: string;
let dir: string;

beforeAll(async () => {
  t = await makeApi({ eventsPollMs: 20 });
  base = `http://127.0.0.1:${(await t.api.listen(0, "127.0.0.1")).port}`;
  jwt = await token();
  dir = scratchDir();
});
afterAll(async () => {
  await t.close();
});

// Each CLI start takes seconds on a busy machine: several in a row get 90 s.
describe("cs-agents submit/status --server", { timeout: 90_000 }, () => {
  it("submits through the API, follows nothing locally, and shows the run as status does", async () => {
    const submitted = await runCli(["submit", "生成季度财务报告", "--server", base, "--token", jwt, "--json"], { cwd: dir });
    expect(submitted.stderr).toBe("");
    expect(submitted.code).toBe(0);
    const { runId, status, created } = JSON.parse(submitted.stdout) as { runId: string; status: string; created: boolean };
    expect({ status, created }).toEqual({ status: "queued", created: true });
    expect((await t.store.get(runId))?.task.tenant).toBe("acme");
    // No local store was opened.
    expect(existsSync(join(dir, "data"))).toBe(false);

    const worker = new Worker({ store: t.store, engine: createRuntime().engine, concurrency: 1, pollMs: 20 });
    worker.start();
    try {
      for await (const _event of new CsAgentsClient({ baseUrl: base, token: jwt }).events(runId)) {
        // Read to the end: the run has finished.
      }
    } finally {
      await worker.stop(5_000);
    }

    // From the environment this time.
    const env = { CS_AGENTS_SERVER: base, CS_AGENTS_TOKEN: jwt };
    const text = await runCli(["status", runId], { cwd: dir, env });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`run      ${runId}\n`);
    expect(text.stdout).toContain("task     生成季度财务报告\n");
    expect(text.stdout).toContain("status   succeeded\n");
    expect(text.stdout).toMatch(/^ {2}succeeded .+ \[.+\] .+ \d+\.\d\ds$/m);
    expect(text.stdout).toMatch(/^artifact report\.md \(.+\)$/m);

    const json = await runCli(["status", runId, "--json"], { cwd: dir, env });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ id: runId, status: "succeeded", task: { description: "生成季度财务报告" }, waitingFor: [], artifacts: expect.arrayContaining([expect.objectContaining({ name: "report.md" })]) });
    expect(existsSync(join(dir, "data"))).toBe(false);
  });

  it("answers a run's open question through the API; status --server shows the question until then", async () => {
    const runId = await seedWaitingInput(t.store, { runId: testRunId(700), tenant: "acme" });
    const status = await runCli(["status", runId, "--server", base, "--token", jwt], { cwd: dir });
    expect(status.stdout).toContain("waiting for input: Which seat?");
    const answered = await runCli(["answer", runId, SEAT_QUESTION.step, "--json", '{"seat":"9B"}', "--server", base, "--token", jwt], { cwd: dir });
    expect(answered.code, answered.stderr).toBe(0);
    expect(answered.stdout).toBe(`answered ${SEAT_QUESTION.step}; run ${runId} is queued\n`);
    expect((await t.store.load(runId)).find((s) => s.key === SEAT_QUESTION.step)).toMatchObject({ status: "succeeded", output: { answer: { seat: "9B" } } });
    expect(existsSync(join(dir, "data"))).toBe(false);
  });

  it("an idempotency key given twice gives the one run, and says so", async () => {
    const args = ["submit", "生成季度财务报告", "--server", base, "--token", jwt, "--idempotency-key", "cli-remote-1"];
    const first = await runCli(args, { cwd: dir });
    const second = await runCli(args, { cwd: dir });
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toMatch(/^\(idempotency key seen before: this is the run it created, now \w+\)\n$/);
  });

  it("exit codes as for a local store: 2 for a bad run id, a missing run or a bad URL; 1 when the server refuses", async () => {
    const missing = await runCli(["status", testRunId(424_242), "--server", base, "--token", jwt], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no run with id .+ on the server.*\[USAGE\]/);
    const badId = await runCli(["status", "nope", "--server", base, "--token", jwt], { cwd: dir });
    expect(badId.code).toBe(2);
    const badUrl = await runCli(["submit", "生成季度财务报告", "--server", "ftp://example"], { cwd: dir });
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toMatch(/--server must be an http/);
    const tenant = await runCli(["submit", "生成季度财务报告", "--server", base, "--token", jwt, "--tenant", "x"], { cwd: dir });
    expect(tenant.code).toBe(2);
    const anonymous = await runCli(["submit", "生成季度财务报告", "--server", base], { cwd: dir });
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/^error: .+ \[UNAUTHENTICATED\]\n$/);
    const empty = await runCli(["submit", " ", "--server", base, "--token", jwt], { cwd: dir });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/\[INVALID_INPUT\]/);
    expect(existsSync(join(dir, "data"))).toBe(false);
  });
});
