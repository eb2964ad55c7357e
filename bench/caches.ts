/**
 * The caches: `search_flights` through the tool cache (hit vs miss), and the semantic response
 * cache (lookup latency with the embedding computed or served from the Valkey embedding cache,
 * the in-process index as wired in production, pgvector alongside; recall and false hits on the
 * labelled paraphrase pairs).
 */
import type { Logger } from "../core/logger.js";
import { extractEntities, sameEntities } from "../language/index.js";
import type { Sql } from "../memory/db/index.js";
import { CachedEmbedder } from "../memory/embeddings/cache.js";
import type { Embedder } from "../memory/embeddings/types.js";
import { ResponseCacheStore } from "../memory/response-cache.js";
import { ResponseFeed } from "../memory/response-feed.js";
import { ResponseIndex } from "../memory/response-index.js";
import type { ShortTermStore } from "../memory/store/types.js";
import type { App } from "../orchestrator/runtime/app.js";
import { normalise, SemanticCache, semanticMatchKey } from "../orchestrator/semantic-cache/cache.js";
import type { AnswerCachePolicy } from "../orchestrator/semantic-cache/policy.js";
import { cosine, type LabelledPair } from "../scripts/eval-embeddings.js";
import { createToolCache } from "../tools/cache.js";
import { flightsTag } from "../tools/common.js";
import { searchFlightsCachePolicy, searchFlightsTool } from "../tools/search-flights.js";
import type { ToolContext } from "../tools/types.js";
import { flightInput } from "./loops.js";
import { type Figure, single, summarize, timeEach } from "./stats.js";

export interface CacheDeps {
  store: ShortTermStore;
  sql: Sql;
  embedder: Embedder;
  logger: Logger;
  date: string;
  threshold: number;
}

/** Hit (same arguments) vs miss (entry invalidated before each call, untimed): lock, query, tag, store. */
export async function benchToolCache(deps: CacheDeps, n: number): Promise<Record<string, Figure>> {
  const cache = createToolCache(deps.store, {
    namespace: `bench-${process.pid}-${Date.now()}`,
    logger: deps.logger,
  });
  const bare = searchFlightsTool({ sql: deps.sql });
  const cached = cache.cached(bare, searchFlightsCachePolicy);
  const input = flightInput(deps.date);
  const ctx: ToolContext = {
    actor: { id: "1", guest: false },
    sessionId: "bench-tool-cache",
    logger: deps.logger,
    signal: new AbortController().signal,
    deadline: Date.now() + 3_600_000,
  };
  const tag = flightsTag(input.origin, input.destination, input.date!);
  const check = (r: Awaited<ReturnType<typeof bare.run>>): void => {
    if (r.status !== "success") throw new Error(`search_flights failed: ${r.error}`);
  };
  const miss: number[] = [];
  const hit: number[] = [];
  const uncached: number[] = [];
  // Interleaved so that both see the same machine state.
  for (let round = 0; round < 4; round++) {
    const per = Math.ceil(n / 4);
    const warmup = round === 0 ? 20 : 2;
    uncached.push(...(await timeEach(per, async () => check(await bare.run(input, ctx)), { warmup })));
    miss.push(
      ...(await timeEach(per, async () => check(await cached.run(input, ctx)), {
        warmup,
        between: () => cache.invalidate(tag),
      })),
    );
    await cached.run(input, ctx);
    hit.push(...(await timeEach(per, async () => check(await cached.run(input, ctx)), { warmup })));
  }
  const stats = cache.stats();
  if (stats.bypassed > 0) throw new Error(`tool cache bypassed ${stats.bypassed} times: is Valkey slow?`);
  return {
    "tool_cache.hit": summarize(
      hit,
      "ms",
      "search_flights through the tool cache, entry present (one Valkey GET)",
    ),
    "tool_cache.miss": summarize(
      miss,
      "ms",
      "entry invalidated before each call: GET, SET NX lock, PGlite query, tag, SET, marks, unlock",
    ),
    "tool_cache.uncached": summarize(uncached, "ms", "the bare handler, no cache (reference)"),
  };
}

/**
 * The lookup stages of real invocations answered by the cache (exact), in-process, from the
 * stage timings `invoke` reports: a self-contained request (the `cache` stage: read the text,
 * key it, one pipelined Valkey GET), and one that refers to its session (`references`: the
 * session's context in one round trip, resolved; `cache-context`: the resolved request looked
 * up). The session lease taken between them (`gate`) is reported on its own.
 */
