/**
 * Long-term memories in Postgres + pgvector: per actor and namespace, HNSW cosine search.
 *
 * Every read and write runs in a transaction as the `flightly_app` role with
 * `flightly.actor_id` set (`withActor`), so the row-level security policy on `memories` applies
 * on top of the explicit `actor_id = $1` in every statement: a bug that drops the filter still
 * cannot read another actor's rows. (The owner role bypasses RLS, hence the role switch.)
 *
 * Filtered search keeps returning `k` rows however selective the filter: with pgvector >= 0.8
 * the HNSW scan is iterative (`hnsw.iterative_scan = relaxed_order`, results re-sorted
 * outside a materialized CTE); older versions fall back to exact search over the actor's rows.
 */
import type { Sql } from "postgres";
import { FlightlyError } from "../../core/errors.js";
import type { JsonValue } from "../../core/json.js";
import { redactJson, redactText } from "../../core/redact.js";
import { toVector } from "../db/vector.js";
import type { Embedder } from "../embeddings/types.js";
import type { ShortTermStore } from "../store/types.js";
import { type MemoryKind, namespaces, resolveNamespace } from "./namespaces.js";
import {
  type CachedMemory,
  RecallCache,
  type RecallCacheOptions,
  rankMemories,
  touchMemories,
} from "./recall-cache.js";
import { COLUMNS, type Memory, type RecalledMemory, type Row, toMemory, toRecalled } from "./rows.js";
import {
  contentKey,
  distinctContent,
  kindFilter,
  literal,
  MAX_POOL,
  namespaceFilter,
  nearestText,
  type SearchOptions,
  type Tx,
} from "./search.js";

export type { Memory, RecalledMemory } from "./rows.js";
export type { SearchOptions, Tx } from "./search.js";
export { searchMemories } from "./search.js";

export interface RecallRequest {
  /** From the caller's auth context, never from the namespace string. */
  actorId: string;
  query: string;
  /** Results wanted (default 5, at most 100). */
  k?: number;
  /** Absolute (`/actors/<actorId>/...`) or relative (`preferences`); must be the actor's own. */
  namespacePrefix?: string;
  minSimilarity?: number;
  kinds?: readonly MemoryKind[];
  signal?: AbortSignal;
  /**
   * The actor's memory generation token as the caller read it from the short-term store (""
   * when absent): with it, an actor with few memories is answered in this process while the
   * token is unchanged (see `recall-cache.ts`).
   */
  generation?: string;
}

export interface NewMemory {
  namespace: string;
  kind: MemoryKind;
  content: string;
  embedding: Float32Array | readonly number[];
  metadata?: Record<string, JsonValue>;
  sourceEventId?: string;
}

const MAX_K = 100;
/**
 * `hnsw.ef_search` of a recall. A customer's memories cluster by template (the same few sentence
 * shapes with different slots), and a question unlike all of them has its exact nearest scattered
 * across clusters: the graph search stays in the nearest cluster unless the candidate list is
 * wide. At 100,000 memories (90,000 of one actor, m=32, ef_construction=128) recall@5 was 0.94 at
 * ef_search 40 to 120 and 0.996 from 130 on each of three freshly built graphs (2026-12-07, `flightly
 * bench --only recall --scales 100k --data-dir DIR`, then this class with `efSearch` on the reopened
 * dir): the misses are one question, whose exact nearest lie in other templates' clusters. The
 * search is most of a recall's time (one graph, load ~1: server execution p50 3.1 ms at 40, 7.6 at
 * 140, 8.7 at 160; the whole recall 5.4, 9.9, 11.1 ms; three graphs at 160: 11.1-14.2 ms under load
 * 1-3). Another freshly built graph (2026-12-08, quiet machine, load ~1.3) gave the same: 0.94 at
 * 120, 0.996 at 130, 140 and 160, the whole recall's p50 7.2, 8.0, 7.7 and 8.6 ms. 140 keeps a
 * margin of 10 over the widest failing width on four graphs and spares about a millisecond against
 * 160. Actors whose rows the planner reads through the actor index (most) are searched exactly and
 * never use it. A graph over
 * `embedding::halfvec(384)` (the same m and ef_construction, 123MB instead of 191MB) is slower in
 * PGlite's WASM pgvector, not faster: the search touches as many pages (~5,550 buffer hits at 160)
 * and each half-precision distance costs more to compute; on one graph each, same load (2-5), the
 * embedded host's CPU per recall at 160 was 28.7 ms against 13.2 ms (server execution p50 32.6
 * against 9.4 ms), recall@5 0.996 both (2026-12-07, a probe timing `recallByVector` on the built dirs).
 * Setting ef_search and plan_cache_mode once per connection instead of in each search's settings
 * statement (the role and actor stay per transaction) made no difference above that load's noise
 * (p50 12.6-19.2 ms against 13.3-18.5 ms, three runs each); on PGlite every connection shares the
 * one backend's session, so such a setting would also reach every other search.
 */
