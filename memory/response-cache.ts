/**
 * Storage for the semantic response cache: exact entries in Valkey (normalised-text hash, one
 * GET per scope), nearest-neighbour entries in pgvector (`semantic_cache`), and invalidation by
 * source (a knowledge document that changed, seats sold, an actor's context that moved). Expired
 * rows are purged by the puts themselves, at most once per `purgeEveryMs`, and the table is bounded
 * (`maxEntries`, checked every hundredth of that many puts): the rows nearest to expiry beyond
 * the bound are evicted in the background with their exact entries. An invalidation leaves a mark on its source, so an answer
 * computed before the write and stored after it is dropped by its own put (`computedSince`).
 *
 * Nothing secret is ever cached: `put` refuses an answer when redaction would change any text
 * it stores (the prompt, the response or the entities), so a prompt that carried a card number,
 * a password or a token is answered but never kept. Entries written by earlier versions (which
 * did not check) live under other key versions; `dropLegacyEntries` deletes them.
 */
import type { Sql } from "postgres";
import { hasSecret } from "../core/redact.js";
import { toVector } from "./db/vector.js";
import type {
  CachedAnswer,
  CacheScope,
  EntryIndex,
  Neighbour,
  RecordedCall,
} from "./response-cache-types.js";
import { KeptEntries, type ReadMark, type ResponseFeed } from "./response-feed.js";
import { keys } from "./store/keys.js";
import type { ShortTermStore } from "./store/types.js";

export type {
  CachedAnswer,
  CacheScope,
  EntryIndex,
  IndexedEntry,
  Neighbour,
  RecordedCall,
} from "./response-cache-types.js";
export { actorSource } from "./response-cache-types.js";

/** Exact-entry key version: entries of earlier versions may hold secrets and are never read. */
const KEY_VERSION = "v2";

/**
 * How long a finished drop stands: starts within it skip the scan of the whole keyspace. An entry
 * an older process writes meanwhile is never read and expires with its own TTL; the first start
 * after this scans again, and `force` (`flightly migrate`) always does.
 */
const DROP_HOLDS_MS = 24 * 60 * 60 * 1000;

export interface DropOptions {
  /** Stops the scan after the page in flight; what was found so far is deleted. */
  signal?: AbortSignal;
  /** Scan even when a finished drop still stands. */
  force?: boolean;
}

/**
 * Deletes exact entries written under earlier key versions; returns how many went. A drop that
 * scanned the whole keyspace is remembered for `DROP_HOLDS_MS` (a marker key), so a start soon
 * after a finished one does not scan again.
 */
export async function dropLegacyEntries(store: ShortTermStore, options: DropOptions = {}): Promise<number> {
  const marker = keys.legacyDropped(KEY_VERSION);
  if (!options.force && (await store.get(marker)) !== null) return 0;
  const current = new RegExp(`:(?:resp|cache):${KEY_VERSION}:`);
  const scan = options.signal ? { signal: options.signal } : {};
  const found = [
    ...(await store.scanKeys(keys.responseCache("*"), scan)),
    ...(await store.scanKeys(keys.actorCache("*", "*"), scan)),
  ];
  const legacy = found.filter((k) => !current.test(k));
  let n = 0;
  for (let i = 0; i < legacy.length; i += 500) n += await store.del(...legacy.slice(i, i + 500));
  if (!options.signal?.aborted) await store.set(marker, new Date().toISOString(), { ttlMs: DROP_HOLDS_MS });
  return n;
}

/** Whether redaction would change any text of the answer (then it is never stored). */
const carriesSecret = (a: CachedAnswer): boolean =>
  hasSecret(a.prompt) ||
  hasSecret(a.response) ||
  hasSecret(JSON.stringify(a.entities ?? null)) ||
  hasSecret(JSON.stringify(a.calls?.map((c) => c.input) ?? null));

export interface ResponseCacheStoreOptions {
  /** Least time between two purges of expired `semantic_cache` rows (default one minute). */
  purgeEveryMs?: number;
  /**
   * Rows `semantic_cache` keeps at most (default 50,000), checked every hundredth of that many puts
   * (every put below 200): the check walks the rows in expiry order, so the table may hold up to
   * 1% more between two checks.
   */
  maxEntries?: number;
  /** An in-process index of the entries: similarity lookups without a database round trip. */
  index?: EntryIndex;
  /**
   * The drop feed every process of the namespace hears: with it, exact entries read once are kept
   * in memory and served without a round trip while the feed is healthy (see `response-feed.ts`).
   */
  feed?: ResponseFeed;
}