export async function benchCacheStages(app: App, n: number): Promise<Record<string, Figure>> {
  const actorId = "1";
  const run = `stages-${process.pid}-${Date.now().toString(36)}`;
  const invoke = (prompt: string, sessionId: string) =>
    app.orchestrator.invoke({ prompt, sessionId, actorId });
  const hit = (r: Awaited<ReturnType<typeof invoke>>, what: string) => {
    if (r.cache.kind !== "exact") throw new Error(`${what}: expected an exact hit, got ${r.cache.reason}`);
    return r.timing_ms;
  };
  const selfContained = "What is the checked baggage allowance?";
  await invoke(selfContained, `${run}-seed`);
  const own: number[] = [];
  for (let i = -20; i < n; i++) {
    const t = hit(await invoke(selfContained, `${run}-${i}`), "self-contained");
    if (i >= 0) own.push(t.cache ?? Number.NaN);
  }
  // A session whose last search went to Honolulu: "there" is Honolulu.
  const session = `${run}-context`;
  await app.memory.setState({ actorId, sessionId: session }, { last_origin: "SEA", last_destination: "HNL" });
  const referring = "How's the weather there?";
  await invoke(referring, session);
  const context: number[] = [];
  const gate: number[] = [];
  for (let i = -20; i < n; i++) {
    const t = hit(await invoke(referring, session), "context");
    if (i < 0) continue;
    context.push((t.cache ?? 0) + (t.references ?? Number.NaN) + (t["cache-context"] ?? Number.NaN));
    gate.push(t.gate ?? Number.NaN);
  }
  return {
    "semantic_cache.stage.exact_hit_self_contained": summarize(
      own,
      "ms",
      `invoke's cache stage on an exact hit of a self-contained request ("${selfContained}")`,
    ),
    "semantic_cache.stage.exact_hit_context": summarize(
      context,
      "ms",
      `cache + references + cache-context stages on an exact hit of "${referring}" in a session about Honolulu (context read in one round trip)`,
    ),
    "semantic_cache.stage.session_gate": summarize(
      gate,
      "ms",
      "the session lease the context lookup waits behind (gate stage)",
    ),
  };
}

export interface SemanticResults {
  figures: Record<string, Figure>;
  /** Recall and false hits the same pairs would give at other thresholds (simulated). */
  sweep: Array<{ threshold: number; recall: number; falseHits: number }>;
  /** Pairs where the simulation disagrees with the real lookup at the configured threshold. */
  sweepMismatches: number;
  /** Hits on different-meaning pairs, for the report. */
  falseHits: Array<{ kind: string; a: string; b: string; similarity: number }>;
  byKind: Record<string, { pairs: number; hits: number }>;
}

/**
 * Each labelled pair in isolation: `a` is stored under a scope of its own (so `b` can only find
 * `a`), then `b` is looked up. A hit on a `same: false` pair is a false hit. Latency: every `b`
 * lookup (exact miss, embed, pgvector nearest, entity check), `rounds` times.
 */
