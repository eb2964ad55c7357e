/**
 * Storage for the semantic response cache: exact entries in Valkey (normalised-text hash, one
 * GET per scope), nearest-neighbour entries in pgvector (`semantic_cache`), and invalidation by
 * source (a knowledge document that changed). Expired rows are purged by the puts themselves, at
 * most once per `purgeEveryMs`, so the table holds about one TTL's worth of answers.
 *
 * Nothing secret is ever cached: `put` refuses an answer when redaction would change any text
 * it stores (the prompt, the response or the entities), so a prompt that carried a card number,
 * a password or a token is answered but never kept. Entries written by earlier versions (which
 * did not check) live under other key versions; `dropLegacyEntries` deletes them.
 */
import type { Sql } from "postgres";
import { hasSecret } from "../core/redact.js";
import { toVector } from "./db/vector.js";
import { keys } from "./store/keys.js";
import type { ShortTermStore } from "./store/types.js";

export interface CachedAnswer {
  prompt: string;
  response: string;
  entities: unknown;
  category: string;
  sources: string[];
}

export interface Neighbour extends CachedAnswer {
  similarity: number;
  /** The row's id in `semantic_cache`, and the scope it was stored in. */
  id: string;
  scope: CacheScope;
}

/** Exact-entry key version: entries of earlier versions may hold secrets and are never read. */
const KEY_VERSION = "v2";

/** Deletes exact entries written under earlier key versions; returns how many went. */
export async function dropLegacyEntries(store: ShortTermStore): Promise<number> {
  const current = new RegExp(`:(?:resp|cache):${KEY_VERSION}:`);
  const found = [
    ...(await store.scanKeys(keys.responseCache("*"))),
    ...(await store.scanKeys(keys.actorCache("*", "*"))),
  ];
  const legacy = found.filter((k) => !current.test(k));
  let n = 0;
  for (let i = 0; i < legacy.length; i += 500) n += await store.del(...legacy.slice(i, i + 500));
  return n;
}

/** Whether redaction would change any text of the answer (then it is never stored). */
const carriesSecret = (a: CachedAnswer): boolean =>
  hasSecret(a.prompt) || hasSecret(a.response) || hasSecret(JSON.stringify(a.entities ?? null));

/** `shared`, or `actor:<id>`. */
export type CacheScope = string;

/** A stored answer as an index holds it: its row id, scope, embedding and expiry (epoch ms). */
export interface IndexedEntry extends CachedAnswer {
  id: string;
  scope: CacheScope;
  embedding: Float32Array;
  expiresAt: number;
}

/** An in-process index of the entries (`response-index.ts`), told of every put and invalidation. */
export interface EntryIndex {
  /** Whether `nearest` may answer (otherwise pgvector does). */
  readonly ready: boolean;
  nearest(embedding: Float32Array, scopes: readonly CacheScope[], k: number): Neighbour[];
  added(entry: IndexedEntry): Promise<void>;
  droppedSource(source: string): Promise<void>;
}

export interface ResponseCacheStoreOptions {
  /** Least time between two purges of expired `semantic_cache` rows (default one minute). */
  purgeEveryMs?: number;
  /** An in-process index of the entries: similarity lookups without a database round trip. */
  index?: EntryIndex;
}

/**
 * `namespace` separates deployments (or test worlds) that share one Valkey but not one database:
 * an answer is only valid for the knowledge it was built from.
 */
export class ResponseCacheStore {
  readonly #purgeEveryMs: number;
  readonly #index: EntryIndex | undefined;
  #nextPurgeAt = 0;
  #purging: Promise<void> | undefined;

  constructor(
    private readonly store: ShortTermStore,
    private readonly sql: Sql,
    private readonly namespace: string,
    options: ResponseCacheStoreOptions = {},
  ) {
    this.#purgeEveryMs = options.purgeEveryMs ?? 60_000;
    this.#index = options.index;
  }

  #exactKey(scope: CacheScope, hash: string): string {
    const h = `${KEY_VERSION}:${this.namespace}:${hash}`;
    return scope === "shared" ? keys.responseCache(h) : keys.actorCache(scope.slice("actor:".length), h);
  }

  #sourceKey(source: string): string {
    return keys.toolTag(`resp:${this.namespace}:${source}`);
  }

  /** Looks the scopes up in order in one pipelined round trip; the first hit wins, with its scope. */
  async getExact(
    scopes: readonly CacheScope[],
    hash: string,
  ): Promise<(CachedAnswer & { scope: CacheScope }) | undefined> {
    const p = this.store.pipeline();
    for (const s of scopes) p.get(this.#exactKey(s, hash));
    const values = await p.exec();
    for (const [i, v] of values.entries()) {
      if (typeof v === "string") return { ...(JSON.parse(v) as CachedAnswer), scope: scopes[i]! };
    }
    return undefined;
  }

  async nearest(embedding: Float32Array, scopes: readonly CacheScope[], k = 4): Promise<Neighbour[]> {
    if (this.#index?.ready) return this.#index.nearest(embedding, scopes, k);
    const rows = await this.sql<
      {
        prompt: string;
        response: { text: string };
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
    return rows.map((r) => ({ ...r, response: r.response.text, similarity: Number(r.similarity) }));
  }

  async put(
    scope: CacheScope,
    hash: string,
    embedding: Float32Array,
    answer: CachedAnswer,
    ttlMs: number,
  ): Promise<boolean> {
    if (carriesSecret(answer)) return false;
    const p = this.store.pipeline().set(this.#exactKey(scope, hash), JSON.stringify(answer), { ttlMs });
    await p.exec();
    for (const s of answer.sources) await this.store.sadd(this.#sourceKey(s), `${scope}\u0000${hash}`);
    const [row] = await this.sql<{ id: string }[]>`
      INSERT INTO semantic_cache (scope, prompt, entities, category, response, sources, embedding, expires_at)
      VALUES (${scope}, ${answer.prompt}, ${this.sql.json(answer.entities as never)}, ${answer.category},
        ${this.sql.json({ text: answer.response })}, ${answer.sources}, ${toVector(embedding)}::vector,
        now() + ${`${Math.round(ttlMs)} milliseconds`}::interval)
      RETURNING id::text AS id`;
    await this.#index?.added({ ...answer, id: row!.id, scope, embedding, expiresAt: Date.now() + ttlMs });
    this.#purgeWhenDue();
    return true;
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
    const members = await this.store.smembers(this.#sourceKey(source));
    const exact = members.map((m) => {
      const [scope, hash] = m.split("\u0000") as [string, string];
      return this.#exactKey(scope, hash);
    });
    const n = exact.length > 0 ? await this.store.del(...exact) : 0;
    await this.store.del(this.#sourceKey(source));
    await this.sql`DELETE FROM semantic_cache WHERE ${source} = ANY(sources)`;
    await this.#index?.droppedSource(source);
    return n;
  }

  async purgeExpired(): Promise<void> {
    await this.sql`DELETE FROM semantic_cache WHERE expires_at <= now()`;
  }
}
