import { describe, expect, it } from "vitest";
import { percentile, ratio, round, single, summarize, timeEach } from "../../bench/stats.js";

describe("percentile", () => {
  it("interpolates linearly between closest ranks", () => {
    const xs = [1, 2, 3, 4];
    expect(percentile(xs, 0.5)).toBe(2.5);
    expect(percentile(xs, 0)).toBe(1);
    expect(percentile(xs, 1)).toBe(4);
    expect(percentile(xs, 0.25)).toBeCloseTo(1.75, 10);
  });

  it("gives the middle element of an odd-length array as the median", () => {
    expect(percentile([3, 5, 9], 0.5)).toBe(5);
  });

  it("matches the known p99 of 1..100", () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 0.99)).toBeCloseTo(99.01, 10);
    expect(percentile(xs, 0.5)).toBe(50.5);
    expect(percentile(xs, 0.9)).toBeCloseTo(90.1, 10);
  });

  it("handles one element and no elements", () => {
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe("summarize", () => {
  it("sorts its input and reports n, median, p99, mean, min and max with the unit", () => {
    const f = summarize([5, 1, 4, 2, 3], "ms", "five samples");
    expect(f).toEqual({
      unit: "ms",
      n: 5,
      median: 3,
      p99: 4.96,
      mean: 3,
      min: 1,
      max: 5,
      note: "five samples",
    });
  });

  it("does not reorder the caller's array", () => {
    const xs = [3, 1, 2];
    summarize(xs);
    expect(xs).toEqual([3, 1, 2]);
  });

  it("rounds to microseconds", () => {
    expect(summarize([0.12345678]).median).toBe(0.123);
    expect(round(1.23456, 2)).toBe(1.23);
  });
});

describe("single and ratio", () => {
  it("keeps a single value as `value`, not as a median", () => {
    expect(single(0.25, "ratio", 80)).toEqual({ unit: "ratio", n: 80, value: 0.25 });
  });

  it("divides to three significant digits and refuses missing or zero denominators", () => {
    expect(ratio(1, 3)).toBe(0.333);
    expect(ratio(61, 21_791)).toBe(0.0028);
    expect(ratio(2_609, 3)).toBe(870);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(undefined, 2)).toBeNaN();
  });
});

describe("timeEach", () => {
  it("runs warm-up calls untimed, then n timed calls with their index", async () => {
    const seen: number[] = [];
    const samples = await timeEach(3, async (i) => void seen.push(i), { warmup: 2 });
    expect(samples).toHaveLength(3);
    expect(seen).toEqual([-1, -2, 0, 1, 2]);
    for (const s of samples) expect(s).toBeGreaterThanOrEqual(0);
  });
});