/** An exact entry as Valkey holds it: the answer, and when it expires (epoch ms; absent in older entries). */
type StoredExact = CachedAnswer & { expiresAt?: number };

export interface ResponseCacheStats {
  /** Rows (and their exact entries) evicted to keep the bound. */
  evicted: number;
  /** Expired rows purged. */
  expired: number;
  /** Exact entries dropped by invalidations, and puts that dropped themselves after one. */
  invalidated: number;
  refused: number;
  /** Exact entries (and liveness checks) answered from process memory. */
  servedFromMemory?: number;
}

/** How long an invalidation mark lasts: longer than any turn that could still store (ms). */
const MARK_TTL_MS = 10 * 60_000;
/**
 * Clock difference between processes that a mark allows for (ms): an answer whose computation
 * began less than this after an invalidation of one of its sources is not kept.
 */
export const CLOCK_SKEW_MS = 250;

/**
 * `namespace` separates deployments (or test worlds) that share one Valkey but not one database:
 * an answer is only valid for the knowledge it was built from.
 */
export class ResponseCacheStore {
  readonly #purgeEveryMs: number;
  readonly #maxEntries: number;
  readonly #index: EntryIndex | undefined;
  readonly #feed: ResponseFeed | undefined;
  readonly #kept: KeptEntries<CachedAnswer & { scope: CacheScope }> | undefined;
  #nextPurgeAt = 0;
  #purging: Promise<void> | undefined;
  #bounding: Promise<void> | undefined;
  #boundAgain = false;
  /** Puts since the bound was last checked, and how many make it due. */
  #putsUnbound = 0;
  readonly #boundEvery: number;
  readonly #stats: ResponseCacheStats = { evicted: 0, expired: 0, invalidated: 0, refused: 0 };

  constructor(
    private readonly store: ShortTermStore,
    private readonly sql: Sql,
    private readonly namespace: string,
    options: ResponseCacheStoreOptions = {},
  ) {
    this.#purgeEveryMs = options.purgeEveryMs ?? 60_000;
    this.#maxEntries = options.maxEntries ?? 50_000;
    this.#boundEvery = Math.max(1, Math.floor(this.#maxEntries / 100));
    this.#index = options.index;
    this.#feed = options.feed;
    this.#kept = options.feed ? new KeptEntries(options.feed) : undefined;
  }

  stats(): ResponseCacheStats {
    return { ...this.#stats, servedFromMemory: this.#kept?.served ?? 0 };
  }

  #exactKey(scope: CacheScope, hash: string): string {
    const h = `${KEY_VERSION}:${this.namespace}:${hash}`;
    return scope === "shared" ? keys.responseCache(h) : keys.actorCache(scope.slice("actor:".length), h);
  }

