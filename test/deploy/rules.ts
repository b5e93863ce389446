import { METRICS, seriesNames } from "../../src/observability/metric-names.js";
import { readYaml } from "./tools.js";

export const RULES_FILE = "deploy/prometheus/cs-agents.rules.yml";
export const RULES_TEST_FILE = "deploy/prometheus/cs-agents.rules.test.yml";

export interface Rule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly Rule[];
}

export function loadRuleGroups(): readonly RuleGroup[] {
  return readYaml<{ groups: RuleGroup[] }>(RULES_FILE).groups;
}

/** Series Prometheus makes itself, not the service. */
const PROMETHEUS_SERIES = ["up"];

/** Every name a rule or a panel may read: the catalogue's series, recording rules, `up`. */
export function knownSeries(): Set<string> {
  const recorded = loadRuleGroups().flatMap((group) => group.rules.flatMap((rule) => (rule.record ? [rule.record] : [])));
  return new Set([...METRICS.flatMap(seriesNames), ...recorded, ...PROMETHEUS_SERIES]);
}
