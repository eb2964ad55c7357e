/**
 * The benchmark run: sets up the world once, runs every stage in a fixed order (in-process
 * measures first, then the child-process HTTP runs, then the long-term recall build), and writes
 * the results JSON, the latency chart and BENCHMARKS.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import type { Config } from "../core/config.js";
import type { Logger } from "../core/logger.js";
import { ROOT } from "../core/paths.js";
import { buildApp } from "../orchestrator/runtime/app.js";
import { openServices } from "../orchestrator/runtime/services.js";
import { loadPairs } from "../scripts/eval-embeddings.js";
import { benchCacheStages, benchSemanticCache, benchToolCache } from "./caches.js";
import { benchCachePairs } from "./eval/cache-pairs.js";
import { benchLoops, flightInput, flightScript } from "./loops.js";
import { benchRecall } from "./recall.js";
import { writeReport } from "./report.js";
import { type BenchResult, computeRatios } from "./results.js";
import { benchRuntime } from "./runtime.js";
import {
  benchConfig,
  benchEnv,
  copyWorld,
  DEFAULT_BENCH_VALKEY_URL,
  isoDay,
  machine,
  reopener,
  searchDate,
  seedWorld,
  tempDir,
  valkeyAnswers,
} from "./setup.js";
import { type Figure, round, single, summarize, timeEach } from "./stats.js";
import { benchCacheHitTurn, benchTurn } from "./turn.js";
import { loadBedrockServer } from "./wire.js";

export interface RunOptions {
  config: Config;
  logger: Logger;
  quick: boolean;
  /** One section alone (`http`: the child-process loads, ours beside the peer); nothing is written. */
  only?: "http";
  /** Where results go (default `bench/results` and `BENCHMARKS.md` under the package root). */
  resultsDir?: string;
  markdownFile?: string;
}

const SETTINGS = {
  quick: {
    turns: 120,
    loops: 100,
    wireTurns: 60,
    toolCache: 200,
    semanticRounds: 1,
    coldSeeded: 1,
    coldFresh: 1,
    sessions: 20,
    sessionTurns: 5,
    loadS: 2,
    loadRounds: 1,
    warmupS: 0.5,
    connections: 20,
    recallScales: [{ label: "10k", total: 10_000 }],
    recallRuns: 60,
    recallQueries: 30,
    floorRuns: 1_000,
  },
  full: {
    turns: 1_000,
    loops: 1_000,
    wireTurns: 400,
    toolCache: 1_000,
    semanticRounds: 3,
    coldSeeded: 3,
    coldFresh: 2,
    sessions: 200,
    sessionTurns: 20,
    loadS: 5,
    loadRounds: 2,
    warmupS: 1,
    connections: 20,
    recallScales: [
      { label: "10k", total: 10_000 },
      { label: "100k", total: 100_000 },
    ],
    recallRuns: 300,
    recallQueries: 100,
    floorRuns: 3_000,
  },
} as const;

const FLIGHT_PROMPT = (date: string): string => `Find flights from Seattle to Tokyo Narita on ${date}`;

/** A traveller's turns for the conversation load (local planner; our own wording). */
const CONVERSATION = (date: string): string[] => [
  FLIGHT_PROMPT(date),
  "What is the weather like in Tokyo next week?",
  `Any hotels in Tokyo for ${date}?`,
  "How much checked baggage can I bring?",
  "Tell me about Narita airport",
];

