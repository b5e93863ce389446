import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { metricNames, withGrafanaVariables } from "./promql.js";
import { knownSeries } from "./rules.js";
import { hasTool, readText, run } from "./tools.js";

interface Panel {
  type: string;
  title: string;
  panels?: Panel[];
  targets?: { expr?: string }[];
  datasource?: { uid?: string };
}

const dashboard = JSON.parse(readText("deploy/grafana/cs-agents.json")) as { uid: string; panels: Panel[] };
const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
const expressions = panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr ?? "" })));

describe("Grafana dashboard", () => {
  it("has the seed's three rows in order: infrastructure, service, business", () => {
    expect(panels.filter((panel) => panel.type === "row").map((panel) => panel.title)).toEqual(["Infrastructure", "Service", "Business"]);
  });

  it("queries Prometheus through the datasource variable in every panel", () => {
    expect(expressions.length).toBeGreaterThan(20);
    for (const panel of panels.filter((p) => p.type !== "row")) expect(panel.datasource?.uid, panel.title).toBe("${datasource}");
    for (const { panel, expr } of expressions) expect(expr, panel).not.toBe("");
  });

  it("reads only metrics the service exports or the rules record", () => {
    const known = knownSeries();
    for (const { panel, expr } of expressions) {
      for (const name of metricNames(withGrafanaVariables(expr))) expect(known.has(name), `${panel}: ${name}`).toBe(true);
    }
  });

  describe.runIf(hasTool("promtool", ["--version"]))("promtool", () => {
    const dir = mkdtempSync(join(tmpdir(), "cs-agents-dashboard-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("parses every expression (each placed in a generated rules file, checked by promtool)", () => {
      const rules = expressions.map(({ expr }, index) => ({ record: `dashboard:panel_expr_${index}`, expr: withGrafanaVariables(expr) }));
      const file = join(dir, "dashboard.rules.yml");
      writeFileSync(file, stringify({ groups: [{ name: "cs-agents-dashboard", rules }] }));
      const result = run("promtool", ["check", "rules", file]);
      expect(result.status, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain(`SUCCESS: ${rules.length} rules found`);
    });
  });
});
