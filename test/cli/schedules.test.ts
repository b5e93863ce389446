import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeApi, token } from "../api/harness.js";
import type { TestApi } from "../api/harness.js";
import { runCli, scratchDir } from "./spawn-cli.js";

// The built CLI (`npm run build`). Each start takes seconds on a busy machine.
describe("cs-agents schedules", { timeout: 120_000 }, () => {
  it("adds a cron schedule in a zone to the local store, lists it, and removes it", async () => {
    const dir = scratchDir();
    const added = await runCli(["schedules", "add", "生成季度财务报告", "--cron", "0 9 * * 1-5", "--tz", "Asia/Shanghai", "--name", "weekday report", "--json"], { cwd: dir });
    expect(added.stderr).toBe("");
    expect(added.code).toBe(0);
    const { id, nextRunAt } = JSON.parse(added.stdout) as { id: string; nextRunAt: string };
    // 09:00 in Shanghai is 01:00 UTC.
    expect(nextRunAt).toMatch(/T01:00:00\.000Z$/);

    const listed = await runCli(["schedules"], { cwd: dir });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toBe(`${id}  cron "0 9 * * 1-5" Asia/Shanghai  next ${nextRunAt}  weekday report\n`);

    const bad = await runCli(["schedules", "add", "x", "--cron", "0 9 * * *", "--tz", "Mars/Olympus"], { cwd: dir });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('timeZone: "Mars/Olympus" is not an IANA time zone');

    const removed = await runCli(["schedules", "remove", id], { cwd: dir });
    expect(removed.stdout).toBe(`removed ${id}\n`);
    expect((await runCli(["schedules"], { cwd: dir })).stdout).toBe("no schedules\n");
  });

  describe("--server", () => {
    let t: TestApi;
    let base: string;
    beforeAll(async () => {
      t = await makeApi();
      base = `http://127.0.0.1:${(await t.api.listen(0, "127.0.0.1")).port}`;
    });
    afterAll(async () => {
      await t.close();
    });

    it("adds and lists the token's tenant's schedules through the API", async () => {
      const env = { CS_AGENTS_SERVER: base, CS_AGENTS_TOKEN: await token({ tenant: "acme" }) };
      const dir = scratchDir();
      const added = await runCli(["schedules", "add", "daily digest", "--every-ms", "3600000", "--missed", "run_once", "--json"], { cwd: dir, env });
      expect(added.code).toBe(0);
      const { id } = JSON.parse(added.stdout) as { id: string };
      expect((await t.store.getSchedule(id))?.tenant).toBe("acme");
      const listed = await runCli(["schedules", "--json"], { cwd: dir, env });
      expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id, description: "daily digest", when: "every 3600s", paused: false })]);
    });
  });
});
