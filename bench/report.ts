/**
 * The latency chart (`latency.svg`) and `BENCHMARKS.md`, rendered from result objects alone so
 * they can be regenerated from the results files.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { labelOf, orderedKeys } from "./labels.js";
import { type BenchResult, readResults } from "./results.js";
import { barChartSvg } from "./svg.js";

const num = (v: number | undefined, digits = 3): string => {
  if (v === undefined || !Number.isFinite(v)) return "—";
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en-US");
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return Number(v.toFixed(digits)).toString();
};

const times = (v: number): string => {
  if (!Number.isFinite(v)) return "—";
  return `${v >= 10 ? num(v) : Number(v.toPrecision(v < 0.1 ? 2 : 3)).toString()}×`;
};

/** The latency chart: medians and p99 of the request-path figures, floor included. */
function latencyChart(result: BenchResult): string {
  const rows: Array<[string, string]> = [
    ["floor.valkey_ping", "Valkey PING (floor)"],
    ["floor.pg_select_1", "PGlite SELECT 1 (floor)"],
    ["tool_cache.hit", "search_flights, tool-cache hit"],
    ["tool_cache.miss", "search_flights, tool-cache miss"],
    ["semantic_cache.lookup_exact_hit", "semantic cache lookup, exact"],
    ["semantic_cache.lookup_embedding_computed", "semantic cache lookup, embed + pgvector"],
    ["loop.ours.scripted", "agent loop, ours, scripted"],
    ["loop.strands.scripted", "agent loop, Strands, scripted"],
    ["loop.ours.bedrock_converse", "agent loop, ours, Bedrock wire (Converse)"],
    ["loop.ours.bedrock_stream", "agent loop, ours, Bedrock wire (stream)"],
    ["loop.strands.bedrock_stream", "agent loop, Strands, Bedrock wire (stream)"],
    ["turn.exact_hit", "turn, semantic-cache exact hit"],
    ["turn.full", "turn, full path"],
    ["recall.10k.heavy.latency", "long-term recall, 10k memories"],
    ["recall.100k.heavy.latency", "long-term recall, 100k memories"],
    ["http.ours.ping.latency", "HTTP GET /ping, ours"],
    ["http.peer.ping.latency", "HTTP GET /ping, peer"],
    ["http.peer.invocations.latency", "HTTP /invocations, peer (empty handler)"],
    ["http.ours.exact_hit.latency", "HTTP /invocations, ours, exact hit"],
    ["http.ours.semantic_hit.latency", "HTTP /invocations, ours, semantic hit"],
    ["http.ours.full_path.latency", "HTTP /invocations, ours, full path"],
  ];
  return barChartSvg({
    title: "Flightly latency: median and p99 (ms, log scale)",
    subtitle: `${result.mode} run ${result.date.slice(0, 10)} · ${result.machine.cores} cores ${result.machine.cpuModel} · Node ${result.machine.node} · HTTP rows under 20-connection load`,
    unit: "ms",
    series: ["median", "p99"],
    rows: rows
      .filter(([k]) => result.figures[k]?.median !== undefined)
      .map(([k, label]) => ({ label, values: [result.figures[k]!.median, result.figures[k]!.p99] })),
  });
}

/** Durations of the newest quick and full runs found in `dir`. */
function runDurations(dir: string): { quick?: number; full?: number } {
  const out: { quick?: number; full?: number } = {};
  if (!existsSync(dir)) return out;
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}-\d{2}-\d{2}(-quick)?\.json$/.test(f))
    .sort();
  for (const f of files) {
    try {
      const r = JSON.parse(readFileSync(join(dir, f), "utf8")) as BenchResult;
      out[r.mode] = r.durationS;
    } catch {
      // not ours
    }
  }
  return out;
}

/** Table sections, by key prefix. */
const GROUPS: Array<[string, string[]]> = [
  ["The floor", ["floor."]],
  ["Per-turn orchestration overhead (zero-latency scripted model)", ["turn."]],
  ["Agent loop, side by side with Strands", ["loop."]],
  ["HTTP under load: ours vs the peer AgentCore app", ["http."]],
  ["Tool cache and semantic cache", ["tool_cache.", "semantic_cache."]],
  ["Long-term recall", ["recall."]],
  ["Cold start and memory", ["cold_start.", "memory.", "setup."]],
];

