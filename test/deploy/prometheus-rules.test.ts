import { describe, expect, it } from "vitest";
import { metricNames } from "./promql.js";
import { knownSeries, loadRuleGroups, RULES_FILE, RULES_TEST_FILE } from "./rules.js";
import { hasTool, readText, readYaml, run } from "./tools.js";

interface RulesTestFile {
  tests: { name?: string; alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
}

const alerts = loadRuleGroups().flatMap((group) => group.rules.filter((rule) => rule.alert !== undefined));
const REQUIRED_ALERTS = ["HighErrorRate", "HighLatencyP99", "HighHttpErrorRatio", "TaskCompletionRateDrop", "QueueBacklogGrowing", "LeaseReclaimsSpiking", "InstanceDown"];

describe("alert and recording rules", () => {
  it("keeps the seed's HighErrorRate, aggregated over code and instance over 4 scrape intervals, and the seed's expression in view", () => {
    expect(readText(RULES_FILE)).toContain("rate(agent_errors_total[1m]) > 0.1");
    expect(alerts.find((rule) => rule.alert === "HighErrorRate")).toMatchObject({
      expr: "sum by (job, agent, tool) (rate(agent_errors_total[2m])) > 0.1",
      for: "5m",
      labels: { severity: "critical" },
      annotations: { summary: "智能体服务错误率过高" },
    });
  });

  it("has every alert the issue asks for, each with a severity and a runbook in docs/operations.md", () => {
    expect(alerts.map((rule) => rule.alert)).toEqual(expect.arrayContaining(REQUIRED_ALERTS));
    const operations = readText("docs/operations.md");
    for (const rule of alerts) {
      expect(["critical", "warning"], rule.alert).toContain(rule.labels?.severity);
      const anchor = rule.annotations?.runbook_url?.split("#")[1];
      expect(anchor, rule.alert).toBe(rule.alert?.toLowerCase());
      expect(operations, `runbook heading for ${rule.alert}`).toMatch(new RegExp(`^### ${rule.alert}$`, "m"));
    }
  });

  it("reads only metrics the service exports or the rules record", () => {
    const known = knownSeries();
    for (const rule of loadRuleGroups().flatMap((group) => group.rules)) {
      for (const name of metricNames(rule.expr)) expect(known.has(name), `${rule.alert ?? rule.record}: ${name}`).toBe(true);
    }
  });

  it("has a unit test that shows every alert firing and one that shows it quiet", () => {
    const cases = readYaml<RulesTestFile>(RULES_TEST_FILE).tests.flatMap((test) => test.alert_rule_test ?? []);
    for (const rule of alerts) {
      const mine = cases.filter((test) => test.alertname === rule.alert);
      expect(mine.some((test) => (test.exp_alerts ?? []).length > 0), `${rule.alert} firing`).toBe(true);
      expect(mine.some((test) => (test.exp_alerts ?? []).length === 0), `${rule.alert} quiet`).toBe(true);
    }
  });

  describe.runIf(hasTool("promtool", ["--version"]))("promtool", () => {
    it("accepts the rules (promtool check rules)", () => {
      const result = run("promtool", ["check", "rules", RULES_FILE]);
      expect(result.status, result.stdout + result.stderr).toBe(0);
    });

    it("passes the rules' unit tests (promtool test rules)", () => {
      const result = run("promtool", ["test", "rules", RULES_TEST_FILE]);
      expect(result.status, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toContain("SUCCESS");
    });
  });
});
