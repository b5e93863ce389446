/** One sample of the Prometheus text exposition: a metric name, its labels and value. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses `/metrics` (comments and malformed lines are skipped). */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const match = LINE.exec(line);
    if (!match?.[1] || match[3] === undefined) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(LABEL)) if (key) labels[key] = value ?? "";
    samples.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of a metric's samples whose labels pass `where`; undefined when it has none. */
export function total(samples: readonly Sample[], name: string, where: (labels: Readonly<Record<string, string>>) => boolean = () => true): number | undefined {
  const matching = samples.filter((s) => s.name === name && where(s.labels));
  return matching.length === 0 ? undefined : matching.reduce((sum, s) => sum + s.value, 0);
}
