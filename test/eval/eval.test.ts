/**
 * `flightly eval` on a small data set written here: the real pipeline (local planner, in-process
 * store, no response cache) on a copy of the seeded world, and the figures it reports.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { formatReport, runEval, splitOf } from "../../bench/eval/run.js";
import { createLogger } from "../../core/logger.js";

const dir = mkdtempSync(join(tmpdir(), "flightly-eval-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LINES = [
  // a search between served cities with a date and a period of the day (2027-01-04 is a Monday)
  {
    text: "show me flights from denver to atlanta on wednesday in the morning",
    intent: "atis_flight",
    slots: {
      "fromloc.city_name": "denver",
      "toloc.city_name": "atlanta",
      "depart_date.day_name": "wednesday",
      "depart_time.period_of_day": "morning",
    },
  },
  // origin and destination in "between" form, day of month in words
  {
    text: "fares between miami and boston on february tenth",
    intent: "atis_airfare",
    slots: {
      "fromloc.city_name": "miami",
      "toloc.city_name": "boston",
      "depart_date.month_name": "february",
      "depart_date.day_number": "tenth",
    },
  },
  // a city Flightly does not serve
  {
    text: "flights from boise to denver",
    intent: "atis_flight",
    slots: { "fromloc.city_name": "boise", "toloc.city_name": "denver" },
  },
  // outside Flightly's scope: the right answer is a decline (a help-centre snippet would count as wrong)
  { text: "what is the square root of eighty one", intent: "oos", domain: "oos" },
  // a travel fact the intent map answers with a tool: the airports table's time zones
  { text: "which time zone is denver on", intent: "timezone", domain: "travel" },
];

describe("flightly eval", () => {
  it("runs each line through the pipeline and reports intent, slot and outcome figures", async () => {
    const file = join(dir, "tiny.jsonl");
    writeFileSync(file, `${LINES.map((l) => JSON.stringify(l)).join("\n")}\n`);
    const seen: string[] = [];
    const report = await runEval({
      logger: createLogger({ level: "warn" }),
      dataset: file,
      template: inject("worldTemplate"),
      onVerdict: (_ex, v, response) => seen.push(`${v.outcome} (${v.observed}): ${response}`),
    });
    expect(
      seen.map((s) => s.split(" (")[0]),
      seen.join("\n"),
    ).toEqual([
      "searched right",
      "searched right",
      "declined honestly",
      "declined honestly",
      "searched right",
    ]);
    expect(report.utterances).toBe(5);
    expect(report.intent).toEqual({ right: 5, of: 5, pct: 100 });
    expect(report.intentMap).toEqual({
      "clinc travel": { right: 1, of: 1, pct: 100 },
      "outside travel": { right: 1, of: 1, pct: 100 },
    });
    expect(report.slots.origin).toEqual({ right: 2, of: 2, pct: 100 });
    expect(report.slots.destination).toEqual({ right: 2, of: 2, pct: 100 });
    expect(report.slots.date).toEqual({ right: 2, of: 2, pct: 100 });
    expect(report.slots.time).toEqual({ right: 1, of: 1, pct: 100 });
    expect(report.outcomes["searched right"].right).toBe(3);
    expect(report.outcomes["declined honestly"].right).toBe(2);
    expect(report.outcomes.wrong.right).toBe(0);
    expect(report.unknownCities).toEqual({ right: 1, of: 1, pct: 100 });
    const text = formatReport(report);
    expect(text).toContain("5 utterances");
    expect(text).toMatch(/intent accuracy\s+100\.0%\s+\(5\/5\)/);
    expect(text).toMatch(/declined honestly\s+40\.0%\s+\(2\/5\)/);
    expect(text).toMatch(/outside travel\s+100\.0%\s+\(1\/1\)/);
    expect(text).toMatch(/time\s+100\.0%\s+\(1\/1\)/);
  });

  it("splits by a fixed hash of the text", () => {
    expect(splitOf("a line of text")).toBe(splitOf("a line of text"));
    const checks = Array.from({ length: 1000 }, (_, i) => splitOf(`utterance ${i}`)).filter(
      (s) => s === "check",
    );
    expect(checks.length).toBeGreaterThan(150);
    expect(checks.length).toBeLessThan(250);
  });
});