  #sourceKey(source: string): string {
    return keys.toolTag(`resp:${this.namespace}:${source}`);
  }

  #markKey(source: string): string {
    return keys.toolTag(`respmark:${this.namespace}:${source}`);
  }

  /**
   * Looks the scopes up in order: an entry kept in memory answers at once (the drop feed healthy),
   * otherwise one pipelined round trip, whose first hit wins, with its scope.
   */
  async getExact(
    scopes: readonly CacheScope[],
    hash: string,
  ): Promise<(CachedAnswer & { scope: CacheScope }) | undefined> {
    const keys = scopes.map((s) => this.#exactKey(s, hash));
    if (this.#kept) {
      for (const k of keys) {
        const kept = this.#kept.get(k);
        if (kept === undefined) break;
        if (kept === null) continue;
        this.#kept.served++;
        return kept;
      }
      if (keys.every((k) => this.#kept!.get(k) === null)) {
        this.#kept.served++;
        return undefined;
      }
    }
    const mark = this.#kept?.mark();
    const p = this.store.pipeline();
    for (const k of keys) p.get(k);
    const values = await p.exec();
    const found = values.map((v, i) =>
      typeof v === "string" ? this.#read(mark, keys[i]!, v, scopes[i]!) : null,
    );
    if (mark) for (const [i, f] of found.entries()) if (f === null) this.#kept!.keep(mark, keys[i]!, null);
    return found.find((f) => f !== null) ?? undefined;
  }

  /** An exact entry as read from Valkey, kept in memory when the read allows it. */
  #read(
    mark: ReadMark | undefined,
    key: string,
    raw: string,
    scope: CacheScope,
  ): CachedAnswer & { scope: CacheScope } {
    const { expiresAt, ...answer } = JSON.parse(raw) as StoredExact;
    const entry = { ...answer, scope };
    // Expiry was set by the writer's clock: kept a little less long.
    if (mark && expiresAt !== undefined)
      this.#kept!.keep(mark, key, Object.freeze(entry), expiresAt - CLOCK_SKEW_MS);
    return entry;
  }

  /**
   * An index hears of other processes' invalidations and evictions a moment late; every write
   * that drops an entry deletes its exact key first, so a neighbour is served only while that key
   * is still there (one pipelined round trip to Valkey, none to the database).
   */
  async #live(found: Neighbour[]): Promise<Neighbour[]> {
    const checked = found.filter((n) => n.hash);
    const key = (n: Neighbour): string => this.#exactKey(n.scope, n.hash!);
    // What memory knows while the drop feed is healthy needs no round trip.
    const known = new Map(checked.map((n) => [n, this.#kept?.get(key(n))]));
    const unknown = checked.filter((n) => known.get(n) === undefined);
    if (unknown.length < checked.length && this.#kept) this.#kept.served++;
    if (unknown.length > 0) {
      const mark = this.#kept?.mark();
      const p = this.store.pipeline();
      for (const n of unknown) p.get(key(n));
      const values = await p.exec();
      for (const [i, n] of unknown.entries()) {
        const v = values[i];
        known.set(n, typeof v === "string" ? this.#read(mark, key(n), v, n.scope) : null);
        if (typeof v !== "string" && mark) this.#kept!.keep(mark, key(n), null);
      }
    }
    return checked.filter((n) => known.get(n) != null);
  }

  /** Whether `nearest` narrows by match key now: the index is loaded (the table scans every key). */
  get narrowsByKey(): boolean {
    return this.#index?.ready === true;
  }

  /** Live entries nearest to `embedding`; `matchKey` narrows the index's scan (the table ignores it). */
  async nearest(
    embedding: Float32Array,
    scopes: readonly CacheScope[],
    k = 4,
    matchKey?: string,
  ): Promise<Neighbour[]> {
    if (this.#index?.ready) return this.#live(this.#index.nearest(embedding, scopes, k, matchKey));
    const rows = await this.sql<
      {
        prompt: string;
        response: { text: string; calls?: RecordedCall[] };
        entities: unknown;
        category: string;
        sources: string[];
        similarity: number;
        id: string;
        scope: string;
      }[]
    >`SELECT id::text AS id, scope, prompt, response, entities, category, sources, 1 - (embedding <=> ${toVector(embedding)}::vector) AS similarity
      FROM semantic_cache
      WHERE scope = ANY(${scopes as string[]}) AND expires_at > now()
      ORDER BY embedding <=> ${toVector(embedding)}::vector
      LIMIT ${k}`;
    return rows.map((r) => ({
      ...r,
      response: r.response.text,
      ...(r.response.calls ? { calls: r.response.calls } : {}),
      similarity: Number(r.similarity),
    }));
  }

  /**
   * Stores an answer. `computedSince` (epoch ms) is when its computation began: when a source it
   * depends on was invalidated since, the put drops what it wrote and returns false.
   */
  async put(
    scope: CacheScope,
    hash: string,
    embedding: Float32Array,
    answer: CachedAnswer,
    ttlMs: number,
    computedSince?: number,
  ): Promise<boolean> {
    if (carriesSecret(answer)) return false;
    const exactKey = this.#exactKey(scope, hash);
    const stored: StoredExact = { ...answer, expiresAt: Date.now() + ttlMs };
    // The exact entry, its sources' memberships and the row are written at once (in parallel, not
    // one round trip after another); what depends on them all follows. Once the entry landed,
    // processes that knew its key empty learn it is not.
    const [, , [row]] = await Promise.all([
      this.store
        .pipeline()
        .set(exactKey, JSON.stringify(stored), { ttlMs })
        .exec()
        .then(() => this.#feed?.announce({ keys: [exactKey] }, false)),
      Promise.all(answer.sources.map((s) => this.store.sadd(this.#sourceKey(s), `${scope}\u0000${hash}`))),
      this.sql<{ id: string }[]>`
        INSERT INTO semantic_cache (scope, hash, prompt, entities, category, response, sources, embedding, expires_at)
        VALUES (${scope}, ${hash}, ${answer.prompt}, ${this.sql.json(answer.entities as never)}, ${answer.category},
          ${this.sql.json({ text: answer.response, ...(answer.calls ? { calls: answer.calls } : {}) } as never)},
          ${answer.sources}, ${toVector(embedding)}::vector,
          now() + ${`${Math.round(ttlMs)} milliseconds`}::interval)
        RETURNING id::text AS id`,
    ]);
    // Read after writing: an invalidation either saw this entry or left a mark seen here.
    if (computedSince !== undefined && (await this.#invalidatedSince(answer.sources, computedSince))) {
      await this.store.del(exactKey);
      await this.#feed?.announce({ keys: [exactKey] }, true);
      await this.sql`DELETE FROM semantic_cache WHERE id = ${row!.id}`;
      this.#stats.refused++;
      return false;
    }
    await this.#index?.added({
      ...answer,
      id: row!.id,
      hash,
      scope,
      embedding,
      expiresAt: Date.now() + ttlMs,
    });
    this.#purgeWhenDue();
    if (++this.#putsUnbound >= this.#boundEvery) {
      this.#putsUnbound = 0;
      this.#boundInBackground();
    }
    return true;
  }

  async #invalidatedSince(sources: readonly string[], since: number): Promise<boolean> {
    if (sources.length === 0) return false;
    const p = this.store.pipeline();
    for (const s of sources) p.get(this.#markKey(s));
    const marks = await p.exec();
    return marks.some((m) => typeof m === "string" && Number(m) >= since - CLOCK_SKEW_MS);
  }

  /** Evicts beyond the bound after a put; puts made while one runs make it run once more. */
  #boundInBackground(): void {
    if (this.#bounding) {
      this.#boundAgain = true;
      return;
    }
    this.#bounding = (async () => {
      do {
        this.#boundAgain = false;
        // The cache never fails a request: an eviction that fails is retried after the next put.
        await this.enforceBound().catch(() => {});
      } while (this.#boundAgain);
    })().finally(() => {
      this.#bounding = undefined;
    });
  }

  /** Resolves when the background purge and eviction started so far are done. */
  async settled(): Promise<void> {
    while (this.#bounding || this.#purging) await Promise.all([this.#bounding, this.#purging]);
  }

  /**
   * Keeps at most `maxEntries` rows: those beyond it, nearest to expiry first, go with their exact
   * entries. Returns how many rows went.
   */
  async enforceBound(): Promise<number> {
    const gone = await this.sql<{ id: string; scope: string; hash: string | null }[]>`
      DELETE FROM semantic_cache WHERE id IN (
        SELECT id FROM semantic_cache ORDER BY expires_at DESC, id DESC OFFSET ${this.#maxEntries})
      RETURNING id::text AS id, scope, hash`;
    await this.#index?.droppedIds(gone.map((g) => g.id));
    const exact = gone.filter((g) => g.hash !== null).map((g) => this.#exactKey(g.scope, g.hash!));
    // One key per command: exact entries of different actors live in different cluster slots.
    await Promise.all(exact.map((k) => this.store.del(k)));
    if (exact.length > 0) await this.#feed?.announce({ keys: exact }, false);
    this.#stats.evicted += gone.length;
    return gone.length;
  }

  /** Starts a purge in the background when the last one is `purgeEveryMs` old. */
  #purgeWhenDue(): void {
    const now = Date.now();
    if (this.#purging || now < this.#nextPurgeAt) return;
    this.#nextPurgeAt = now + this.#purgeEveryMs;
    // The cache never fails a request: a purge that fails is retried when the next one is due.
    this.#purging = this.purgeExpired()
      .catch(() => {})
      .finally(() => {
        this.#purging = undefined;
      });
  }

  /** Drops every cached answer built from `source`; returns how many exact entries went. */
  async invalidateSource(source: string): Promise<number> {
    // The mark first: a put that finishes after it drops itself (see `put`).
    await this.store.set(this.#markKey(source), String(Date.now()), { ttlMs: MARK_TTL_MS });
    const members = await this.store.smembers(this.#sourceKey(source));
    const exact = members.map((m) => {
      const [scope, hash] = m.split("\u0000") as [string, string];
      return this.#exactKey(scope, hash);
    });
    const n = (await Promise.all(exact.map((k) => this.store.del(k)))).reduce((a, b) => a + b, 0);
    // Every process stops serving them from memory before this returns.
    await this.#feed?.announce({ source }, true);
    this.#stats.invalidated += n;
    await this.store.del(this.#sourceKey(source));
    await this.sql`DELETE FROM semantic_cache WHERE ${source} = ANY(sources)`;
    await this.#index?.droppedSource(source);
    return n;
  }

  async purgeExpired(): Promise<void> {
    const gone = await this.sql`DELETE FROM semantic_cache WHERE expires_at <= now()`;
    this.#stats.expired += gone.count;
  }
}
