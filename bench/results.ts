/** A bench run's result object, its ratios, and the results files (`bench/results/<date>.json`). */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Machine } from "./setup.js";
import { type Figure, ratio } from "./stats.js";

export interface Ratio {
  value: number;
  /** What is divided by what, in words. */
  of: string;
}

export interface BenchResult {
  schema: 1;
  /** ISO time the run started. */
  date: string;
  mode: "quick" | "full";
  durationS: number;
  machine: Machine;
  settings: Record<string, unknown>;
  figures: Record<string, Figure>;
  ratios: Record<string, Ratio>;
  notes: string[];
}

/** The ratios the report shows: ours vs the peers, vs the floor, and within Flightly (medians). */
export function computeRatios(f: Record<string, Figure>): Record<string, Ratio> {
  const med = (k: string): number | undefined => f[k]?.median;
  const val = (k: string): number | undefined => f[k]?.value;
  const out: Record<string, Ratio> = {};
  const add = (key: string, value: number, of: string): void => {
    if (Number.isFinite(value)) out[key] = { value, of };
  };
  add(
    "loop.ours_over_strands",
    ratio(med("loop.ours.scripted"), med("loop.strands.scripted")),
    "our agent loop / Strands' agent loop, scripted models, medians (below 1: ours is faster)",
  );
  add(
    "turn.full_over_strands_loop",
    ratio(med("turn.full"), med("loop.strands.scripted")),
    "our full turn (memory, routing, checkpoint, history) / Strands' bare loop, medians",
  );
  add(
    "loop.wire.ours_converse_over_strands_stream",
    ratio(med("loop.ours.bedrock_converse"), med("loop.strands.bedrock_stream")),
    "Bedrock wire: ours (Converse, no client watching) / Strands (its default streaming)",
  );
  add(
    "loop.wire.ours_stream_over_strands_stream",
    ratio(med("loop.ours.bedrock_stream"), med("loop.strands.bedrock_stream")),
    "Bedrock wire: both streaming",
  );
  add(
    "loop.wire.ours_converse_over_strands_converse",
    ratio(med("loop.ours.bedrock_converse"), med("loop.strands.bedrock_converse")),
    "Bedrock wire: both Converse (non-streaming)",
  );
  add(
    "http.exact_hit_rps_over_peer",
    ratio(val("http.ours.exact_hit.rps"), val("http.peer.invocations.rps")),
    "our /invocations exact-hit req/s / the peer's trivial handler req/s (1 = the bar)",
  );
  add(
    "http.semantic_hit_rps_over_peer",
    ratio(val("http.ours.semantic_hit.rps"), val("http.peer.invocations.rps")),
    "our semantic-hit req/s / the peer's trivial handler",
  );
  add(
    "http.full_path_rps_over_peer",
    ratio(val("http.ours.full_path.rps"), val("http.peer.invocations.rps")),
    "our full-path req/s / the peer's trivial handler",
  );
  add(
    "http.ping_rps_over_peer",
    ratio(val("http.ours.ping.rps"), val("http.peer.ping.rps")),
    "our /ping req/s / the peer's /ping req/s",
  );
  add(
    "http.exact_hit_latency_over_peer",
    ratio(med("http.ours.exact_hit.latency"), med("http.peer.invocations.latency")),
    "median latency under load, exact hit / peer trivial handler",
  );
  add(
    "http.full_path_latency_over_peer",
    ratio(med("http.ours.full_path.latency"), med("http.peer.invocations.latency")),
    "median latency under load, full path / peer trivial handler",
  );
  add(
    "http.ping_latency_over_peer",
    ratio(med("http.ours.ping.latency"), med("http.peer.ping.latency")),
    "median /ping latency under load, ours / peer",
  );
  add(
    "tool_cache.miss_over_hit",
    ratio(med("tool_cache.miss"), med("tool_cache.hit")),
    "search_flights miss / hit, medians",
  );
  add(
    "tool_cache.hit_over_valkey_ping",
    ratio(med("tool_cache.hit"), med("floor.valkey_ping")),
    "a tool-cache hit in Valkey round trips",
  );
  add(
    "turn.full_over_pg_select_1",
    ratio(med("turn.full"), med("floor.pg_select_1")),
    "a full turn in PGlite SELECT 1 round trips",
  );
  add(
    "recall.100k_over_10k",
    ratio(med("recall.100k.heavy.latency"), med("recall.10k.heavy.latency")),
    "recall latency growth from 10k to 100k memories (heavy actor)",
  );
  return out;
}

/** The results in `dir`, oldest first (files named `<YYYY-MM-DD>[-quick].json`). */
export function readResults(dir: string): BenchResult[] {
  if (!existsSync(dir)) return [];
  const out: BenchResult[] = [];
  for (const f of readdirSync(dir).filter((x) => /^\d{4}-\d{2}-\d{2}(-quick)?\.json$/.test(x))) {
    try {
      out.push(JSON.parse(readFileSync(join(dir, f), "utf8")) as BenchResult);
    } catch {
      // not a results file
    }
  }
  return out.sort((a, b) => a.date.localeCompare(b.date));
}
