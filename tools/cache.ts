/**
 * Cached tools. `cache.cached(tool, policy)` returns the same tool with its successful results
 * kept in the short-term store (Valkey) for a TTL with jitter, keyed by the tool name, the
 * canonical JSON of its validated input (sorted keys) and its scope (global, or per actor for
 * personal data). Concurrent misses for one key run the tool once: in this process through a
 * map of in-flight promises, across processes through a short `SET NX PX` lock while the other
 * callers poll for the value. Writes call `invalidate(tag)`; entries are listed in per-tag sets.
 *
 * The cache is an optimisation and never a reason to fail: any store error (or a store slower
 * than `opTimeoutMs`) makes the call run uncached, and the store is skipped for `retryAfterMs`.
 * Only `status: "success"` results are cached.
 */
import { createHash, randomUUID } from "node:crypto";
import type { JsonValue } from "../core/json.js";
import type { Logger } from "../core/logger.js";
import { keys } from "../memory/store/keys.js";
import type { Script, ShortTermStore } from "../memory/store/types.js";
import type {
  CacheCounts,
  CacheStats,
  ToolCache,
  ToolCacheOptions,
  ToolCachePolicy,
  WrapOptions,
} from "./cache-types.js";
import { canonicalJson } from "./canonical-json.js";
import { ok, type Tool, type ToolContext, type ToolResult } from "./types.js";

export type { ToolCache, ToolCacheOptions, ToolCachePolicy } from "./cache-types.js";
export { canonicalJson } from "./canonical-json.js";

/** Deletes the lock only while it still holds our token (a late caller never frees another's lock). */
const releaseLock: Script<number> = {
  name: "flightly-tool-cache-release",
  lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
  local: (ops, k, a) => (ops.get(k[0]!) === a[0] ? ops.del(k[0]!) : 0),
};

/** An invalidation mark outlives any computation (bounded by the lock TTL) that could still write. */
const MARK_TTL_MS = 10 * 60_000;

class StoreDown extends Error {}

interface Entry {
  valueKey: string;
  lockKey: string;
  ttlMs: number;
  jitter: number;
  tags: readonly string[];
  deadline: number;
  name: string;
}

const hash = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 32);
const zero = (): CacheCounts => ({ hits: 0, misses: 0, coalesced: 0, bypassed: 0 });

class StoreToolCache implements ToolCache {
  readonly #store: ShortTermStore;
  readonly #logger: Logger | undefined;
  readonly #ns: string;
  readonly #lockTtlMs: number;
  readonly #pollMs: number;
  readonly #opTimeoutMs: number;
  readonly #retryAfterMs: number;
  readonly #onInvalidate: ToolCacheOptions["onInvalidate"];
  readonly #inflight = new Map<string, { promise: Promise<unknown>; tags: readonly string[] }>();
  readonly #totals = zero();
  readonly #byName = new Map<string, CacheCounts>();
  #invalidations = 0;
  #downUntil = 0;

  constructor(store: ShortTermStore, options: ToolCacheOptions) {
    this.#store = store;
    this.#logger = options.logger;
    this.#ns = options.namespace ?? "";
    this.#lockTtlMs = options.lockTtlMs ?? 10_000;
    this.#pollMs = options.pollMs ?? 5;
    this.#opTimeoutMs = options.opTimeoutMs ?? 250;
    this.#retryAfterMs = options.retryAfterMs ?? 1_000;
    this.#onInvalidate = options.onInvalidate;
  }