/** Figures given as multiples of the floor: the request path, not builds or start-up. */
const FLOOR_MULTIPLES = [
  /^turn\./,
  /^loop\./,
  /^http\..*\.latency$/,
  /^tool_cache\./,
  /^semantic_cache\.(lookup|embed)/,
  /^recall\..*latency$/,
];

const PEER_RATIO = /^loop\.|over_peer$|over_strands/;

/** DESIGN §9's reference figures (2 cores, loopback) next to this run's. */
const REFERENCE: Array<[string, number, string]> = [
  ["loop.ours.bedrock_converse", 4.0, "turn of 2 model calls + 1 tool, AWS SDK Converse to a local server"],
  ["loop.ours.bedrock_stream", 6.3, "the same with ConverseStream"],
  ["loop.strands.bedrock_stream", 7.2, "the same through Strands' agent loop"],
  ["floor.valkey_ping", 0.055, "Valkey round trip"],
  ["floor.pg_select_1", 0.32, "PGlite `SELECT 1` over the wire protocol"],
  ["http.peer.invocations.rps", 15_800, "`bedrock-agentcore` app, trivial `/invocations`"],
  ["http.peer.ping.rps", 41_600, "`bedrock-agentcore` app, `/ping`"],
  ["http.ours.exact_hit.rps", 15_800, "our cache-hit path (the bar: match the empty handler)"],
];

