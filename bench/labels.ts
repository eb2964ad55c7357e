/** Human names of the bench figures, and their table order. */
import type { Figure } from "./stats.js";

/** Human names of the figures, in table order; keys not listed follow in their own order. */
const LABELS: Array<[string, string]> = [
  ["floor.valkey_ping", "Valkey `PING` round trip (iovalkey)"],
  ["floor.pg_select_1", "Postgres `SELECT 1` over the PGlite socket (postgres.js)"],
  ["turn.full", "Turn overhead, full path (search_flights uncached)"],
  ["turn.full_tool_cache_hit", "Turn overhead, full path (search_flights tool-cache hit)"],
  ["turn.full.valkey_round_trips", "  Valkey round trips per full turn"],
  ["turn.timing_ms.context", "  timing_ms.context (profile, history, state, checkpoint, recall)"],
  ["turn.timing_ms.route", "  timing_ms.route (embed + nearest route)"],
  ["turn.timing_ms.prepare", "  timing_ms.prepare (context ∥ route)"],
  ["turn.timing_ms.agents", "  timing_ms.agents (2 model calls, 1 tool, state, checkpoints)"],
  ["turn.timing_ms.record", "  timing_ms.record (history append + memory events)"],
  ["turn.timing_ms.total", "  timing_ms.total"],
  ["turn.exact_hit", "Turn answered by the semantic cache (exact hit), in-process"],
  [
    "turn.exact_hit.valkey_round_trips",
    "  Valkey round trips per exact-hit turn (+2 for the HTTP session lease)",
  ],
  ["loop.ours.scripted", "Agent loop, ours (runAgent), scripted model"],
  ["loop.strands.scripted", "Agent loop, Strands Agent, scripted model"],
  ["loop.ours.bedrock_converse", "Agent loop, ours, Bedrock wire, Converse"],
  ["loop.ours.bedrock_stream", "Agent loop, ours, Bedrock wire, ConverseStream"],
  ["loop.strands.bedrock_stream", "Agent loop, Strands, Bedrock wire, streaming (default)"],
  ["loop.strands.bedrock_converse", "Agent loop, Strands, Bedrock wire, stream: false"],
  ["http.ours.ping.latency", "`GET /ping`, ours"],
  ["http.peer.ping.latency", "`GET /ping`, peer AgentCore app"],
  ["http.ours.exact_hit.latency", "`/invocations` semantic-cache exact hit, ours"],
  ["http.ours.semantic_hit.latency", "`/invocations` semantic-cache semantic hit, ours"],
  ["http.ours.full_path.latency", "`/invocations` full local-planner path, ours"],
  ["http.peer.invocations.latency", "`/invocations` trivial handler, peer AgentCore app"],
  ["http.ours.ping.rps", "`GET /ping` throughput, ours"],
  ["http.peer.ping.rps", "`GET /ping` throughput, peer"],
  ["http.ours.exact_hit.rps", "`/invocations` exact-hit throughput, ours"],
  ["http.ours.semantic_hit.rps", "`/invocations` semantic-hit throughput, ours"],
  ["http.ours.full_path.rps", "`/invocations` full-path throughput, ours"],
  ["http.peer.invocations.rps", "`/invocations` throughput, peer"],
  ["tool_cache.hit", "search_flights via tool cache, hit"],
  ["tool_cache.miss", "search_flights via tool cache, miss"],
  ["tool_cache.uncached", "search_flights, bare handler"],
  ["semantic_cache.lookup_exact_hit", "Semantic cache lookup, exact hit"],
  ["semantic_cache.lookup_embedding_computed", "Semantic cache lookup, embedding computed (local)"],
  ["semantic_cache.lookup_embedding_cached", "Semantic cache lookup, embedding from Valkey cache"],
  ["semantic_cache.lookup_semantic_hit", "Semantic cache lookup, semantic hit"],
  [
    "semantic_cache.lookup_semantic_hit_pgvector",
    "Semantic cache lookup, semantic hit, neighbours from pgvector",
  ],
  ["semantic_cache.stage.exact_hit_self_contained", "Cache stage, exact hit of a self-contained request"],
  ["semantic_cache.stage.exact_hit_context", "Cache stages, exact hit reading the session context"],
  ["semantic_cache.stage.session_gate", "Session lease before a context lookup"],
  ["semantic_cache.embed_local", "Local embedder, one text"],
  ["semantic_cache.recall", "Semantic cache recall (same-meaning pairs hit)"],
  ["semantic_cache.false_hits", "Semantic cache false hits (different-meaning pairs)"],
  ["semantic_cache.false_hit_rate", "Semantic cache false-hit rate"],
  ["cold_start.seeded.listen", "Cold start, seeded DATA_DIR: spawn → first `/ping`"],
  ["cold_start.seeded.ready", "Cold start, seeded DATA_DIR: spawn → `/ping` Healthy (ready)"],
  ["cold_start.fresh.listen", "Cold start, fresh DATA_DIR: spawn → first `/ping`"],
  ["cold_start.fresh.ready", "Cold start, fresh DATA_DIR: spawn → ready (migrate + seed)"],
  ["cli.invoke_seeded", "`flightly invoke`, seeded DATA_DIR: spawn → answer printed → exit"],
  ["cold_start.peer.listen", "Cold start, peer app: spawn → first `/ping`"],
  ["memory.rss_after_start", "RSS after start, runtime process"],
  [
    "memory.rss_after_start_with_mcp",
    "RSS after start, every process (runtime + embedded database host + any MCP children)",
  ],
  ["memory.rss_after_load", "RSS after the load runs, runtime process"],
  ["memory.rss_after_load_with_mcp", "RSS after the load runs, every process"],
  ["http.ours.ping_during_full_path.latency", "`GET /ping` while the full path is loaded, ours"],
  [
    "http.ours.ping_during_long_query.latency",
    "`GET /ping` while a long statement holds the embedded database",
  ],
  ["machine.load_1m", "Machine load (1-min average) at each stage"],
  ["memory.peer_rss_after_start", "RSS after start, peer app"],
  ["memory.peer_rss_after_load", "RSS after the load runs, peer app"],
  ["setup.seed_ms", "Seeding the world once (setup, for reference)"],
  ["cache_audit.audited", "Cache hits recomputed by the audit over the run's loads"],
  ["cache_audit.mismatched", "Audited hits whose recomputation differed"],
  ["cache_audit.mismatch_rate", "Audit mismatch rate (differed / audited)"],
];
const LABEL = new Map(LABELS);