  cached<I>(tool: Tool<I>, policy: ToolCachePolicy<I>): Tool<I> {
    if (tool.sideEffect) throw new TypeError(`tool ${tool.name} changes data and cannot be cached`);
    const jitter = policy.jitter ?? 0.1;
    const run = (input: I, ctx: ToolContext): Promise<ToolResult> => {
      const scope = policy.scope === "actor" ? `actor:${ctx.actor.id}` : "global";
      const h = hash(`${this.#ns}\n${tool.name}\n${scope}\n${canonicalJson(input)}`);
      const valueKey =
        policy.scope === "actor" ? keys.actorCache(ctx.actor.id, `tool:${h}`) : keys.toolCache(h);
      return this.#get<ToolResult>(
        {
          valueKey,
          lockKey: `${valueKey}:lock`,
          ttlMs: policy.ttlMs,
          jitter,
          tags: policy.tags?.(input) ?? [],
          deadline: ctx.deadline,
          name: tool.name,
        },
        () => tool.run(input, ctx),
        (r) => (r.status === "success" ? JSON.stringify(r.json) : undefined),
        (s) => ok(JSON.parse(s) as JsonValue),
      );
    };
    return {
      name: tool.name,
      description: tool.description,
      input: tool.input,
      sideEffect: false,
      run,
    };
  }

  wrap<T>(key: string, ttlMs: number, fn: () => Promise<T>, options: WrapOptions<T> = {}): Promise<T> {
    const valueKey = keys.toolCache(hash(`${this.#ns}\nwrap\n${key}`));
    const cacheIf = options.cacheIf;
    return this.#get<T>(
      {
        valueKey,
        lockKey: `${valueKey}:lock`,
        ttlMs,
        jitter: options.jitter ?? 0.1,
        tags: options.tags ?? [],
        deadline: options.deadline ?? Date.now() + this.#lockTtlMs,
        name: options.name ?? "wrap",
      },
      fn,
      (v) => (v === undefined || (cacheIf && !cacheIf(v)) ? undefined : JSON.stringify(v)),
      (s) => JSON.parse(s) as T,
    );
  }

  async invalidate(...tags: string[]): Promise<void> {
    if (tags.length === 0) return;
    this.#invalidations += tags.length;
    // New callers must not join a computation that started before this write.
    for (const [key, flight] of this.#inflight) {
      if (flight.tags.some((t) => tags.includes(t))) this.#inflight.delete(key);
    }
    await this.#onInvalidate?.(tags).catch((err) =>
      this.#logger?.warn({ err, tags }, "could not drop what was built on invalidated results"),
    );
    if (this.#isDown()) return;
    try {
      await Promise.all(
        tags.map(async (tag) => {
          const tagKey = keys.toolTag(this.#ns + tag);
          await this.#op(this.#store.set(this.#markKey(tag), randomUUID(), { ttlMs: MARK_TTL_MS }));
          const members = await this.#op(this.#store.smembers(tagKey));
          // One key per command: entries live in different cluster slots.
          await Promise.all([...members, tagKey].map((k) => this.#op(this.#store.del(k))));
        }),
      );
    } catch (err) {
      this.#markDown(err);
    }
  }

  stats(): CacheStats {
    const byName: Record<string, CacheCounts> = {};
    for (const [name, c] of this.#byName) byName[name] = { ...c };
    return { ...this.#totals, invalidations: this.#invalidations, byName };
  }

  #count(name: string, what: keyof CacheCounts): void {
    this.#totals[what]++;
    let c = this.#byName.get(name);
    if (!c) {
      c = zero();
      this.#byName.set(name, c);
    }
    c[what]++;
  }

  #isDown(): boolean {
    return this.#downUntil > Date.now();
  }

  #markDown(err: unknown): void {
    if (!this.#isDown()) {
      this.#logger?.warn(
        { err: err instanceof StoreDown ? err.message : err, retryAfterMs: this.#retryAfterMs },
        "tool cache store unavailable; running tools uncached",
      );
    }
    this.#downUntil = Date.now() + this.#retryAfterMs;
  }

  /** A store call with a deadline; its failure is a `StoreDown`, never the tool's failure. */
  #op<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreDown(`store call exceeded ${this.#opTimeoutMs} ms`)),
        this.#opTimeoutMs,
      );
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
  }

  #get<T>(
    e: Entry,
    compute: () => Promise<T>,
    encode: (v: T) => string | undefined,
    decode: (s: string) => T,
  ): Promise<T> {
    const flight = this.#inflight.get(e.valueKey);
    if (flight) {
      this.#count(e.name, "coalesced");
      return flight.promise as Promise<T>;
    }
    const promise = this.#lead(e, compute, encode, decode).finally(() => {
      if (this.#inflight.get(e.valueKey)?.promise === promise) this.#inflight.delete(e.valueKey);
    });
    this.#inflight.set(e.valueKey, { promise, tags: e.tags });
    return promise;
  }

  async #lead<T>(
    e: Entry,
    compute: () => Promise<T>,
    encode: (v: T) => string | undefined,
    decode: (s: string) => T,
  ): Promise<T> {
    if (this.#isDown()) {
      this.#count(e.name, "bypassed");
      return compute();
    }
    const token = randomUUID();
    let locked = false;
    let marks: (string | null)[];
    try {
      const cached = await this.#op(this.#store.get(e.valueKey));
      if (cached !== null) {
        this.#count(e.name, "hits");
        return decode(cached);
      }
      // The tags' invalidation marks are read before computing: see #write.
      [locked, marks] = await Promise.all([
        this.#op(this.#store.set(e.lockKey, token, { nx: true, ttlMs: this.#lockTtlMs })),
        this.#readMarks(e.tags),
      ]);
      if (!locked) {
        const value = await this.#waitForOther(e);
        if (value !== null) {
          this.#count(e.name, "coalesced");
          return decode(value);
        }
        marks = await this.#readMarks(e.tags);
      }
    } catch (err) {
      this.#markDown(err);
      this.#count(e.name, "bypassed");
      return compute();
    }
    this.#count(e.name, "misses");
    let value: T;
    try {
      value = await compute();
    } catch (err) {
      if (locked) await this.#unlock(e, token);
      throw err;
    }
    const encoded = encode(value);
    if (encoded !== undefined) await this.#write(e, encoded, marks, locked ? token : undefined);
    else if (locked) await this.#unlock(e, token);
    return value;
  }

  #readMarks(tags: readonly string[]): Promise<(string | null)[]> {
    return Promise.all(tags.map((t) => this.#op(this.#store.get(this.#markKey(t)))));
  }

  #markKey(tag: string): string {
    return `${keys.toolTag(this.#ns + tag)}:inv`;
  }

  async #unlock(e: Entry, token: string): Promise<void> {
    await this.#op(this.#store.runScript(releaseLock, [e.lockKey], [token])).catch((err) =>
      this.#markDown(err),
    );
  }

  /** Polls while another process computes; null when it gave up without a value (or we ran out of time). */
  async #waitForOther(e: Entry): Promise<string | null> {
    const until = Math.min(Date.now() + this.#lockTtlMs, e.deadline);
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, this.#pollMs));
      // Two commands, not a pipeline: the keys may live in different cluster slots.
      const [value, lock] = await Promise.all([
        this.#op(this.#store.get(e.valueKey)),
        this.#op(this.#store.get(e.lockKey)),
      ]);
      if (value !== null) return value;
      if (lock === null) return null;
    }
    return null;
  }

  /**
   * Tag, store, then compare the tags' invalidation marks with those read before computing. An
   * invalidation (which commits its data first, then writes a fresh random mark, then deletes the
   * tagged keys) that raced with this computation either changed a mark we see here, and we drop
   * our value, or came after our tag and value writes and deleted the value itself. No clocks.
   */
  async #write(
    e: Entry,
    encoded: string,
    marks: (string | null)[],
    token: string | undefined,
  ): Promise<void> {
    const ttl = Math.max(1, Math.round(e.ttlMs * (1 + e.jitter * (2 * Math.random() - 1))));
    const setTtl = ttl + this.#lockTtlMs;
    try {
      await Promise.all(
        e.tags.map(async (tag) => {
          const tagKey = keys.toolTag(this.#ns + tag);
          // The set lives as long as its longest-lived entry (-1: no TTL yet).
          const [, left] = await Promise.all([
            this.#op(this.#store.sadd(tagKey, e.valueKey)),
            this.#op(this.#store.pttl(tagKey)),
          ]);
          if (left < setTtl) await this.#op(this.#store.pexpire(tagKey, setTtl));
        }),
      );
      await this.#op(this.#store.set(e.valueKey, encoded, { ttlMs: ttl }));
      const [after] = await Promise.all([
        this.#readMarks(e.tags),
        token === undefined ? undefined : this.#unlock(e, token),
      ]);
      if (after.some((m, i) => m !== marks[i])) await this.#op(this.#store.del(e.valueKey));
    } catch (err) {
      this.#markDown(err);
      if (token !== undefined) await this.#unlock(e, token);
    }
  }
}

/** A tool cache over the short-term store (Valkey, or the in-process store when none is configured). */
export function createToolCache(store: ShortTermStore, options: ToolCacheOptions = {}): ToolCache {
  return new StoreToolCache(store, options);
}