export async function benchSemanticCache(
  deps: CacheDeps,
  pairs: readonly LabelledPair[],
  rounds: number,
): Promise<SemanticResults> {
  // Wired as `buildApp` wires it: the in-process index and the drop feed, over the table.
  const namespace = `bench-${process.pid}-${Date.now()}`;
  const index = new ResponseIndex({
    store: deps.store,
    sql: deps.sql,
    namespace,
    logger: deps.logger,
    matchKeyOf: semanticMatchKey,
  });
  const feed = new ResponseFeed({ store: deps.store, namespace, logger: deps.logger });
  await Promise.all([index.start(), feed.start()]);
  const storage = new ResponseCacheStore(deps.store, deps.sql, namespace, { index, feed });
  // Every lookup computes its embedding (none kept in process), as the figures say.
  const table = new SemanticCache({
    storage: new ResponseCacheStore(deps.store, deps.sql, namespace),
    keptEmbeddings: 0,
    embedder: deps.embedder,
    threshold: deps.threshold,
    logger: deps.logger,
  });
  const local = new SemanticCache({
    storage,
    keptEmbeddings: 0,
    embedder: deps.embedder,
    threshold: deps.threshold,
    logger: deps.logger,
  });
  const cachedEmbedder = new CachedEmbedder(deps.embedder, deps.store, { ttlMs: 3_600_000 });
  const withCachedEmbeddings = new SemanticCache({
    storage,
    keptEmbeddings: 0,
    embedder: cachedEmbedder,
    threshold: deps.threshold,
    logger: deps.logger,
  });
  const policy: AnswerCachePolicy = { category: "policy", scope: "actor", ttlMs: 3_600_000 };
  const run = `${process.pid}-${Date.now().toString(36)}`;
  const actor = (i: number): string => `bench-pair-${run}-${i}`;

  for (const [i, p] of pairs.entries()) {
    const miss = await local.lookup(p.a, actor(i));
    if (miss.hit) throw new Error(`semantic cache: a fresh scope already answered "${p.a}"`);
    await local.store(p.a, actor(i), miss, policy, `answer to: ${p.a}`, ["bench"]);
  }

  // Quality, and the latency of lookups with the embedding computed locally.
  const byKind: Record<string, { pairs: number; hits: number }> = {};
  const falseHits: SemanticResults["falseHits"] = [];
  let sameHits = 0;
  let diffHits = 0;
  let semanticKind = 0;
  const lookupLocal: number[] = [];
  const semanticHit: number[] = [];
  const semanticHitTable: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const [i, p] of pairs.entries()) {
      const t = performance.now();
      const result = await local.lookup(p.b, actor(i));
      lookupLocal.push(performance.now() - t);
      if (result.hit && result.kind === "semantic") {
        semanticHit.push(lookupLocal.at(-1)!);
        const t2 = performance.now();
        await table.lookup(p.b, actor(i));
        semanticHitTable.push(performance.now() - t2);
      }
      if (r > 0) continue;
      const kindKey = `${p.kind}:${p.same ? "same" : "different"}`;
      const k = byKind[kindKey] ?? { pairs: 0, hits: 0 };
      byKind[kindKey] = k;
      k.pairs++;
      if (!result.hit) continue;
      k.hits++;
      if (result.kind === "semantic") semanticKind++;
      if (p.same) sameHits++;
      else {
        diffHits++;
        falseHits.push({ kind: p.kind, a: p.a, b: p.b, similarity: result.similarity });
      }
    }
  }

  // The embedding served from the Valkey embedding cache (warmed by one untimed pass).
  for (const [i, p] of pairs.entries()) await withCachedEmbeddings.lookup(p.b, actor(i));
  const lookupCached: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const [i, p] of pairs.entries()) {
      const t = performance.now();
      await withCachedEmbeddings.lookup(p.b, actor(i));
      lookupCached.push(performance.now() - t);
    }
  }
  const exact = await timeEach(pairs.length * rounds, (i) => {
    const j = Math.max(0, i) % pairs.length;
    return local.lookup(pairs[j]!.a, actor(j));
  });
  const embedOnly = await timeEach(pairs.length * rounds, (i) =>
    deps.embedder.embed([pairs[Math.max(0, i) % pairs.length]!.b]),
  );

  index.close();
  feed.close();
  const same = pairs.filter((p) => p.same).length;
  const different = pairs.length - same;

  // What other thresholds would give: the lookup's decision (exact text, or cosine of the
  // normalised texts at or above the threshold with the same entities), replayed per pair.
  const texts = pairs.flatMap((p) => [normalise(p.a), normalise(p.b)]);
  const vectors = await deps.embedder.embed(texts);
  const scored = pairs.map((p, i) => ({
    same: p.same,
    exact: texts[2 * i] === texts[2 * i + 1],
    similarity: cosine(vectors[2 * i]!, vectors[2 * i + 1]!),
    entities: sameEntities(extractEntities(p.b), extractEntities(p.a)),
  }));
  const hitAt = (t: number, x: (typeof scored)[number]): boolean =>
    x.exact || (x.similarity >= t && x.entities);
  const sweep = [0.8, 0.85, 0.88, 0.9, 0.92, 0.95].map((threshold) => ({
    threshold,
    recall: scored.filter((x) => x.same && hitAt(threshold, x)).length / Math.max(1, same),
    falseHits: scored.filter((x) => !x.same && hitAt(threshold, x)).length,
  }));
  const simulated = scored.filter((x) => hitAt(deps.threshold, x)).length;
  return {
    sweep,
    sweepMismatches: Math.abs(simulated - (sameHits + diffHits)),
    figures: {
      "semantic_cache.lookup_exact_hit": summarize(
        exact,
        "ms",
        "the stored prompt again: normalise, hash, one pipelined Valkey GET over the asker's scopes",
      ),
      "semantic_cache.lookup_embedding_computed": summarize(
        lookupLocal,
        "ms",
        "a paraphrase: exact miss, local embedder (not cached: it is cheaper than a round trip), nearest in the in-process index, entity check",
      ),
      "semantic_cache.lookup_embedding_cached": summarize(
        lookupCached,
        "ms",
        "the same with the vector served from the Valkey embedding cache (the path a remote embedder such as Titan takes on a repeat)",
      ),
      "semantic_cache.lookup_semantic_hit": summarize(
        semanticHit,
        "ms",
        "the lookups above that were served by similarity: exact miss, embed, nearest in the in-process index, equivalence check, liveness of the entry (memory while the drop feed is healthy)",
      ),
      "semantic_cache.lookup_semantic_hit_pgvector": summarize(
        semanticHitTable,
        "ms",
        "the same lookups with the neighbours from pgvector (no in-process index)",
      ),
      "semantic_cache.embed_local": summarize(embedOnly, "ms", "the local embedder alone, one text"),
      "semantic_cache.recall": single(
        sameHits / Math.max(1, same),
        "ratio",
        same,
        `same-meaning pairs answered from the cache (threshold ${deps.threshold}; ${semanticKind} semantic, ${sameHits + diffHits - semanticKind} exact)`,
      ),
      "semantic_cache.false_hits": single(
        diffHits,
        "count",
        different,
        "different-meaning pairs answered from the cache",
      ),
      "semantic_cache.false_hit_rate": single(diffHits / Math.max(1, different), "ratio", different),
    },
    falseHits,
    byKind,
  };
}