const DEFAULT_EF_SEARCH = 140;
const SECTION_OF: Record<MemoryKind, string> = {
  preference: "preferences",
  fact: "facts",
  summary: "summaries",
  episode: "episodes",
};

/** Inserts a memory for `actorId` (inside `withActor`); the namespace must match the kind. */
export async function insertMemory(tx: Tx, actorId: string, memory: NewMemory): Promise<Memory> {
  const namespace = resolveNamespace(actorId, memory.namespace, true);
  if (namespace.split("/")[3] !== SECTION_OF[memory.kind]) {
    throw new FlightlyError("BAD_REQUEST", `a ${memory.kind} memory cannot live in ${namespace}`);
  }
  const [row] = await tx<Row[]>`
    INSERT INTO memories (actor_id, namespace, kind, content, embedding, metadata, source_event_id)
    VALUES (${actorId}, ${namespace}, ${memory.kind}, ${redactText(memory.content)}, ${toVector(memory.embedding)}::vector,
            ${tx.json(redactJson(memory.metadata ?? {}))}, ${memory.sourceEventId ?? null})
    RETURNING ${tx.unsafe(COLUMNS)}`;
  return toMemory(row!);
}

/** Replaces a memory's content, keeping the old text in `history`; null when not the actor's. */
export async function reviseMemory(
  tx: Tx,
  actorId: string,
  id: string,
  revision: {
    content: string;
    embedding: Float32Array | readonly number[];
    metadata?: Record<string, JsonValue>;
    eventId?: string;
  },
): Promise<Memory | null> {
  const [row] = await tx<Row[]>`
    UPDATE memories SET
      history = history || jsonb_build_array(jsonb_build_object(
        'content', content, 'replaced_at', now(), 'event_id', ${revision.eventId ?? null}::text)),
      content = ${redactText(revision.content)},
      embedding = ${toVector(revision.embedding)}::vector,
      metadata = metadata || ${tx.json(redactJson(revision.metadata ?? {}))},
      source_event_id = coalesce(${revision.eventId ?? null}, source_event_id),
      updated_at = now()
    WHERE id = ${id} AND actor_id = ${actorId}
    RETURNING ${tx.unsafe(COLUMNS)}`;
  return row ? toMemory(row) : null;
}

/** Memories of an actor below a prefix, newest first. */
async function listMemories(
  tx: Tx,
  actorId: string,
  options: { prefix?: string; kinds?: readonly MemoryKind[]; limit?: number } = {},
): Promise<Memory[]> {
  const rows = await tx<Row[]>`
    SELECT ${tx.unsafe(COLUMNS)} FROM memories
    WHERE actor_id = ${actorId} ${namespaceFilter(tx, actorId, options.prefix)} ${kindFilter(tx, options.kinds)}
    ORDER BY updated_at DESC, id DESC
    LIMIT ${Math.min(Math.max(1, options.limit ?? 100), 10_000)}`;
  return rows.map(toMemory);
}

export interface LongTermMemoryOptions {
  /** HNSW candidate list size per scan step (`hnsw.ef_search`, default `DEFAULT_EF_SEARCH`; at least k). */
  efSearch?: number;
  /**
   * Where writes mark an actor's memories as changed (`touchMemories`); with it, recalls that
   * carry a generation token are answered from `RecallCache` while it holds.
   */
  store?: ShortTermStore;
  cache?: RecallCacheOptions;
}

/** Long-term memory for the service: recall, insert and list, always scoped to one actor. */
export class LongTermMemory {
  readonly sql: Sql;
  readonly embedder: Embedder;
  readonly #efSearch: number;
  readonly #store: ShortTermStore | undefined;
  readonly #cache: RecallCache<Memory> | undefined;
  #iterative: Promise<boolean> | undefined;

