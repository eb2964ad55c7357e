/**
 * `flightly eval`: runs each utterance of a JSONL data set through the real pipeline (the app of
 * `buildApp` with the local planner, the in-process store and no response cache, on a throwaway
 * copy of the seeded world, its clock fixed to the evaluation date), each as a guest in a new
 * session, and reports intent accuracy, per-slot accuracy of the flight search's arguments and the
 * outcome classes.
 */
import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { basename } from "node:path";
import { type Config, loadConfig } from "../../core/config.js";
import type { Logger } from "../../core/logger.js";
import { buildApp } from "../../orchestrator/runtime/app.js";
import { openServices } from "../../orchestrator/runtime/services.js";
import { benchEnv, copyWorld, seedWorld, tempDir } from "../setup.js";
import type { Example, MapGroup } from "./gold.js";
import { CLASSES, type OutcomeClass, SLOT_NAMES, type SlotName, score, type Verdict } from "./score.js";

/** The day every relative date is read against: a Monday, noon UTC. */
const EVAL_DATE = "2027-01-04T12:00:00.000Z";

export type Split = "all" | "tune" | "check";

export interface EvalOptions {
  logger: Logger;
  dataset: string;
  limit?: number;
  split?: Split;
  /** A seeded data directory to copy (tests pass theirs); by default a new one is seeded. */
  template?: string;
  /** Called with each utterance's verdict and answer (the CLI's `--failures` file). */
  onVerdict?: (ex: Example, verdict: Verdict, response: string) => void;
}

interface Figure {
  right: number;
  of: number;
  pct: number;
}

export interface EvalReport {
  dataset: string;
  split: Split;
  evaluationDate: string;
  utterances: number;
  intent: Figure;
  /** Flight queries naming two cities Flightly serves: each slot the gold names (the airline alone for a carrier Flightly does not sell). */
  slots: Partial<Record<SlotName, Figure>>;
  outcomes: Record<OutcomeClass, Figure>;
  /** Flight queries naming a city Flightly does not serve: answers that name it. */
  unknownCities: Figure;
  /** Requests the README's intent map covers, by group: handled per the map. */
  intentMap: Partial<Record<MapGroup, Figure>>;
}

const MAP_GROUPS: readonly MapGroup[] = ["atis non-flight", "clinc travel", "outside travel"];

const figure = (right: number, of: number): Figure => ({
  right,
  of,
  pct: of === 0 ? 0 : Math.round((1000 * right) / of) / 10,
});

/** 80% tune, 20% check, by a fixed hash of the text. */
export function splitOf(text: string): "tune" | "check" {
  return createHash("sha256").update(text).digest().readUInt32BE(0) % 10 < 8 ? "tune" : "check";
}

function readDataset(file: string, split: Split = "all", limit?: number): Example[] {
  const examples = readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Example)
    .filter((ex) => typeof ex.text === "string" && typeof ex.intent === "string")
    .filter((ex) => split === "all" || splitOf(ex.text) === split);
  return limit === undefined ? examples : examples.slice(0, limit);
}

function summarise(dataset: string, split: Split, verdicts: readonly Verdict[]): EvalReport {
  const slots: EvalReport["slots"] = {};
  for (const name of SLOT_NAMES) {
    const scored = verdicts.flatMap((v) => (v.slots[name] === undefined ? [] : [v.slots[name]]));
    if (scored.length > 0) slots[name] = figure(scored.filter(Boolean).length, scored.length);
  }
  const outcomes = Object.fromEntries(
    CLASSES.map((c) => [c, figure(verdicts.filter((v) => v.outcome === c).length, verdicts.length)]),
  ) as Record<OutcomeClass, Figure>;
  const unknown = verdicts.flatMap((v) => (v.unknownCity ? [v.unknownCity.named] : []));
  const intentMap: EvalReport["intentMap"] = {};
  for (const group of MAP_GROUPS) {
    const inGroup = verdicts.filter((v) => v.map?.group === group);
    if (inGroup.length > 0)
      intentMap[group] = figure(inGroup.filter((v) => v.map?.handled).length, inGroup.length);
  }
  return {
    dataset: basename(dataset),
    split,
    evaluationDate: EVAL_DATE.slice(0, 10),
    utterances: verdicts.length,
    intent: figure(verdicts.filter((v) => v.intentRight).length, verdicts.length),
    slots,
    outcomes,
    unknownCities: figure(unknown.filter(Boolean).length, unknown.length),
    intentMap,
  };
}

const line = (label: string, f: Figure): string =>
  `  ${label.padEnd(24)} ${f.pct.toFixed(1).padStart(5)}%  (${f.right}/${f.of})`;

export function formatReport(r: EvalReport): string {
  return [
    `flightly eval: ${r.dataset}, ${r.utterances} utterances (split ${r.split}, evaluation date ${r.evaluationDate})`,
    line("intent accuracy", r.intent),
    "slots (flight queries between served cities):",
    ...Object.entries(r.slots).map(([name, f]) => line(name, f)),
    "outcomes:",
    ...CLASSES.map((c) => line(c, r.outcomes[c])),
    line("unknown cities named", r.unknownCities),
    "handled per the intent map:",
    ...Object.entries(r.intentMap).map(([group, f]) => line(group, f)),
  ].join("\n");
}

/** The evaluation's configuration: embedded world in `dataDir`, local model, in-process store. */
function evalConfig(dataDir: string): Config {
  const env = benchEnv(process.env, "", dataDir);
  delete env.VALKEY_URL;
  return loadConfig(env);
}

export async function runEval(options: EvalOptions): Promise<EvalReport> {
  const examples = readDataset(options.dataset, options.split, options.limit);
  const cleanup: Array<() => void> = [];
  const dir = tempDir("flightly-eval-", cleanup);
  const config = evalConfig(dir);
  const logger = options.logger;
  try {
    if (options.template) copyWorld(options.template, dir);
    else await seedWorld(config, logger);
    const services = await openServices(config, logger);
    const now = new Date(EVAL_DATE);
    const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
    const run = createHash("sha256").update(options.dataset).digest("hex").slice(0, 8);
    const verdicts: Verdict[] = [];
    try {
      const app = await buildApp(services, {
        worker: false,
        semanticCache: false,
        now: () => now,
      });
      try {
        for (const [i, ex] of examples.entries()) {
          const result = await app.orchestrator.invoke({
            prompt: ex.text,
            sessionId: `eval-${run}-${i}`,
            actorId: `eval-guest-${run}-${i}`,
          });
          const verdict = score(ex, result, today);
          options.onVerdict?.(ex, verdict, result.response);
          verdicts.push(verdict);
        }
      } finally {
        await app.close();
      }
    } finally {
      await services.close();
    }
    return summarise(options.dataset, options.split ?? "all", verdicts);
  } finally {
    for (const done of cleanup) done();
    rmSync(dir, { recursive: true, force: true });
  }
}
