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

/**
 * The infrastructure level's series, from the standard exporters: node_exporter (checked
 * against a real one by node-exporter-scrape.test.ts) and the kubelet's cAdvisor.
 */
export const NODE_EXPORTER_SERIES = [
  "node_cpu_seconds_total",
  "node_pressure_cpu_waiting_seconds_total",
  "node_pressure_memory_waiting_seconds_total",
  "node_memory_MemAvailable_bytes",
  "node_memory_MemTotal_bytes",
  "node_disk_io_time_seconds_total",
  "node_disk_read_bytes_total",
  "node_disk_written_bytes_total",
  "node_filesystem_avail_bytes",
  "node_filesystem_size_bytes",
  "node_uname_info",
];
export const CADVISOR_SERIES = [
  "container_cpu_usage_seconds_total",
  "container_cpu_cfs_periods_total",
  "container_cpu_cfs_throttled_periods_total",
  "container_memory_working_set_bytes",
  "container_spec_memory_limit_bytes",
];

/** Every name a rule or a panel may read: the catalogue's series, recording rules, `up`, the exporters'. */
export function knownSeries(): Set<string> {
  const recorded = loadRuleGroups().flatMap((group) => group.rules.flatMap((rule) => (rule.record ? [rule.record] : [])));
  return new Set([...METRICS.flatMap(seriesNames), ...recorded, ...PROMETHEUS_SERIES, ...NODE_EXPORTER_SERIES, ...CADVISOR_SERIES]);
}
