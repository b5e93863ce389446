import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { BUSINESS_METRICS, DEFAULT_METRICS_PREFIX, SERVICE_METRICS, type MetricSpec } from "./metric-names.js";

type Labels = Record<string, string>;

/**
 * Every metric of the catalogue, registered once in one registry: what `/metrics` serves.
 * Handles are looked up by name and checked against the catalogue's type, so a metric can
 * never be updated as something it is not.
 */
export class MetricsRegistry {
  readonly registry = new Registry();
  readonly #metrics = new Map<string, { spec: MetricSpec; metric: Counter | Gauge | Histogram }>();

  constructor(options: { readonly defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: DEFAULT_METRICS_PREFIX });
    for (const spec of [...SERVICE_METRICS, ...BUSINESS_METRICS]) {
      const common = { name: spec.name, help: spec.help, labelNames: [...spec.labels], registers: [this.registry] };
      const metric =
        spec.type === "counter" ? new Counter(common) : spec.type === "gauge" ? new Gauge(common) : new Histogram({ ...common, buckets: [...spec.buckets] });
      this.#metrics.set(spec.name, { spec, metric });
    }
  }

  inc(name: string, labels: Labels = {}, value = 1): void {
    if (value > 0) this.#get(name, "counter").inc(labels, value);
  }

  set(name: string, value: number, labels: Labels = {}): void {
    this.#get(name, "gauge").set(labels, value);
  }

  add(name: string, value: number, labels: Labels = {}): void {
    this.#get(name, "gauge").inc(labels, value);
  }

  observe(name: string, value: number, labels: Labels = {}): void {
    this.#get(name, "histogram").observe(labels, value);
  }

  /** Runs `collect` each time the text is made (each scrape): for values read from elsewhere. */
  onCollect(collect: () => Promise<void> | void): void {
    this.#collectors.push(collect);
  }

  /** The Prometheus text of every metric, after the collect hooks ran. A failing hook is skipped. */
  async text(): Promise<string> {
    for (const collect of this.#collectors) {
      try {
        await collect();
      } catch {
        // A store or cache that cannot answer leaves its gauges at their last value.
      }
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  readonly #collectors: (() => Promise<void> | void)[] = [];

  #get<T extends "counter" | "gauge" | "histogram">(name: string, type: T): T extends "counter" ? Counter : T extends "gauge" ? Gauge : Histogram {
    const entry = this.#metrics.get(name);
    if (!entry) throw new Error(`metric ${name} is not in the catalogue (src/observability/metric-names.ts)`);
    if (entry.spec.type !== type) throw new Error(`metric ${name} is a ${entry.spec.type}, not a ${type}`);
    return entry.metric as T extends "counter" ? Counter : T extends "gauge" ? Gauge : Histogram;
  }
}