  constructor(sql: Sql, embedder: Embedder, options: LongTermMemoryOptions = {}) {
    this.sql = sql;
    this.embedder = embedder;
    this.#efSearch = options.efSearch ?? DEFAULT_EF_SEARCH;
    this.#store = options.store;
    this.#cache = options.store ? new RecallCache(options.cache) : undefined;
  }

  /**
   * Marks the actor's memories as changed for every process (call after a write commits); a
   * store that cannot be reached leaves other processes' entries to lapse on their own.
   */
  async changed(actorId: string): Promise<void> {
    this.#cache?.drop(actorId);
    if (this.#store) await touchMemories(this.#store, actorId).catch(() => {});
  }

  /** Whether the server's pgvector has iterative index scans (0.8.0+). Checked once. */
  supportsIterativeScan(): Promise<boolean> {
    this.#iterative ??= this.sql<{ v: string | null }[]>`
      SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'`.then(([row]) => {
      const [major = 0, minor = 0] = (row?.v ?? "0").split(".").map(Number);
      return major > 0 || minor >= 8;
    });
    return this.#iterative;
  }

  /**
   * Runs `fn` in a transaction as `flightly_app` with `flightly.actor_id` = `actorId`, so
   * row-level security applies. `searchK` also sets the HNSW search parameters for `k` results.
   * Keep `fn` short and free of other I/O: embedded PGlite serves one transaction at a time.
   */
  async withActor<T>(
    actorId: string,
    fn: (tx: Tx) => Promise<T>,
    options: { searchK?: number } = {},
  ): Promise<T> {
    const setup = await this.#settings(actorId, options.searchK);
    return (await this.sql.begin(async (tx) => {
      // Sent without waiting: `fn`'s first statement is pipelined behind it on the same
      // connection (one round trip saved), and a failed setup fails the transaction.
      const [, result] = await Promise.all([tx.unsafe(setup).execute(), fn(tx)]);
      return result;
    })) as T;
  }

  /**
   * The settings statement of `withActor` and of a recall: the role, the actor and, for a search
   * of `searchK` results, the HNSW parameters, as text with the actor written in (`literal`). A
   * custom plan per search: a generic plan averages actors and picks the actor index and a sort,
   * which is a full scan for a customer with thousands of memories.
   */
  async #settings(actorId: string, searchK: number | undefined): Promise<string> {
    if (typeof actorId !== "string" || actorId.length === 0) {
      throw new FlightlyError("BAD_REQUEST", "actorId is required");
    }
    const search = searchK !== undefined;
    const iterative = search ? await this.supportsIterativeScan() : false;
    const ef = Math.min(1000, Math.max(this.#efSearch, searchK ?? 0));
    const settings = [
      "set_config('role', 'flightly_app', true)",
      `set_config('flightly.actor_id', ${literal(actorId)}, true)`,
      ...(search
        ? [
            `set_config('hnsw.ef_search', '${ef}', true)`,
            "set_config('plan_cache_mode', 'force_custom_plan', true)",
          ]
        : []),
      ...(iterative ? ["set_config('hnsw.iterative_scan', 'relaxed_order', true)"] : []),
    ];
    return `SELECT ${settings.join(", ")}`;
  }

  /**
   * One search as `withActor` + `searchMemories` would run it, as one simple-protocol query:
   * BEGIN, the settings, the search and COMMIT in one message, with the values written in as
   * literals (`nearestText`). The embedded server runs one protocol message at a time, so the
   * same four statements sent pipelined (extended protocol: a dozen messages) cost more than the
   * search itself for a customer with few memories: 5.2 against 2.2 ms per recall, 10 of 10,000
   * memories, alternating, same results. A failed statement skips the rest and leaves the
   * transaction aborted: it is rolled back, and the search fails with it.
   */
  async #search(
    actorId: string,
    vector: Float32Array | readonly number[],
    options: SearchOptions & { exact?: boolean },
  ): Promise<RecalledMemory[]> {
    const setup = await this.#settings(actorId, options.k);
    const text = `BEGIN; ${setup}; ${nearestText(actorId, vector, options)}; COMMIT`;
    const c = await this.sql.reserve();
    try {
      const results = (await c.unsafe(text).simple()) as unknown as Row[][];
      return results[2]!.map(toRecalled);
    } catch (err) {
      await c`ROLLBACK`.catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  }

  /** The actor's memories most similar to `query`, best first (at most `k`). */
  async recall(request: RecallRequest): Promise<RecalledMemory[]> {
    const k = Math.min(Math.max(1, Math.floor(request.k ?? 5)), MAX_K);
    const prefix = resolveNamespace(request.actorId, request.namespacePrefix);
    const [vector] = await this.embedder.embed(
      [request.query],
      request.signal ? { signal: request.signal } : {},
    );
    if (!vector) throw new FlightlyError("INTERNAL", "embedder returned no vector");
    const options = {
      k,
      prefix,
      ...(request.minSimilarity === undefined ? {} : { minSimilarity: request.minSimilarity }),
      ...(request.kinds ? { kinds: request.kinds } : {}),
    };
    if (request.generation !== undefined && prefix === namespaces.root(request.actorId)) {
      const held = await this.#held(request.actorId, request.generation, request.kinds);
      if (held) {
        return rankMemories(held, vector, { ...options, contentKey }).map(({ memory, similarity }) => ({
          ...memory,
          similarity,
        }));
      }
    }
    return this.recallByVector(request.actorId, vector, options);
  }

  /** The actor's memories of `kinds` held in this process under `generation`; null: search pgvector. */
  async #held(
    actorId: string,
    generation: string,
    kinds: readonly MemoryKind[] | undefined,
  ): Promise<CachedMemory<Memory>[] | null> {
    const cache = this.#cache;
    if (!cache) return null;
    const all = kinds ?? (Object.keys(SECTION_OF) as MemoryKind[]);
    return cache.memories(actorId, generation, all, () =>
      this.withActor(actorId, async (tx) => {
        const rows = await tx<(Row & { vec: string })[]>`
          SELECT ${tx.unsafe(COLUMNS)}, embedding::text AS vec FROM memories
          WHERE actor_id = ${actorId} ${kindFilter(tx, all)}
          ORDER BY id LIMIT ${cache.maxMemories + 1}`;
        return rows.map((r) => {
          const memory = toMemory(r);
          return { memory, id: memory.id, content: memory.content, vector: r.vec };
        });
      }),
    );
  }

  /**
   * `recall` with a ready vector; `options.prefix` is resolved here too. One memory per content:
   * rows that say the same thing (the same words told in several sessions are one episode row
   * each, and their summaries can match too) come back once, the nearest, and the search widens
   * until `k` distinct memories are found or none are left.
   */
  async recallByVector(
    actorId: string,
    vector: Float32Array | readonly number[],
    options: SearchOptions,
  ): Promise<RecalledMemory[]> {
    const prefix = resolveNamespace(actorId, options.prefix);
    const exact = !(await this.supportsIterativeScan());
    const k = Math.min(Math.max(1, Math.floor(options.k)), MAX_K);
    // The scan holds ef_search candidates whatever the limit: asking for k * 4 rows at first costs
    // a few more rows on the wire and spares the second search a run of copies would need.
    for (let pool = Math.min(MAX_POOL, k * 4); ; pool = Math.min(MAX_POOL, pool * 4)) {
      const rows = await this.#search(actorId, vector, { ...options, k: pool, prefix, exact });
      const found = distinctContent(rows);
      if (found.length >= k || rows.length < pool || pool >= MAX_POOL) return found.slice(0, k);
    }
  }

  /** Embeds and stores one memory. */
  async remember(actorId: string, memory: Omit<NewMemory, "embedding">): Promise<Memory> {
    const [embedding] = await this.embedder.embed([memory.content]);
    if (!embedding) throw new FlightlyError("INTERNAL", "embedder returned no vector");
    const stored = await this.withActor(actorId, (tx) => insertMemory(tx, actorId, { ...memory, embedding }));
    await this.changed(actorId);
    return stored;
  }

  /** The actor's memories below a namespace prefix, newest first. */
  async list(
    actorId: string,
    options: { namespacePrefix?: string; kinds?: readonly MemoryKind[]; limit?: number } = {},
  ): Promise<Memory[]> {
    const prefix = resolveNamespace(actorId, options.namespacePrefix);
    return this.withActor(actorId, (tx) =>
      listMemories(tx, actorId, {
        prefix,
        ...(options.kinds ? { kinds: options.kinds } : {}),
        ...(options.limit === undefined ? {} : { limit: options.limit }),
      }),
    );
  }
}
