// Timing: calibrate a batch size so one repetition takes about `repMs`, warm up, then take the
// median of `reps` repetitions.

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `fn` `n` times one after another. */
export function sequential(fn) {
  return async (n) => {
    for (let i = 0; i < n; i++) await fn();
  };
}

/** Runs `fn` `n` times with `inFlight` calls running at once. */
export function concurrent(fn, inFlight) {
  return async (n) => {
    let next = 0;
    const lane = async () => {
      while (next < n) {
        next++;
        await fn();
      }
    };
    await Promise.all(Array.from({ length: Math.min(inFlight, n) }, lane));
  };
}

/**
 * Warms `work(n)` (which does `n` units) up for `warmupMs` and returns the `n` one repetition of
 * about `repMs` needs. `minN` keeps concurrent batches full.
 */
export async function calibrate(work, { repMs, warmupMs = repMs, minN = 1, maxN = 1e7 }) {
  let n = minN;
  const warmupEnds = performance.now() + warmupMs;
  for (;;) {
    const started = performance.now();
    await work(n);
    const elapsed = performance.now() - started;
    const fitted = Math.min(maxN, Math.max(minN, Math.round((n * repMs) / Math.max(elapsed, 0.01))));
    // Grow geometrically while batches are short; once warm, settle on the fitted size.
    n = elapsed < repMs / 8 ? Math.min(fitted, n * 4) : fitted;
    if (performance.now() >= warmupEnds && (elapsed >= repMs / 8 || n >= maxN)) return n;
  }
}

/** Units per second of one repetition of `work(n)`. */
export async function rate(work, n) {
  const started = performance.now();
  await work(n);
  return n / ((performance.now() - started) / 1000);
}

export function summary(rates) {
  return { perSecond: median(rates), min: Math.min(...rates), max: Math.max(...rates), reps: rates.length };
}

/** Units per second of `work(n)`: the median of `reps` repetitions after `calibrate`. */
export async function throughput(work, options) {
  const n = await calibrate(work, options);
  const rates = [];
  for (let i = 0; i < options.reps; i++) rates.push(await rate(work, n));
  return { ...summary(rates), n };
}

/** Latency percentiles in microseconds of `count` sequential calls of `fn`, after `warmup` calls. */
export async function latency(fn, { count, warmup = Math.min(1000, count) }) {
  for (let i = 0; i < warmup; i++) await fn(i);
  const samples = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await fn(i);
    samples[i] = (performance.now() - started) * 1000;
  }
  samples.sort();
  const at = (q) => samples[Math.min(count - 1, Math.floor(q * count))];
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), count };
}