/** One-line readings of the main ratios, generated from the numbers of this result. */
function headlines(result: BenchResult): string[] {
  const f = result.figures;
  const r = result.ratios;
  const med = (k: string): string => num(f[k]?.median);
  const val = (k: string): string => num(f[k]?.value);
  const out: string[] = [];
  const x = (k: string): string => times(r[k]?.value ?? Number.NaN);
  if (f["turn.full"]) {
    out.push(
      `A full turn costs ${med("turn.full")} ms of our own time (median, p99 ${num(f["turn.full"].p99)} ms) with a zero-latency model: ${x("turn.full_over_pg_select_1")} a PGlite \`SELECT 1\`, ${f["turn.full.valkey_round_trips"]?.value ?? "?"} Valkey round trips.`,
    );
  }
  if (r["loop.ours_over_strands"]) {
    out.push(
      `Our agent loop alone takes ${med("loop.ours.scripted")} ms against ${med("loop.strands.scripted")} ms for Strands' \`Agent\` on the same scripted conversation and tool (${x("loop.ours_over_strands")}); the full turn with memory, routing and checkpoints is ${x("turn.full_over_strands_loop")} Strands' bare loop.`,
    );
  }
  if (r["loop.wire.ours_converse_over_strands_stream"]) {
    out.push(
      `Through the AWS SDK to a local Bedrock-protocol server: ours ${med("loop.ours.bedrock_converse")} ms (Converse) / ${med("loop.ours.bedrock_stream")} ms (ConverseStream), Strands ${med("loop.strands.bedrock_stream")} ms (streaming) / ${med("loop.strands.bedrock_converse")} ms (\`stream: false\`).`,
    );
  }
  if (f["http.ours.exact_hit.rps"] && f["http.peer.invocations.rps"]) {
    out.push(
      `\`/invocations\` answered from the semantic cache: ${val("http.ours.exact_hit.rps")} req/s exact, ${val("http.ours.semantic_hit.rps")} req/s semantic, against ${val("http.peer.invocations.rps")} req/s for the peer's empty handler (${x("http.exact_hit_rps_over_peer")} the bar); the full local-planner path: ${val("http.ours.full_path.rps")} req/s. \`/ping\`: ${val("http.ours.ping.rps")} vs ${val("http.peer.ping.rps")} req/s.`,
    );
  }
  if (f["tool_cache.hit"]) {
    out.push(
      `Tool cache: a \`search_flights\` hit takes ${med("tool_cache.hit")} ms, a miss ${med("tool_cache.miss")} ms (${x("tool_cache.miss_over_hit")}).`,
    );
  }
  if (f["semantic_cache.recall"]) {
    out.push(
      `Semantic cache on the labelled pairs: recall ${num((f["semantic_cache.recall"].value ?? 0) * 100, 1)}% of same-meaning pairs, ${val("semantic_cache.false_hits")} false hits in ${f["semantic_cache.false_hits"]?.n ?? "?"} different-meaning pairs; a lookup costs ${med("semantic_cache.lookup_embedding_computed")} ms (exact hit ${med("semantic_cache.lookup_exact_hit")} ms).`,
    );
  }
  for (const scale of ["10k", "100k"]) {
    if (!f[`recall.${scale}.heavy.latency`]) continue;
    out.push(
      `Long-term recall at ${scale} memories: ${med(`recall.${scale}.heavy.latency`)} ms median, p99 ${num(f[`recall.${scale}.heavy.latency`]?.p99)} ms (bare HNSW query ${med(`recall.${scale}.heavy.plain_latency`)} ms, exact search ${med(`recall.${scale}.heavy.exact_latency`)} ms), recall@5 ${val(`recall.${scale}.heavy.recall_at_5`)}.`,
    );
  }
  const conversation = Object.keys(f).find((k) => /^http\.ours\.sessions_\d+x\d+\.latency$/.test(k));
  if (f["http.ours.ping_during_full_path.latency"] || conversation) {
    out.push(
      `Under pressure: \`/ping\` p99 ${num(f["http.ours.ping_during_full_path.latency"]?.p99)} ms while the full path is loaded and ${num(f["http.ours.ping_during_long_query.latency"]?.p99)} ms while a long statement holds the embedded database${conversation ? `; conversation load (${conversation.replace(/^http\.ours\.sessions_(\d+)x(\d+)\.latency$/, "$1 sessions × $2 turns")}) p99 ${num(f[conversation]?.p99)} ms at ${val(conversation.replace(/latency$/, "rps"))} req/s` : ""}; machine load ${num(f["machine.load_1m"]?.median)} (1-min average, median over the stages).`,
    );
  }
  if (f["cache_audit.audited"]) {
    out.push(
      `Cache audit over the run's loads: ${val("cache_audit.audited")} hits recomputed, ${val("cache_audit.mismatched")} differed (rate ${val("cache_audit.mismatch_rate")}).`,
    );
  }
  if (f["cold_start.seeded.ready"]) {
    out.push(
      `Cold start to a healthy, ready runtime: ${med("cold_start.seeded.ready")} ms on a seeded \`DATA_DIR\`${f["cold_start.fresh.ready"] ? `, ${med("cold_start.fresh.ready")} ms on a fresh one` : ""}${f["cli.invoke_seeded"] ? `; \`flightly invoke\` on a seeded one ${med("cli.invoke_seeded")} ms from spawn to exit` : ""}; RSS ${val("memory.rss_after_start")} MB after start (${val("memory.rss_after_start_with_mcp")} MB for every process, the embedded database host included), ${val("memory.rss_after_load")} MB after the load (peer: ${val("memory.peer_rss_after_load")} MB).`,
    );
  }
  return out;
}

/** Hand-written text between these markers in BENCHMARKS.md survives regeneration. */
const KEEP_START = "<!-- hand-written: kept when the bench rewrites this file -->";
const KEEP_END = "<!-- /hand-written -->";

/** The hand-written block of an existing BENCHMARKS.md, markers included, if any. */
function keptBlock(markdown: string): string | undefined {
  const start = markdown.indexOf(KEEP_START);
  const end = markdown.indexOf(KEEP_END, start);
  return start === -1 || end === -1 ? undefined : markdown.slice(start, end + KEEP_END.length);
}

function renderMarkdown(
  result: BenchResult,
  options: { durations: { quick?: number; full?: number }; smoke?: BenchResult; kept?: string },
): string {
  const f = result.figures;
  const valkey = f["floor.valkey_ping"]?.median;
  const pg = f["floor.pg_select_1"]?.median;
  const s = result.settings;
  const lines: string[] = [];
  const day = result.date.slice(0, 10);
  const file = `bench/results/${day}${result.mode === "quick" ? "-quick" : ""}.json`;
  lines.push("# Benchmarks");
  lines.push("");
  lines.push(
    `Generated by \`flightly bench${result.mode === "quick" ? " --quick" : ""}\` on ${day} (${result.mode} run, ${Math.round(result.durationS)} s). ` +
      `Every figure with its unit, n, median and p99 is in [\`${file}\`](${file}). Numbers move with the machine ` +
      "and with whatever else runs on it: read them as ratios measured in the same run, not as absolutes.",
  );
  if (options.smoke && options.smoke !== result) {
    lines.push("");
    lines.push(
      `Latest quick smoke run: ${options.smoke.date.slice(0, 16).replace("T", " ")} UTC, ${Math.round(options.smoke.durationS)} s, ` +
        `turn overhead median ${num(options.smoke.figures["turn.full"]?.median)} ms, \`/invocations\` exact hit ${num(options.smoke.figures["http.ours.exact_hit.rps"]?.value)} req/s against the peer's ${num(options.smoke.figures["http.peer.invocations.rps"]?.value)} (the tables below are the last full run).`,
    );
  }
  lines.push("");
  lines.push("## Method");
  lines.push("");
  lines.push(
    "- **One process, real servers.** The bench seeds a temp `DATA_DIR` once (`openServices` + `seed`: PGlite with pgvector served on loopback over the Postgres wire protocol) and talks to the real Valkey server " +
      `(\`VALKEY_URL\`, default \`${String(s.valkeyUrl ?? "redis://127.0.0.1:6379/9")}\`: logical database 9 keeps bench keys away from test suites). It refuses to run when no Valkey answers.`,
  );
  lines.push(
    `- **Turn overhead** drives \`Orchestrator.invoke\` (built by \`buildApp\` with in-memory MCP servers, no worker, semantic cache off) with a zero-latency \`ScriptedModel\`: \`search_flights\` (SEA→NRT, 30 days out), then a final text. Everything measured is ours: actor lookup, context assembly ∥ routing, two model calls, one tool call, session state, checkpoint compare-and-set writes, history append and memory events. Sessions run ${String(s.turnsPerSession ?? 10)} turns each, so history grows as in a conversation. Two variants interleaved: the tool as a bare handler (a PGlite query, the same work the peer loop does) and through the tool cache as wired in production.`,
  );
  lines.push(
    "- **Agent loop vs the peer**: the same two-call conversation and the same `search_flights` handler through our `runAgent` (no memory, no router) and through the Strands Agents TypeScript SDK's `Agent` with a scripted `Model` subclass of its own, interleaved in rounds. " +
      "Optionally both through the real AWS SDK clients (`BedrockModel`, ours and Strands') against `test/support/bedrock-server.ts`, transpiled on the fly because `test/` is not compiled into `dist/`.",
  );
  lines.push(
    `- **HTTP**: \`node dist/bin/flightly.js serve\` as a child process (the faithful setup; default stdio MCP servers, \`WORKER_ENABLED=false\`, \`LOG_LEVEL=warn\`) on a copy of the seeded world, and the peer, \`bedrock-agentcore\`'s \`BedrockAgentCoreApp\` with a trivial handler and request logging off, also a child process. autocannon runs in the bench process (same 2 cores), ${String(s.connections)} connections, ${String(s.loadS)} s per scenario after a ${String(s.warmupS)} s warm-up, ours and the peer alternating, ${String(s.loadRounds ?? 1)} round(s) pooled; latencies come from autocannon's per-response timings (sub-ms). ` +
      'Exact hit: one prompt whose answer is cached. Semantic hit: paraphrases that were checked first to come back with `cache.kind === "semantic"`, rotated. Full path: **a new guest actor per request** (the same flight-search prompt), so the semantic cache (scoped per actor for availability answers) always misses and every request runs lookup, routing, the local planner, `search_flights` (tool-cache hit after the first), checkpoint, history and the cache store. Our runtime gets no session header (each request gets a new session; a shared one would serialise on the session lease); the peer, which requires one, gets a fixed one.',
  );
  lines.push(
    "- **Caches**: `search_flights` hit vs miss (entry invalidated before each miss, untimed). Semantic cache: each labelled pair of `test/fixtures/paraphrase-pairs.json` in isolation (`a` stored under a scope of its own, `b` looked up); a hit on a `same: false` pair is a false hit; lookups timed with the embedding computed and with it served from the Valkey embedding cache.",
  );
  lines.push(
    "- **Long-term recall** in the bench's seeded PGlite: synthetic travel memories embedded with the local embedder, 90% under one heavy actor (HNSW path), the rest over 100 light actors (selective filter, iterative scan); rows inserted without the HNSW index, which is built afterwards with `maintenance_work_mem` raised. Latency is `LongTermMemory.recallByVector` (k=5, the product path); recall@5 compares it with exact search (`SET LOCAL enable_indexscan = off`), ties counted.",
  );
  lines.push(
    "- **Cold start**: spawn → first `/ping` answer, and → first `/ping` saying `Healthy` (the orchestrator is built; `serve` reports `HealthyBusy` while it seeds and builds), on an already seeded `DATA_DIR` and on a fresh one. RSS from `/proc/<pid>/status`.",
  );
  lines.push(
    "- **The floor**: a Valkey `PING` and a Postgres `SELECT 1` over the PGlite socket, timed in the same run; the table gives each latency as a multiple of both.",
  );
  lines.push(
    "- Percentiles interpolate linearly between closest ranks; p99 of a few hundred samples is noisy.",
  );
  lines.push("");
  lines.push("## Machine");
  lines.push("");
  const m = result.machine;
  lines.push("| | |");
  lines.push("|---|---|");
  lines.push(`| CPU | ${m.cores} cores, ${m.cpuModel} |`);
  lines.push(`| memory | ${m.memoryGb} GB |`);
  lines.push(`| Node | ${m.node} (${m.platform}) |`);
  lines.push(`| Valkey server | ${m.valkey} |`);
  lines.push(`| Postgres | ${m.postgres} |`);
  if (m.loadAverage) {
    lines.push(
      `| load average (1/5/15 min) | start ${m.loadAverage.start.join(" / ")}, end ${m.loadAverage.end.join(" / ")} (other work shared the machine) |`,
    );
  }
  lines.push("");
  lines.push("## Headlines");
  lines.push("");
  for (const h of headlines(result)) lines.push(`- ${h}`);
  lines.push("");
  lines.push("## Results");
  lines.push("");
  lines.push(
    "Request-path latencies also as multiples of the floor measured in the same run (a Valkey `PING`, a PGlite `SELECT 1`). HTTP rows are under load (20 connections); the rest are sequential calls.",
  );
  const keys = orderedKeys(f);
  for (const [title, prefixes] of GROUPS) {
    const rows = keys.filter((k) => prefixes.some((p) => k.startsWith(p)));
    if (rows.length === 0) continue;
    lines.push("");
    lines.push(`### ${title}`);
    lines.push("");
    lines.push("| figure | unit | n | median / value | p99 | × Valkey PING | × PG SELECT 1 |");
    lines.push("|---|---|---:|---:|---:|---:|---:|");
    for (const key of rows) {
      const x = f[key]!;
      const central = x.value ?? x.median;
      const onPath = x.unit === "ms" && x.median !== undefined && FLOOR_MULTIPLES.some((p) => p.test(key));
      const label = labelOf(key).replace(/^ {2}/, "&nbsp;&nbsp;↳ ");
      lines.push(
        `| ${label} | ${x.unit} | ${x.n} | ${num(central)} | ${num(x.p99)} | ${onPath && valkey ? times(central! / valkey) : ""} | ${onPath && pg ? times(central! / pg) : ""} |`,
      );
    }
  }
  lines.push("");
  lines.push("![latency chart](bench/results/latency.svg)");
  lines.push("");
  const peerRatios = Object.entries(result.ratios).filter(([k]) => PEER_RATIO.test(k));
  const otherRatios = Object.entries(result.ratios).filter(([k]) => !PEER_RATIO.test(k));
  lines.push("## Against the reference figures of DESIGN §9");
  lines.push("");
  lines.push("| figure | DESIGN §9 | this run |");
  lines.push("|---|---:|---:|");
  for (const [key, reference, what] of REFERENCE) {
    const x = f[key];
    const central = x === undefined ? undefined : (x.value ?? x.median);
    lines.push(`| ${what} | ${num(reference)} ${x?.unit ?? ""} | ${num(central)} ${x?.unit ?? ""} |`);
  }
  lines.push("");
  lines.push("## Ratios versus the peers");
  lines.push("");
  lines.push("| ratio | value | what |");
  lines.push("|---|---:|---|");
  for (const [key, r] of peerRatios) lines.push(`| \`${key}\` | ${times(r.value)} | ${r.of} |`);
  lines.push("");
  lines.push("## Ratios versus the floor, and within Flightly");
  lines.push("");
  lines.push("| ratio | value | what |");
  lines.push("|---|---:|---|");
  for (const [key, r] of otherRatios) lines.push(`| \`${key}\` | ${times(r.value)} | ${r.of} |`);
  lines.push("");
  if (options.kept) {
    lines.push(options.kept);
    lines.push("");
  }
  if (result.notes.length > 0) {
    lines.push("## Notes, and what was not measured");
    lines.push("");
    for (const n of result.notes) lines.push(`- ${n}`);
    lines.push("");
  }
  lines.push("## Reproduce");
  lines.push("");
  lines.push("```sh");
  lines.push("npm run build");
  lines.push("npm run flightly -- bench --quick   # CI smoke, under two minutes");
  lines.push("npm run flightly -- bench           # full run");
  lines.push(
    "npm run flightly -- bench --only recall --scales 100k --data-dir .data/recall   # long-term recall alone; DIR keeps the memories and index for the next run",
  );
  lines.push("```");
  lines.push("");
  const d = options.durations;
  lines.push(
    `Needs a Valkey (or Redis-protocol) server at \`VALKEY_URL\` (default \`redis://127.0.0.1:6379\`, database 9) and the dev dependencies (\`@strands-agents/sdk\`, \`bedrock-agentcore\`, \`autocannon\`, \`typescript\`). ` +
      `Last measured durations on this machine: quick ${d.quick === undefined ? "—" : `${Math.round(d.quick)} s`}, full ${d.full === undefined ? "—" : `${Math.round(d.full)} s (${(d.full / 60).toFixed(1)} min)`}. ` +
      "The full run adds 100k memories and their HNSW build, more turns and samples, three seeded and two fresh cold starts, and 5 s load runs. " +
      "Each run writes `bench/results/<YYYY-MM-DD>.json` (`-quick.json` for `--quick`) and `bench/results/latency.svg`, and rewrites this file from the newest full run (a quick run only adds its smoke line when a full run exists).",
  );
  lines.push("");
  return lines.join("\n");
}

/**
 * Renders `latency.svg` and the Markdown from the results in `dir`: the newest full run (the
 * newest quick run when there is none), with a smoke line for a quick run newer than it, and the
 * hand-written block of the existing file kept. Also regenerates the report without running.
 */
export function writeReport(dir: string, markdownFile: string): void {
  const results = readResults(dir);
  const full = results.filter((r) => r.mode === "full").at(-1);
  const quick = results.filter((r) => r.mode === "quick").at(-1);
  const shown = full ?? quick;
  if (!shown) return;
  const smoke = quick && full && quick.date > full.date ? quick : undefined;
  writeFileSync(join(dir, "latency.svg"), latencyChart(shown));
  const kept = existsSync(markdownFile) ? keptBlock(readFileSync(markdownFile, "utf8")) : undefined;
  writeFileSync(
    markdownFile,
    renderMarkdown(shown, {
      durations: runDurations(dir),
      ...(smoke ? { smoke } : {}),
      ...(kept ? { kept } : {}),
    }),
  );
}
