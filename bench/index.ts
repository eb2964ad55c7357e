/**
 * `flightly bench`: see BENCHMARKS.md for the method. The stages and their dev dependencies
 * (Strands, bedrock-agentcore, autocannon, TypeScript) load only when the command runs, so every
 * other `flightly` command starts without them (the container ships without dev dependencies).
 */
import type { Config } from "../core/config.js";
import type { Logger } from "../core/logger.js";

export interface BenchOptions {
  config: Config;
  logger: Logger;
  /** CI smoke: fewer iterations, finishes in under two minutes. */
  quick: boolean;
  /** One section alone: `http` (see `RunOptions.only`). */
  only?: "http";
}

export interface RecallBenchOptions {
  config: Config;
  logger: Logger;
  scales: readonly string[];
  dataDir?: string;
  databaseUrl?: string;
}

/** `flightly bench --only recall`: the long-term recall stage alone (see `recall-only.ts`). */
export async function runRecallBench(options: RecallBenchOptions): Promise<void> {
  // Without a seeded world the host applies its setup limit (10 min) to every statement.
  process.env.EMBEDDED_PG_STATEMENT_TIMEOUT_MS ??= "1800000";
  process.env.EMBEDDED_PG_SETUP_TIMEOUT_MS ??= "1800000";
  const { runRecallOnly } = await import("./recall-only.js");
  await runRecallOnly(options);
}

export async function runBench(options: BenchOptions): Promise<void> {
  // The embedded host this process starts (it inherits this environment) cuts a statement after
  // 10 s by default; the recall stage builds its HNSW index over the bench's memories in one.
  process.env.EMBEDDED_PG_STATEMENT_TIMEOUT_MS ??= "1800000";
  const { run } = await import("./run.js");
  const result = await run(options);
  const f = result.figures;
  const line = (label: string, key: string): string => {
    const x = f[key];
    if (!x) return `  ${label}: not measured`;
    const central = x.median ?? x.value;
    return `  ${label}: ${central} ${x.unit}${x.p99 === undefined ? "" : ` (p99 ${x.p99})`}`;
  };
  const summary = [
    `flightly bench (${result.mode}) finished in ${result.durationS} s`,
    line("turn overhead", "turn.full"),
    line("our loop", "loop.ours.scripted"),
    line("Strands loop", "loop.strands.scripted"),
    line("/invocations exact hit", "http.ours.exact_hit.rps"),
    line("/invocations semantic hit", "http.ours.semantic_hit.rps"),
    line("peer /invocations", "http.peer.invocations.rps"),
    line("CPU per exact hit", "http.ours.exact_hit.cpu_per_request"),
    line("CPU per semantic hit", "http.ours.semantic_hit.cpu_per_request"),
    line("CPU per peer /invocations", "http.peer.invocations.cpu_per_request"),
    line("cache stage, exact hit (self-contained)", "semantic_cache.stage.exact_hit_self_contained"),
    line("cache stages, exact hit (session context)", "semantic_cache.stage.exact_hit_context"),
    line("cache lookup, semantic hit", "semantic_cache.lookup_semantic_hit"),
    line("cache recall, check pairs", "cache_pairs.check.same.recall"),
    line("cache false hits, ATIS check pairs", "cache_pairs.check.atis_different.false_hits"),
    line("cache false hits, CLINC150 check pairs", "cache_pairs.check.clinc_different.false_hits"),
    line("Valkey PING", "floor.valkey_ping"),
    line("PG SELECT 1", "floor.pg_select_1"),
    ...Object.entries(result.ratios).map(([k, r]) => `  ${k}: ${r.value}×`),
    `  load average: start ${result.machine.loadAverage.start.join(" ")}, end ${result.machine.loadAverage.end.join(" ")}`,
    options.only ? "results: not written (--only)" : "results: bench/results/, BENCHMARKS.md",
  ];
  process.stdout.write(`${summary.join("\n")}\n`);
}
