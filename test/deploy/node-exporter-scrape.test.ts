import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scratchDir } from "../support/scratch.js";
import { freePort } from "../support/free-port.js";
import { Processes, promQuery, until } from "../support/processes.js";
import { metricNames, withGrafanaVariables } from "./promql.js";
import { loadRuleGroups, NODE_EXPORTER_SERIES, RULES_FILE } from "./rules.js";
import { hasTool, readText, ROOT } from "./tools.js";

interface Panel {
  title: string;
  panels?: Panel[];
  targets?: { expr?: string }[];
}

// The node-level recording rules: those that read node_exporter's series.
const nodeRules = loadRuleGroups()
  .flatMap((group) => group.rules)
  .filter((rule) => rule.record !== undefined && metricNames(rule.expr).some((name) => NODE_EXPORTER_SERIES.includes(name)));
const nodeRecorded = new Set(nodeRules.map((rule) => rule.record));
// Every dashboard query that reads a node-level series, directly or through a recording rule.
const dashboard = JSON.parse(readText("deploy/grafana/cs-agents.json")) as { panels: Panel[] };
const nodeQueries = dashboard.panels
  .flatMap((panel) => [panel, ...(panel.panels ?? [])])
  .flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: withGrafanaVariables(target.expr ?? "") })))
  .filter(({ expr }) => metricNames(expr).some((name) => NODE_EXPORTER_SERIES.includes(name) || nodeRecorded.has(name)));

const processes = new Processes();

describe.runIf(hasTool("prometheus", ["--version"]) && hasTool("prometheus-node-exporter", ["--version"]))("a real node_exporter scraped by a real Prometheus evaluating the rules", () => {
  let prometheus = "";
  const query = (promql: string) => promQuery(prometheus, promql);

  beforeAll(async () => {
    const dir = scratchDir("cs-agents-node-exporter-");
    const env = { PATH: process.env.PATH ?? "" };
    const exporterPort = await freePort();
    processes.start("prometheus-node-exporter", [`--web.listen-address=127.0.0.1:${exporterPort}`, "--log.level=warn"], { cwd: dir, env });
    const port = await freePort();
    writeFileSync(
      join(dir, "prometheus.yml"),
      [
        "global:",
        "  scrape_interval: 1s",
        "  evaluation_interval: 1s",
        "rule_files:",
        `  - ${join(ROOT, RULES_FILE)}`,
        "scrape_configs:",
        "  - job_name: node",
        "    static_configs:",
        `      - targets: ["127.0.0.1:${exporterPort}"]`,
        "",
      ].join("\n"),
    );
    processes.start("prometheus", [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "tsdb")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"], { cwd: dir, env });
    prometheus = `http://127.0.0.1:${port}`;
    // Rates need two scrapes; then every node-level recording rule has produced its series.
    await until(
      "every node recording rule to produce a series",
      async () => {
        for (const record of nodeRecorded) if ((await query(record ?? "")).length === 0) return undefined;
        return true;
      },
      60_000,
    );
  }, 90_000);

  afterAll(() => processes.stopAll());

  it("finds node-level rules and dashboard queries to check", () => {
    expect(nodeRules.map((rule) => rule.record)).toEqual(expect.arrayContaining(["instance:node_cpu_utilisation:rate5m", "instance:node_memory_available:ratio", "instance_device:node_disk_io_time:rate5m", "instance_mountpoint:node_filesystem_avail:ratio"]));
    expect(nodeQueries.length).toBeGreaterThanOrEqual(7);
  });

  it("scrapes every node_exporter series the rules and the dashboard read", async () => {
    for (const name of NODE_EXPORTER_SERIES) expect((await query(name)).length, name).toBeGreaterThan(0);
  });

  it("returns data for every node-level recording rule's expression", async () => {
    for (const rule of nodeRules) expect((await query(rule.expr)).length, rule.record).toBeGreaterThan(0);
  });

  it("returns data for every node-level dashboard query", async () => {
    for (const { panel, expr } of nodeQueries) expect((await query(expr)).length, `${panel}: ${expr}`).toBeGreaterThan(0);
  });

  it("records ratios between 0 and 1 for CPU, memory and disk space", async () => {
    for (const record of ["instance:node_cpu_utilisation:rate5m", "instance:node_memory_available:ratio", "instance_mountpoint:node_filesystem_avail:ratio"]) {
      for (const sample of await query(record)) {
        const value = Number(sample.value[1]);
        expect(value, record).toBeGreaterThanOrEqual(0);
        expect(value, record).toBeLessThanOrEqual(1);
      }
    }
  });

  it("evaluates the node alerts without errors (Prometheus reports each rule's health)", async () => {
    const res = await fetch(`${prometheus}/api/v1/rules`);
    const body = (await res.json()) as { data: { groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[] } };
    const infrastructure = body.data.groups.filter((group) => group.name.startsWith("cs-agents.infrastructure"));
    expect(infrastructure.map((group) => group.name).sort()).toEqual(["cs-agents.infrastructure.alerts", "cs-agents.infrastructure.recording"]);
    const alerts = infrastructure.find((group) => group.name === "cs-agents.infrastructure.alerts")?.rules ?? [];
    expect(alerts.map((rule) => rule.name)).toEqual(expect.arrayContaining(["NodeDiskFillingUp", "NodeMemoryPressure", "NodeCpuSaturated"]));
    await until("every infrastructure rule to be evaluated", async () => {
      const again = (await (await fetch(`${prometheus}/api/v1/rules`)).json()) as typeof body;
      const rules = again.data.groups.filter((group) => group.name.startsWith("cs-agents.infrastructure")).flatMap((group) => group.rules);
      return rules.every((rule) => rule.health !== "unknown") ? rules : undefined;
    });
    const evaluated = ((await (await fetch(`${prometheus}/api/v1/rules`)).json()) as typeof body).data.groups.flatMap((group) => group.rules);
    for (const rule of evaluated) expect(rule.health, `${rule.name}: ${rule.lastError ?? ""}`).toBe("ok");
  });
});