export async function run(options: RunOptions): Promise<BenchResult> {
  const started = performance.now();
  const startedAt = new Date();
  const mode = options.quick ? "quick" : "full";
  const s = SETTINGS[mode];
  const valkeyUrl = options.config.valkey.url ?? DEFAULT_BENCH_VALKEY_URL;
  const loadSamples: number[] = [];
  const progress = (message: string): void => {
    const t = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
    const load = round(loadavg()[0] ?? Number.NaN, 2);
    loadSamples.push(load);
    process.stderr.write(`[bench ${t}s] (load ${load}) ${message}\n`);
  };
  if (!(await valkeyAnswers(valkeyUrl))) {
    throw new Error(
      `no Valkey server answered at ${valkeyUrl}: the benchmarks measure the real Valkey path. ` +
        "Start one (valkey-server or redis-server on 127.0.0.1:6379) or set VALKEY_URL.",
    );
  }
  const cleanup: Array<() => void> = [];
  const figures: Record<string, Figure> = {};
  const notes: string[] = [];
  // The services' own info lines (PGlite served, MCP connected) would drown the progress lines.
  const logger = options.logger.child({ component: "bench" }, { level: "warn" });
  const date = searchDate(startedAt);
  const prompt = FLIGHT_PROMPT(date);
  const pairs = loadPairs();
  const loadStart = loadavg().map((x) => round(x, 2));
  let valkeyVersion = "unknown";
  let postgresVersion = "unknown";

  try {
    // The world, seeded once; copies serve the child processes.
    const template = tempDir("flightly-bench-world-", cleanup);
    progress(`seeding the world in ${template}`);
    const seeded = await seedWorld(benchConfig(valkeyUrl, template), logger);
    figures["setup.seed_ms"] = single(
      round(seeded.ms, 0),
      "ms",
      1,
      "seed() of the world into a fresh PGlite",
    );
    const served = tempDir("flightly-bench-serve-", cleanup);
    copyWorld(template, served);

    // In-process stages on the template.
    const services = options.only ? undefined : await openServices(benchConfig(valkeyUrl, template), logger);
    if (services)
      try {
        const info = String(await services.store.command("INFO", "server"));
        const version = /(?:valkey|redis)_version:(\S+)/.exec(info);
        valkeyVersion = `${/valkey_version/.test(info) ? "valkey" : "redis"} ${version?.[1] ?? "?"}`;
        const [pgRow] = await services.db.sql<{ v: string; vec: string | null }[]>`
        SELECT current_setting('server_version') AS v,
               (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS vec`;
        postgresVersion = `PGlite (Postgres ${pgRow?.v ?? "?"}), pgvector ${pgRow?.vec ?? "?"}`;

        // The floor, in three slices spread over the in-process stages and pooled.
        const floorValkey: number[] = [];
        const floorPg: number[] = [];
        const floor = async (): Promise<void> => {
          const n = Math.ceil(s.floorRuns / 3);
          floorValkey.push(...(await timeEach(n, () => services.store.ping(), { warmup: 50 })));
          floorPg.push(...(await timeEach(n, () => services.db.sql`SELECT 1`, { warmup: 50 })));
        };
        progress("floor: Valkey PING and Postgres SELECT 1");
        await floor();

        progress(`per-turn overhead, ${s.turns} turns per variant`);
        const script = flightScript(flightInput(date));
        const app = await buildApp(services, {
          model: script.model,
          worker: false,
          semanticCache: false,
          cacheNamespace: `bench-${process.pid}-${Date.now()}`,
        });
        try {
          Object.assign(
            figures,
            await benchTurn(
              {
                app,
                sql: services.db.sql,
                store: services.store,
                prompt,
                actorId: "1",
                toolErrors: script.toolErrors,
              },
              s.turns,
            ),
          );
        } finally {
          await app.close();
        }
        const cachedApp = await buildApp(services, {
          model: flightScript(flightInput(date)).model,
          worker: false,
          cacheNamespace: `bench-hit-${process.pid}-${Date.now()}`,
        });
        try {
          Object.assign(figures, await benchCacheHitTurn(cachedApp, services.store, prompt, "1", s.turns));
        } finally {
          await cachedApp.close();
        }
        // The stages on the local planner: its answers to a policy and a weather question use tools,
        // so they are cached (the flight script answers only flight searches).
        const stagesApp = await buildApp(services, {
          worker: false,
          cacheNamespace: `bench-stages-${process.pid}-${Date.now()}`,
        });
        try {
          Object.assign(figures, await benchCacheStages(stagesApp, s.turns));
        } finally {
          await stagesApp.close();
        }

        progress(`agent loops, ours vs Strands, ${s.loops} turns each`);
        const wire = await loadBedrockServer();
        const loops = await benchLoops(
          {
            sql: services.db.sql,
            logger,
            date,
            prompt,
            systemPrompt: (await import("../agents/booking.js")).bookingAgent.systemPrompt,
          },
          s.loops,
          s.wireTurns,
          wire.module,
          wire.error,
        );
        Object.assign(figures, loops.figures);
        notes.push(...loops.notes);

        await floor();
        progress(`tool cache, ${s.toolCache} calls per case`);
        const cacheDeps = {
          store: services.store,
          sql: services.db.sql,
          embedder: services.embedder,
          logger,
          date,
          threshold: services.config.semanticCache.threshold,
        };
        Object.assign(figures, await benchToolCache(cacheDeps, s.toolCache));

        progress(`semantic cache, ${pairs.length} labelled pairs`);
        const semantic = await benchSemanticCache(cacheDeps, pairs, s.semanticRounds);
        Object.assign(figures, semantic.figures);
        if (semantic.falseHits.length > 0) {
          notes.push(
            `semantic cache false hits: ${semantic.falseHits.map((h) => `[${h.kind}] "${h.a}" ⇢ "${h.b}" (${h.similarity})`).join("; ")}`,
          );
        }
        progress("response cache on the public check pairs (ATIS, CLINC150)");
        const publicPairs = await benchCachePairs(services.config.semanticCache.threshold, services.embedder);
        Object.assign(figures, publicPairs.figures);
        notes.push(...publicPairs.notes);
        await floor();
        figures["floor.valkey_ping"] = summarize(
          floorValkey,
          "ms",
          "one PING through the product's Valkey client (3 slices over the in-process stages, pooled)",
        );
        figures["floor.pg_select_1"] = summarize(
          floorPg,
          "ms",
          "one SELECT 1 through postgres.js over the loopback PGlite socket (3 slices, pooled)",
        );
        notes.push(
          `semantic cache threshold sweep (replayed per pair: cosine of the normalised texts + the entity check; configured ${services.config.semanticCache.threshold}${semantic.sweepMismatches > 0 ? `, ${semantic.sweepMismatches} pairs differ from the real lookups` : ", agrees with the real lookups"}): ` +
            semantic.sweep
              .map(
                (x) =>
                  `${x.threshold} → recall ${round(x.recall * 100, 1)}%, ${x.falseHits} false hit${x.falseHits === 1 ? "" : "s"}`,
              )
              .join("; "),
        );
        const missed = Object.entries(semantic.byKind)
          .filter(([k, v]) => k.endsWith(":same") && v.hits < v.pairs)
          .map(([k, v]) => `${k.replace(":same", "")} ${v.hits}/${v.pairs}`);
        if (missed.length > 0)
          notes.push(`semantic cache hits by kind of same-meaning pair: ${missed.join(", ")}`);
      } finally {
        await services.close();
      }

    // Child processes: cold starts, then ours and the peer side by side.
    const runtime = await benchRuntime({
      env: (dir) => benchEnv(process.env, valkeyUrl, dir),
      served,
      freshDir: () => tempDir("flightly-bench-fresh-", cleanup),
      seededDir: () => {
        const dir = tempDir("flightly-bench-seeded-", cleanup);
        copyWorld(template, dir);
        return dir;
      },
      prompt,
      conversation: CONVERSATION(date),
      pairs,
      settings: options.only ? { ...s, coldSeeded: 1, coldFresh: 0 } : s,
      pressure: !options.only,
      progress,
    });
    Object.assign(figures, runtime.figures);
    notes.push(...runtime.notes);

    // Long-term recall last: the largest and slowest build.
    // After each build the bench reconnects: the embedded host restarts on the grown data dir.
    const worldConfig = benchConfig(valkeyUrl, template);
    const world = options.only ? undefined : { services: await openServices(worldConfig, logger) };
    if (world)
      try {
        const recall = await benchRecall({
          sql: world.services.db.sql,
          embedder: world.services.embedder,
          scales: [...s.recallScales],
          runs: s.recallRuns,
          recallQueries: s.recallQueries,
          maintenanceWorkMem: "512MB",
          reopen: reopener(world, worldConfig, logger),
          progress,
        });
        Object.assign(figures, recall.figures);
        notes.push(...recall.notes);
      } finally {
        await world.services.close();
      }
    if (options.quick) notes.push("quick run: long-term recall at 10k only (100k is built in the full run)");
  } finally {
    for (const c of cleanup.reverse()) {
      try {
        c();
      } catch {
        // best effort
      }
    }
  }

  figures["machine.load_1m"] = summarize(
    loadSamples,
    "load",
    "1-minute load average at the start of each stage (2 cores: above 2, other work shared the CPUs)",
  );
  const result: BenchResult = {
    schema: 1,
    date: startedAt.toISOString(),
    mode,
    durationS: round((performance.now() - started) / 1000, 1),
    machine: {
      ...machine(),
      valkey: valkeyVersion,
      postgres: postgresVersion,
      loadAverage: { start: loadStart, end: loadavg().map((x) => round(x, 2)) },
    },
    settings: { ...s, valkeyUrl: redact(valkeyUrl), turnsPerSession: 10, searchDate: date },
    figures,
    ratios: computeRatios(figures),
    notes,
  };
  if (!options.only) write(result, options);
  return result;
}

/** Drops credentials from a URL before it is written anywhere. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(invalid URL)";
  }
}

/** Writes this run's JSON, then the chart and BENCHMARKS.md (see `writeReport`). */
function write(result: BenchResult, options: RunOptions): void {
  const dir = options.resultsDir ?? join(ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const name = `${isoDay(new Date(result.date))}${result.mode === "quick" ? "-quick" : ""}.json`;
  writeFileSync(join(dir, name), `${JSON.stringify(result, null, 2)}\n`);
  writeReport(dir, options.markdownFile ?? join(ROOT, "BENCHMARKS.md"));
}
