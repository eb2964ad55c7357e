/**
 * An in-process index of the semantic response cache's entries, so a similarity lookup needs no
 * database round trip: an exact cosine scan over unit vectors of the scopes asked (thousands of
 * entries take well under a millisecond), answering like `ResponseCacheStore.nearest` (pgvector).
 *
 * Kept in step with the shared store across processes: at start the live rows of `semantic_cache`
 * are loaded; every put and invalidation is applied here at once and announced on a Valkey stream
 * (one per namespace), which every other index reads (polling `XRANGE`, one round trip per
 * `pollMs` whatever the traffic). The start marker is appended before the rows are read, so a
 * change is either in the rows or after the marker. Expired entries are skipped and swept; a full
 * reload every `resyncMs` repairs what no announcement said (a row deleted by hand).
 * Another process sees a change after at most about `pollMs`.
 *
 * A Valkey with vector search (`FT.SEARCH`) could stand behind the same `nearest`; the Redis 7
 * this project tests against has no search module, so only this index and pgvector are wired.
 */
import { randomUUID } from "node:crypto";
import type { Sql } from "postgres";
import type { Logger } from "../core/logger.js";
import { fromVector } from "./db/vector.js";
import type { CacheScope, EntryIndex, IndexedEntry, Neighbour } from "./response-cache.js";
import { keys } from "./store/keys.js";
import type { ShortTermStore, StreamEntry } from "./store/types.js";

/**
 * An entry as held: its embedding kept only scaled to unit length (similarity is then a dot
 * product), not also as given, so each entry holds one vector.
 */
interface Held extends Omit<IndexedEntry, "embedding"> {
  unit: Float32Array;
  /** `matchKeyOf(entities)`, when one is given. */
  matchKey: string | undefined;
}

export interface ResponseIndexOptions {
  store: ShortTermStore;
  sql: Sql;
  namespace: string;
  logger?: Logger;
  /** Pause between two reads of the change stream (default 50 ms). */
  pollMs?: number;
  /** Full reload from the table (default every 5 minutes). */
  resyncMs?: number;
  /** Entries the change stream keeps, about (default 10,000). */
  feedLength?: number;
  /**
   * What an entry must share with a lookup to be served for it at all (the cache's entities and
   * what its reading did not cover): a lookup that gives one scans only the entries with the same
   * key, so a hit costs what its few candidates cost, however many entries the scope holds.
   */
  matchKeyOf?: (entities: unknown) => string | undefined;
}

/**
 * The dot product of two vectors of one length, four lanes at a time (independent sums, so the
 * additions overlap): the similarity scan's inner loop, run over every held entry per lookup.
 */
function dot(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  const end = n - (n % 4);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < end; i += 4) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
    s2 += a[i + 2]! * b[i + 2]!;
    s3 += a[i + 3]! * b[i + 3]!;
  }
  for (let i = end; i < n; i++) s0 += a[i]! * b[i]!;
  return s0 + s1 + (s2 + s3);
}

function unit(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  const out = new Float32Array(v.length);
  if (n === 0) return out;
  const s = 1 / Math.sqrt(n);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * s;
  return out;
}

const encode = (v: Float32Array): string =>
  Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
