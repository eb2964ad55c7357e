/**
 * An `Embedder` wrapper that caches vectors in the short-term store (DESIGN §8): key
 * `flightly:emb:<model>:<dims>:<sha256(text)>`, value the raw little-endian float32 bytes, with a
 * TTL. Concurrent misses for the same text in this process share one underlying embed. The cache
 * is an optimisation only: when the store fails or is slow, texts are embedded uncached.
 */
import { createHash } from "node:crypto";
import type { Logger } from "../../core/logger.js";
import { keys } from "../store/keys.js";
import type { ShortTermStore } from "../store/types.js";
import type { Embedder } from "./types.js";

export interface EmbeddingCacheOptions {
  /** Lifetime of a cached vector (default 7 days; vectors of one model id never change). */
  ttlMs?: number;
  /** Longest wait for the store before embedding uncached (default 250 ms). */
  storeTimeoutMs?: number;
  /** Store failures are logged here at `warn` (once per failure burst), never thrown. */
  logger?: Logger;
}

export interface EmbeddingCacheStats {
  /** Distinct texts served from the store. */
  hits: number;
  /** Distinct texts embedded by the wrapped embedder. */
  misses: number;
  /** Lookups that joined an embed already in flight for the same text. */
  coalesced: number;
  /** Store calls that failed or timed out (the texts were embedded uncached). */
  storeErrors: number;
}

const DEFAULT_TTL_MS = 7 * 24 * 3600 * 1000;

interface Deferred {
  promise: Promise<Float32Array>;
  settled: boolean;
  resolve: (v: Float32Array) => void;
  reject: (err: unknown) => void;
}

function deferred(): Deferred {
  const d = { settled: false } as Deferred;
  d.promise = new Promise<Float32Array>((resolve, reject) => {
    d.resolve = (v) => {
      d.settled = true;
      resolve(v);
    };
    d.reject = (err) => {
      d.settled = true;
      reject(err);
    };
  });
  // Waiters observe the rejection; this keeps an abandoned one from being "unhandled".
  d.promise.catch(() => {});
  return d;
}

