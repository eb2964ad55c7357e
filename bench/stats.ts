/**
 * Statistics for the benchmarks: percentiles with linear interpolation between closest ranks
 * (the "R-7" definition numpy and spreadsheets use), summaries in one shape, and timing loops.
 */

/** One measured figure as it appears in the results JSON. */
export interface Figure {
  /** What the numbers count: `ms`, `req/s`, `MB`, `ratio`, `count`. */
  unit: string;
  /** Samples behind the figure (requests, turns, lookups, runs). */
  n: number;
  /** Distributions: the median; absent for a single value (see `value`). */
  median?: number;
  /** Absent where a tail makes no sense (a single run, a rate). */
  p99?: number;
  mean?: number;
  min?: number;
  max?: number;
  /** A single value: a rate, a count, one run's result. */
  value?: number;
  /** What exactly was measured, in a sentence, when the key alone does not say it. */
  note?: string;
}

/** The `q` quantile (0..1) of an ascending array; NaN when empty. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (q <= 0) return sorted[0]!;
  if (q >= 1) return sorted[sorted.length - 1]!;
  const rank = q * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  const a = sorted[lo]!;
  const b = sorted[hi]!;
  return a + (b - a) * (rank - lo);
}

/** Rounds to `digits` decimals (default 3: microseconds when the unit is ms). */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Median, p99, mean, min and max of `samples` (any order), rounded. */
export function summarize(samples: readonly number[], unit = "ms", note?: string): Figure {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length);
  return {
    unit,
    n: sorted.length,
    median: round(percentile(sorted, 0.5)),
    p99: round(percentile(sorted, 0.99)),
    mean: round(mean),
    min: round(sorted[0] ?? Number.NaN),
    max: round(sorted.at(-1) ?? Number.NaN),
    ...(note === undefined ? {} : { note }),
  };
}

/** A single value (a rate, a count, one run) as a figure. */
export function single(value: number, unit: string, n = 1, note?: string): Figure {
  return { unit, n, value: round(value, 4), ...(note === undefined ? {} : { note }) };
}

/** `a / b` to three significant digits; NaN when either side is missing or `b` is zero. */
export function ratio(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) {
    return Number.NaN;
  }
  return Number((a / b).toPrecision(3));
}

export interface TimeOptions {
  /** Untimed calls first (JIT, caches, connection pools). */
  warmup?: number;
  /** Runs between calls, untimed (e.g. invalidating a cache entry). */
  between?: (i: number) => Promise<unknown> | unknown;
}

/** Wall times in milliseconds of `n` sequential calls of `fn`. */
export async function timeEach(
  n: number,
  fn: (i: number) => Promise<unknown>,
  options: TimeOptions = {},
): Promise<number[]> {
  const warmup = options.warmup ?? Math.min(20, n);
  for (let i = 0; i < warmup; i++) {
    await options.between?.(-1 - i);
    await fn(-1 - i);
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    await options.between?.(i);
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out;
}

/** Appends `values` to the array under `key`, creating it on first use. */
export function pushTo(groups: Record<string, number[]>, key: string, ...values: number[]): void {
  const list = groups[key] ?? [];
  list.push(...values);
  groups[key] = list;
}
