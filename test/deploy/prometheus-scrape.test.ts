import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, scratchDir } from "../cli/spawn-cli.js";
import { hasTool } from "./tools.js";
import { freePort } from "../support/free-port.js";
import { Processes, promQuery, until } from "../support/processes.js";

const processes = new Processes();
const start = processes.start.bind(processes);

describe.runIf(hasTool("prometheus", ["--version"]))("a real Prometheus scraping cs-agents serve", () => {
  let prometheus = "";

  const query = (promql: string) => promQuery(prometheus, promql);
  const scalar = async (promql: string) => Number((await query(promql))[0]?.value[1] ?? Number.NaN);

  beforeAll(async () => {
    const dir = scratchDir("cs-agents-prometheus-");
    const env = { PATH: process.env.PATH ?? "", HOME: dir, CS_AGENTS_AUTH: "off", DATABASE_URL: join(dir, "db.sqlite"), CS_AGENTS_RATE_LIMIT_PER_MINUTE: "0" };
    const serve = start(process.execPath, [BIN, "serve", "--port", "0", "--workers", "2"], { cwd: dir, env });
    const base = await until("cs-agents serve to listen", async () => /listening on (http:\/\/\S+)/.exec(serve.output())?.[1]);

    // A small workload: two reports that succeed and one task no plan template matches.
    const submit = async (description: string) => {
      const res = await fetch(`${base}/v1/tasks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ description }) });
      return ((await res.json()) as { id: string }).id;
    };
    const ids = [await submit("生成季度财务报告"), await submit("generate the quarterly financial report"), await submit("paint the office walls green")];
    for (const id of ids) {
      await until(`run ${id} to end`, async () => {
        const run = (await (await fetch(`${base}/v1/tasks/${id}`)).json()) as { status: string };
        return ["succeeded", "failed", "cancelled"].includes(run.status) ? run.status : undefined;
      });
    }

    const port = await freePort();
    const target = new URL(base).host;
    writeFileSync(
      join(dir, "prometheus.yml"),
      `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: cs-agents\n    static_configs:\n      - targets: ["${target}"]\n`,
    );
    start("prometheus", [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "tsdb")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"], { cwd: dir, env: { PATH: env.PATH } });
    prometheus = `http://127.0.0.1:${port}`;
    await until("Prometheus to scrape cs-agents", async () => ((await scalar('up{job="cs-agents"}')) === 1 && (await query("cs_agents_runs_total")).length > 0 ? true : undefined));
  }, 90_000);

  afterAll(() => processes.stopAll());

  it("sees runs by outcome and the work they did", async () => {
    expect(await scalar('cs_agents_runs_total{outcome="succeeded"}')).toBe(2);
    expect(await scalar('cs_agents_runs_total{outcome="failed"}')).toBe(1);
    expect(await scalar('sum(cs_agents_subtasks_total{outcome="succeeded"})')).toBeGreaterThanOrEqual(6);
    expect(await scalar('sum(cs_agents_tool_calls_total{outcome="success"})')).toBeGreaterThan(6);
    expect(await scalar("sum(cs_agents_run_duration_seconds_count)")).toBe(3);
    expect(await scalar("cs_agents_runs_in_progress")).toBe(0);
    // Nothing failed inside an agent: the failed run never got a plan.
    expect(await query("agent_errors_total")).toEqual([]);
    const efficiency = await scalar("sum(cs_agents_run_critical_path_seconds_total) / sum(cs_agents_run_wall_seconds_total)");
    expect(efficiency).toBeGreaterThan(0);
    expect(efficiency).toBeLessThanOrEqual(1);
  });

  it("sees HTTP traffic by route template, the queue and the process", async () => {
    const routes = (await query("cs_agents_http_requests_total")).map((s) => s.metric.route);
    expect(routes).toContain("/v1/tasks");
    expect(routes).toContain("/v1/tasks/:id");
    expect(routes.some((r) => /[0-9a-z]{9}-[0-9a-z]{8}/.test(r ?? ""))).toBe(false);
    expect(await scalar('sum(cs_agents_http_requests_total{route="/v1/tasks",method="POST",status="202"})')).toBe(3);
    expect(await scalar("cs_agents_queue_depth_runs")).toBe(0);
    expect(await scalar("cs_agents_process_resident_memory_bytes")).toBeGreaterThan(10 * 2 ** 20);
    expect(await scalar("cs_agents_nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0);
    expect((await query("cs_agents_build_info"))[0]?.metric).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+\.\d+/), node_version: process.version });
  });
});
