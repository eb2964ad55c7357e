/**
 * The first seed's progress line: drawn only on a terminal, redrawn in place, ended with a
 * newline when the last step is done.
 */
import { describe, expect, it } from "vitest";
import { seedProgressDisplay } from "../../orchestrator/runtime/seed-progress.js";

const stream = (isTTY: boolean) => {
  const written: string[] = [];
  return { isTTY, written, write: (text: string) => written.push(text) };
};

describe("seed progress display", () => {
  it("draws nothing when stderr is not a terminal", () => {
    const pipe = stream(false);
    expect(seedProgressDisplay(pipe)).toBeUndefined();
    expect(pipe.written).toEqual([]);
  });

  it("redraws one line on a terminal and ends it when the seed is done", () => {
    const tty = stream(true);
    const show = seedProgressDisplay(tty, 0)!;
    show({ step: "embedding documents", done: 10, total: 40 });
    show({ step: "writing flights", done: 20, total: 40 });
    show({ step: "writing support_messages", done: 40, total: 40 });
    expect(tty.written).toHaveLength(3);
    for (const line of tty.written) expect(line.startsWith("\r\x1b[2K")).toBe(true);
    expect(tty.written[0]).toContain(" 25% embedding documents");
    expect(tty.written[1]).toContain(" 50% writing flights");
    expect(tty.written[2]).toMatch(/100% writing support_messages\n$/);
    expect(tty.written.slice(0, 2).some((l) => l.endsWith("\n"))).toBe(false);
  });

  it("skips redraws of the same step inside the interval but never the last one", () => {
    const tty = stream(true);
    const show = seedProgressDisplay(tty, 60_000)!;
    for (let done = 1; done <= 50; done++) show({ step: "embedding documents", done, total: 50 });
    expect(tty.written).toHaveLength(2);
    expect(tty.written[1]).toMatch(/100% embedding documents\n$/);
  });
});