export function labelOf(key: string): string {
  if (LABEL.has(key)) return LABEL.get(key)!;
  const m = /^recall\.(\w+)\.(heavy|light)\.(latency|recall_at_5|exact_latency|plain_latency)$/.exec(key);
  if (m) {
    const who = m[2] === "heavy" ? "heavy actor" : "light actor";
    const what = {
      latency: "recall latency (product path)",
      recall_at_5: "recall@5 vs exact",
      exact_latency: "exact search",
      plain_latency: "bare HNSW query",
    }[m[3] as "latency" | "recall_at_5" | "exact_latency" | "plain_latency"];
    return `Long-term ${what}, ${m[1]} memories, ${who}`;
  }
  const c = /^http\.ours\.sessions_(\d+)x(\d+)\.(latency|rps)$/.exec(key);
  if (c)
    return `Conversation load, ${c[1]} sessions × ${c[2]} turns: ${c[3] === "rps" ? "throughput" : "turn latency"}`;
  const b = /^recall\.(\w+)\.(insert_ms|hnsw_build_ms)$/.exec(key);
  if (b) return `Long-term ${b[2] === "insert_ms" ? "embed + insert" : "HNSW build"}, ${b[1]} memories`;
  return key;
}

/** Figure keys in table order. */
export function orderedKeys(figures: Record<string, Figure>): string[] {
  const known = LABELS.map(([k]) => k).filter((k) => figures[k] !== undefined);
  const rest = Object.keys(figures).filter((k) => !LABEL.has(k));
  return [...known, ...rest];
}