class StoreTimeout extends Error {
  constructor(ms: number) {
    super(`short-term store did not answer within ${ms} ms`);
    this.name = "StoreTimeout";
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreTimeout(ms)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function raceSignal<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** Caches another embedder's vectors in the short-term store. */
export class CachedEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimensions: number;
  readonly #inner: Embedder;
  readonly #store: ShortTermStore;
  readonly #ttlMs: number;
  readonly #timeoutMs: number;
  readonly #logger: Logger | undefined;
  readonly #inflight = new Map<string, Promise<Float32Array>>();
  readonly #stats: EmbeddingCacheStats = { hits: 0, misses: 0, coalesced: 0, storeErrors: 0 };
  #storeHealthy = true;

  constructor(inner: Embedder, store: ShortTermStore, options: EmbeddingCacheOptions = {}) {
    this.#inner = inner;
    this.#store = store;
    this.modelId = inner.modelId;
    this.dimensions = inner.dimensions;
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.#timeoutMs = options.storeTimeoutMs ?? 250;
    this.#logger = options.logger;
  }

  /** The wrapped embedder. */
  get inner(): Embedder {
    return this.#inner;
  }

  /** A snapshot of the hit / miss counters. */
  get stats(): EmbeddingCacheStats {
    return { ...this.#stats };
  }

  async embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    // Everything up to the first await runs synchronously, so a concurrent call for the same
    // text always finds this call's in-flight entry.
    const keyOf = texts.map((t) => keys.embedding(this.modelId, this.dimensions, sha256(t)));
    const pending = new Map<string, Promise<Float32Array>>();
    const mine: Array<{ key: string; text: string; slot: Deferred }> = [];
    keyOf.forEach((key, i) => {
      if (pending.has(key)) return;
      const shared = this.#inflight.get(key);
      if (shared) {
        this.#stats.coalesced++;
        pending.set(key, shared);
        return;
      }
      const slot = deferred();
      this.#inflight.set(key, slot.promise);
      pending.set(key, slot.promise);
      mine.push({ key, text: texts[i]!, slot });
    });
    const work = mine.length > 0 ? this.#fill(mine) : Promise.resolve();
    const vectors = await raceSignal(
      Promise.all([work, ...pending.values()]).then(() => Promise.all(keyOf.map((k) => pending.get(k)!))),
      signal,
    );
    // Coalesced callers and repeated texts share one vector: give each caller its own copy.
    return vectors.map((v) => v.slice());
  }

  /** Looks the texts up, embeds the misses in one call, stores them; settles every slot. */
  async #fill(batch: Array<{ key: string; text: string; slot: Deferred }>): Promise<void> {
    try {
      const cached = await this.#lookup(batch.map((b) => b.key));
      const misses: typeof batch = [];
      batch.forEach((b, i) => {
        const v = cached[i];
        if (v) {
          this.#stats.hits++;
          b.slot.resolve(v);
        } else misses.push(b);
      });
      if (misses.length === 0) return;
      this.#stats.misses += misses.length;
      let vectors: Float32Array[];
      try {
        // No caller's signal here: other callers may be waiting on the same texts.
        vectors = await this.#inner.embed(misses.map((m) => m.text));
      } catch (err) {
        for (const m of misses) m.slot.reject(err);
        return;
      }
      if (vectors.length !== misses.length) {
        const err = new Error(`${this.modelId}: ${vectors.length} vectors for ${misses.length} texts`);
        for (const m of misses) m.slot.reject(err);
        return;
      }
      for (const [i, m] of misses.entries()) m.slot.resolve(vectors[i]!);
      await this.#save(misses.map((m, i) => [m.key, vectors[i]!] as const));
    } finally {
      for (const b of batch) {
        if (this.#inflight.get(b.key) === b.slot.promise) this.#inflight.delete(b.key);
        if (!b.slot.settled) b.slot.reject(new Error("embedding cache: lookup ended without a vector"));
      }
    }
  }

  async #lookup(keyList: readonly string[]): Promise<Array<Float32Array | undefined>> {
    try {
      // The store's pipeline reads strings only, so binary values are read with concurrent
      // GETs (sent back to back on one connection).
      const raw = await withTimeout(
        Promise.all(keyList.map((k) => this.#store.getBuffer(k))),
        this.#timeoutMs,
      );
      this.#healthy();
      return raw.map((buf) => this.#decode(buf));
    } catch (err) {
      this.#failed("lookup", err);
      return keyList.map(() => undefined);
    }
  }

  async #save(entries: ReadonlyArray<readonly [string, Float32Array]>): Promise<void> {
    try {
      await withTimeout(
        Promise.all(
          entries.map(([key, v]) =>
            this.#store.set(key, Buffer.from(v.buffer, v.byteOffset, v.byteLength), { ttlMs: this.#ttlMs }),
          ),
        ),
        this.#timeoutMs,
      );
      this.#healthy();
    } catch (err) {
      this.#failed("write", err);
    }
  }

  #decode(buf: Buffer | null): Float32Array | undefined {
    if (!buf || buf.byteLength !== this.dimensions * 4) return undefined;
    // Copy: the store's buffer may be shared or unaligned.
    const v = new Float32Array(this.dimensions);
    new Uint8Array(v.buffer).set(buf);
    for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return undefined;
    return v;
  }

  #healthy(): void {
    if (!this.#storeHealthy) this.#logger?.info("embedding cache: store reachable again");
    this.#storeHealthy = true;
  }

  #failed(what: string, err: unknown): void {
    this.#stats.storeErrors++;
    if (this.#storeHealthy) {
      this.#logger?.warn({ err }, `embedding cache: store ${what} failed; embedding uncached`);
    }
    this.#storeHealthy = false;
  }
}
