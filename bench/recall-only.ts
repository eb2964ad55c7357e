/**
 * `flightly bench --only recall`: the long-term recall stage on its own, at the scales asked for
 * (`--scales 10k,100k`, the full run's by default). By default on a fresh embedded database in a
 * temp directory, as the full run; `--data-dir DIR` keeps the embedded database in DIR so a later
 * run reuses its memories and HNSW index (the 100k build is the slow part), and `--database-url
 * URL` measures a PostgreSQL server instead (migrated first). Figures go to stdout as JSON and to
 * `bench/results/<day>-recall-<db>.json`; BENCHMARKS.md is left to the full run.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import type { Config } from "../core/config.js";
import type { Logger } from "../core/logger.js";
import { ROOT } from "../core/paths.js";
import { openServices } from "../orchestrator/runtime/services.js";
import { benchRecall, type RecallScale } from "./recall.js";
import { benchConfig, DEFAULT_BENCH_VALKEY_URL, isoDay, machine, reopener, tempDir } from "./setup.js";
import { round } from "./stats.js";

export interface RecallOnlyOptions {
  config: Config;
  logger: Logger;
  /** `10k`, `100k`, … (a number with an optional k suffix). */
  scales: readonly string[];
  dataDir?: string;
  databaseUrl?: string;
  runs?: number;
  recallQueries?: number;
}

/** `100k` → 100000; throws on anything else. */
function parseScale(label: string): RecallScale {
  const m = /^(\d+)(k?)$/i.exec(label.trim());
  if (!m) throw new Error(`not a scale: "${label}" (e.g. 10k, 100k)`);
  return { label: label.trim().toLowerCase(), total: Number(m[1]) * (m[2] ? 1_000 : 1) };
}

export async function runRecallOnly(o: RecallOnlyOptions): Promise<void> {
  const started = performance.now();
  const progress = (message: string): void => {
    const t = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
    process.stderr.write(`[bench ${t}s] (load ${round(loadavg()[0] ?? Number.NaN, 2)}) ${message}\n`);
  };
  const cleanup: Array<() => void> = [];
  const valkeyUrl = o.config.valkey.url ?? DEFAULT_BENCH_VALKEY_URL;
  const dataDir = o.dataDir ?? tempDir("flightly-bench-recall-", cleanup);
  const extra: Record<string, string> = o.databaseUrl ? { DATABASE_URL: o.databaseUrl } : {};
  const logger = o.logger.child({ component: "bench" }, { level: "warn" });
  const scales = o.scales.map(parseScale).sort((a, b) => a.total - b.total);
  try {
    const config = benchConfig(valkeyUrl, dataDir, extra);
    const world = { services: await openServices(config, logger) };
    try {
      const [pg] = await world.services.db.sql<{ v: string; vec: string | null }[]>`
        SELECT current_setting('server_version') AS v,
               (SELECT extversion FROM pg_extension WHERE extname = 'vector') AS vec`;
      const database = `${o.databaseUrl ? "PostgreSQL" : "PGlite"} ${pg?.v ?? "?"}, pgvector ${pg?.vec ?? "?"}`;
      progress(`long-term recall on ${database}, ${o.dataDir ? `data dir ${dataDir}` : "fresh data dir"}`);
      const loadStart = loadavg().map((x) => round(x, 2));
      const recall = await benchRecall({
        sql: world.services.db.sql,
        embedder: world.services.embedder,
        scales,
        runs: o.runs ?? 300,
        recallQueries: o.recallQueries ?? 100,
        maintenanceWorkMem: "512MB",
        reuse: true,
        // As the full run: after a build the embedded host restarts on the grown data dir.
        ...(o.databaseUrl ? {} : { reopen: reopener(world, config, logger) }),
        progress,
      });
      const result = {
        date: new Date().toISOString(),
        mode: "recall",
        database,
        machine: { ...machine(), loadAverage: { start: loadStart, end: loadavg().map((x) => round(x, 2)) } },
        durationS: round((performance.now() - started) / 1000, 1),
        figures: recall.figures,
        notes: recall.notes,
      };
      const dir = join(ROOT, "bench", "results");
      mkdirSync(dir, { recursive: true });
      const kind = o.databaseUrl ? "postgres" : "pglite";
      writeFileSync(
        join(dir, `${isoDay(new Date())}-recall-${kind}.json`),
        `${JSON.stringify(result, null, 2)}\n`,
      );
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } finally {
      await world.services.close();
    }
  } finally {
    for (const c of cleanup.reverse()) c();
  }
}