const decode = (s: string): Float32Array => {
  const b = Buffer.from(s, "base64");
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

/** Without a successful read of the change stream for this long, the index stops answering. */
const STALE_AFTER_MS = 2_000;

export class ResponseIndex implements EntryIndex {
  readonly #o: ResponseIndexOptions;
  readonly #feed: string;
  /** This instance, so it skips its own announcements (applied when made). */
  readonly #self = randomUUID();
  readonly #byScope = new Map<CacheScope, Map<string, Held>>();
  #lastId = "0-0";
  #ready = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #nextResync = 0;
  #nextSweep = 0;
  #lastRead = 0;
  /** Changes made here while a load reads the table (replayed on what it read). */
  #during: (() => void)[] | undefined;

  constructor(options: ResponseIndexOptions) {
    this.#o = options;
    this.#feed = keys.responseFeed(options.namespace);
  }

  /**
   * Whether `nearest` may answer: the entries are loaded and the change stream was read lately
   * (while it cannot be read, changes made elsewhere are unknown: lookups go to the table).
   */
  get ready(): boolean {
    return this.#ready && Date.now() - this.#lastRead < STALE_AFTER_MS;
  }

  get size(): number {
    let n = 0;
    for (const m of this.#byScope.values()) n += m.size;
    return n;
  }

  /** Loads the live rows and starts following the change stream. */
  async start(): Promise<void> {
    const t = performance.now();
    await this.#load();
    this.#ready = true;
    this.#o.logger?.info(
      { entries: this.size, ms: Math.round(performance.now() - t) },
      "response index loaded",
    );
    this.#schedule();
  }

  async #load(): Promise<void> {
    this.#during = [];
    try {
      await this.#read();
      for (const change of this.#during) change();
    } finally {
      this.#during = undefined;
    }
  }

  /** Applies a change made here now, and again after a load in progress. */
  #local(change: () => void): void {
    change();
    this.#during?.push(change);
  }

  async #read(): Promise<void> {
    // The marker first: a change committed after the rows were read is announced after it.
    const marker = await this.#o.store.xadd(
      this.#feed,
      { op: "start", from: this.#self },
      { maxLen: this.#o.feedLength ?? 10_000 },
    );
    const rows = await this.#o.sql<
      {
        id: string;
        scope: string;
        prompt: string;
        response: { text: string; calls?: IndexedEntry["calls"] };
        entities: unknown;
        category: string;
        sources: string[];
        hash: string | null;
        embedding: string;
        expires_ms: number;
      }[]
    >`SELECT id::text AS id, scope, hash, prompt, response, entities, category, sources, embedding::text AS embedding,
        (extract(epoch FROM expires_at) * 1000)::float8 AS expires_ms
      FROM semantic_cache WHERE expires_at > now()`;
    this.#byScope.clear();
    for (const r of rows) {
      this.#add({
        id: r.id,
        scope: r.scope,
        prompt: r.prompt,
        response: r.response.text,
        ...(r.response.calls ? { calls: r.response.calls } : {}),
        entities: r.entities,
        category: r.category,
        sources: r.sources,
        hash: r.hash,
        embedding: Float32Array.from(fromVector(r.embedding)),
        expiresAt: Number(r.expires_ms),
      });
    }
    this.#lastId = marker;
    this.#lastRead = Date.now();
    this.#nextResync = Date.now() + (this.#o.resyncMs ?? 300_000);
  }

  #add(e: IndexedEntry): void {
    let scope = this.#byScope.get(e.scope);
    if (!scope) {
      scope = new Map();
      this.#byScope.set(e.scope, scope);
    }
    const { embedding, ...rest } = e;
    scope.set(e.id, { ...rest, unit: unit(embedding), matchKey: this.#o.matchKeyOf?.(e.entities) });
  }

  #dropSource(source: string): void {
    for (const scope of this.#byScope.values()) {
      for (const [id, e] of scope) if (e.sources.includes(source)) scope.delete(id);
    }
  }

  #dropIds(ids: readonly string[]): void {
    for (const scope of this.#byScope.values()) for (const id of ids) scope.delete(id);
  }

  /**
   * The `k` entries of `scopes` most similar to `embedding`, most similar first; with `matchKey`,
   * only entries of that key (an entry of another key is skipped before its vector is read).
   */
  nearest(embedding: Float32Array, scopes: readonly CacheScope[], k = 4, matchKey?: string): Neighbour[] {
    const q = unit(embedding);
    const now = Date.now();
    const best: { e: Held; s: number }[] = [];
    for (const name of scopes) {
      const scope = this.#byScope.get(name);
      if (!scope) continue;
      for (const e of scope.values()) {
        if (e.expiresAt <= now || (matchKey !== undefined && e.matchKey !== matchKey)) continue;
        const s = dot(e.unit, q);
        if (best.length === k && s <= best[k - 1]!.s) continue;
        let at = best.length;
        while (at > 0 && best[at - 1]!.s < s) at--;
        best.splice(at, 0, { e, s });
        if (best.length > k) best.pop();
      }
    }
    return best.map(({ e, s }) => ({
      id: e.id,
      scope: e.scope,
      prompt: e.prompt,
      response: e.response,
      ...(e.calls ? { calls: e.calls } : {}),
      entities: e.entities,
      category: e.category,
      sources: [...e.sources],
      hash: e.hash,
      similarity: s,
    }));
  }

  /** A put stored `entry`: held here at once, announced to the other processes. */
  async added(entry: IndexedEntry): Promise<void> {
    this.#local(() => this.#add(entry));
    await this.#announce({
      op: "put",
      id: entry.id,
      scope: entry.scope,
      prompt: entry.prompt,
      response: entry.response,
      calls: JSON.stringify(entry.calls ?? null),
      entities: JSON.stringify(entry.entities ?? null),
      category: entry.category,
      sources: JSON.stringify(entry.sources),
      hash: entry.hash ?? "",
      embedding: encode(entry.embedding),
      expiresAt: String(entry.expiresAt),
    });
  }

  /** Every entry built from `source` was dropped: here at once, and announced. */
  async droppedSource(source: string): Promise<void> {
    this.#local(() => this.#dropSource(source));
    await this.#announce({ op: "drop-source", source });
  }

  /** Entries dropped by id (evicted, refused after the fact): here at once, and announced. */
  async droppedIds(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    this.#local(() => this.#dropIds(ids));
    await this.#announce({ op: "drop-ids", ids: JSON.stringify(ids) });
  }

  async #announce(fields: Record<string, string>): Promise<void> {
    await this.#o.store.xadd(
      this.#feed,
      { ...fields, from: this.#self },
      { maxLen: this.#o.feedLength ?? 10_000 },
    );
  }

  #apply(entry: StreamEntry): void {
    const f = entry.fields;
    if (f.from === this.#self) return;
    if (f.op === "put") {
      this.#add({
        id: f.id!,
        scope: f.scope!,
        prompt: f.prompt!,
        response: f.response!,
        ...(f.calls && f.calls !== "null"
          ? { calls: JSON.parse(f.calls) as NonNullable<IndexedEntry["calls"]> }
          : {}),
        entities: JSON.parse(f.entities!) as unknown,
        category: f.category!,
        sources: JSON.parse(f.sources!) as string[],
        hash: f.hash || null,
        embedding: decode(f.embedding!),
        expiresAt: Number(f.expiresAt),
      });
    } else if (f.op === "drop-source") this.#dropSource(f.source!);
    else if (f.op === "drop-ids") this.#dropIds(JSON.parse(f.ids!) as string[]);
  }

  /** Reads what was announced since the last read; returns how many entries came. */
  async poll(): Promise<number> {
    const batch = 500;
    let read = 0;
    for (;;) {
      const entries = await this.#o.store.xrange(this.#feed, this.#lastId, "+", batch + 1);
      const fresh = entries.filter((e) => e.id !== this.#lastId);
      for (const e of fresh) this.#apply(e);
      read += fresh.length;
      if (fresh.length > 0) this.#lastId = fresh.at(-1)!.id;
      if (entries.length <= batch) {
        this.#lastRead = Date.now();
        return read;
      }
    }
  }

  #sweep(): void {
    const now = Date.now();
    for (const scope of this.#byScope.values()) {
      for (const [id, e] of scope) if (e.expiresAt <= now) scope.delete(id);
    }
  }

  #schedule(): void {
    if (this.#closed) return;
    this.#timer = setTimeout(() => {
      void this.#tick().finally(() => this.#schedule());
    }, this.#o.pollMs ?? 50);
    this.#timer.unref();
  }

  async #tick(): Promise<void> {
    try {
      const now = Date.now();
      if (now >= this.#nextResync) await this.#load();
      else await this.poll();
      if (now >= this.#nextSweep) {
        this.#sweep();
        this.#nextSweep = now + 10_000;
      }
    } catch (err) {
      // The store is unreachable: entries stay as they are and the next tick tries again.
      this.#o.logger?.warn({ err }, "response index: change stream unreadable");
    }
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }
}
