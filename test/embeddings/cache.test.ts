/**
 * The store-backed embedding cache, against both short-term stores (the in-process one and the
 * real Valkey-compatible server): hits, coalescing of concurrent misses, and falling back to
 * uncached embedding whenever the store misbehaves.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.js";
import { CachedEmbedder } from "../../memory/embeddings/cache.js";
import { createEmbedder } from "../../memory/embeddings/index.js";
import { LOCAL_DIMENSIONS, LOCAL_MODEL_ID, LocalEmbedder } from "../../memory/embeddings/local.js";
import type { Embedder } from "../../memory/embeddings/types.js";
import { InProcessStore } from "../../memory/store/inprocess.js";
import { keys } from "../../memory/store/keys.js";
import type { ShortTermStore } from "../../memory/store/types.js";
import { ValkeyStore } from "../../memory/store/valkey.js";
import { sleep, TEST_VALKEY_URL, uniq } from "../support/env.js";

/** A deterministic embedder that counts calls and can be slowed down or made to fail. */
class CountingEmbedder implements Embedder {
  readonly dimensions = 8;
  readonly calls: string[][] = [];
  delayMs = 0;
  failWith: Error | undefined;
  constructor(readonly modelId: string) {}

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.calls.push([...texts]);
    if (this.delayMs) await sleep(this.delayMs);
    if (this.failWith) throw this.failWith;
    return texts.map((t) => {
      const v = new Float32Array(this.dimensions);
      for (let i = 0; i < t.length; i++) v[i % this.dimensions]! += t.charCodeAt(i);
      const n = Math.hypot(...v) || 1;
      return v.map((x) => x / n);
    });
  }

  get texts(): number {
    return this.calls.reduce((n, c) => n + c.length, 0);
  }
}

/** A store whose every call fails (or never answers), as a dead or partitioned Valkey would. */
function brokenStore(kind: "reject" | "hang"): ShortTermStore {
  const base = new InProcessStore();
  return new Proxy(base, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function" || prop === "close") return value;
      return () =>
        kind === "reject"
          ? Promise.reject(new Error("ECONNREFUSED 127.0.0.1:6379"))
          : new Promise(() => {
              // never settles
            });
    },
  });
}

const backends: Array<[string, () => Promise<ShortTermStore>]> = [
  ["in-process", async () => new InProcessStore()],
  ["valkey", () => ValkeyStore.connect({ url: TEST_VALKEY_URL })],
];

describe.each(backends)("CachedEmbedder on the %s store", (_name, open) => {
  let store: ShortTermStore;
  // A fresh model id per test keeps keys apart on the shared server.
  const model = (): string => uniq("test-embed");

  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store.close();
  });

  it("serves the second call from the store", async () => {
    const inner = new CountingEmbedder(model());
    const cached = new CachedEmbedder(inner, store);
    expect(cached.modelId).toBe(inner.modelId);
    expect(cached.dimensions).toBe(8);

    const first = await cached.embed(["Can I bring my dog?"]);
    const second = await cached.embed(["Can I bring my dog?"]);
    expect(second).toEqual(first);
    expect(second).toEqual(await inner.embed(["Can I bring my dog?"]));
    expect(inner.texts).toBe(2); // one through the cache, one direct call just above
    expect(cached.stats).toEqual({ hits: 1, misses: 1, coalesced: 0, storeErrors: 0 });

    // A fresh wrapper (another process, say) finds the vector in the store too.
    const other = new CachedEmbedder(new CountingEmbedder(inner.modelId), store);
    expect(await other.embed(["Can I bring my dog?"])).toEqual(first);
    expect(other.stats.hits).toBe(1);
  });

  it("stores raw float32 bytes under the embedding key, with a TTL", async () => {
    const inner = new CountingEmbedder(model());
    const cached = new CachedEmbedder(inner, store, { ttlMs: 60_000 });
    const [v] = await cached.embed(["Weather in Paris"]);
    const hash = createHash("sha256").update("Weather in Paris").digest("hex");
    const key = keys.embedding(inner.modelId, 8, hash);
    const raw = await store.getBuffer(key);
    expect(raw?.byteLength).toBe(8 * 4);
    expect(new Float32Array(raw!.buffer.slice(raw!.byteOffset, raw!.byteOffset + raw!.byteLength))).toEqual(
      v,
    );
    const ttl = await store.pttl(key);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it("embeds only the misses of a batch, once per distinct text, in order", async () => {
    const inner = new CountingEmbedder(model());
    const cached = new CachedEmbedder(inner, store);
    await cached.embed(["a"]);
    const out = await cached.embed(["b", "a", "c", "b"]);
    expect(inner.calls).toEqual([["a"], ["b", "c"]]);
    expect(out).toEqual(await inner.embed(["b", "a", "c", "b"]));
    expect(cached.stats).toMatchObject({ hits: 1, misses: 3 });
  });

  it("coalesces 20 concurrent misses for one text into one embed", async () => {
    const inner = new CountingEmbedder(model());
    inner.delayMs = 30;
    const cached = new CachedEmbedder(inner, store);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => cached.embed(["Is breakfast included?"])),
    );
    expect(inner.calls).toEqual([["Is breakfast included?"]]);
    for (const r of results) expect(r).toEqual(results[0]);
    expect(cached.stats).toMatchObject({ misses: 1, coalesced: 19, hits: 0 });
    // Settled entries leave the in-flight table: the next call is a plain hit.
    await cached.embed(["Is breakfast included?"]);
    expect(cached.stats.hits).toBe(1);
  });

  it("passes an embed failure to every waiter and retries on the next call", async () => {
    const inner = new CountingEmbedder(model());
    inner.delayMs = 10;
    inner.failWith = new Error("model throttled");
    const cached = new CachedEmbedder(inner, store);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => cached.embed(["x"])));
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(inner.calls).toHaveLength(1);
    inner.failWith = undefined;
    expect(await cached.embed(["x"])).toHaveLength(1);
    expect(inner.calls).toHaveLength(2);
  });

  it("lets one waiter give up without cancelling the others", async () => {
    const inner = new CountingEmbedder(model());
    inner.delayMs = 50;
    const cached = new CachedEmbedder(inner, store);
    const controller = new AbortController();
    const impatient = cached.embed(["slow"], { signal: controller.signal });
    const patient = cached.embed(["slow"]);
    controller.abort(new Error("client went away"));
    await expect(impatient).rejects.toThrow("client went away");
    expect(await patient).toHaveLength(1);
    expect(inner.calls).toHaveLength(1);
  });

  it("treats a corrupt cached value as a miss", async () => {
    const inner = new CountingEmbedder(model());
    const cached = new CachedEmbedder(inner, store);
    const key = keys.embedding(inner.modelId, 8, createHash("sha256").update("t").digest("hex"));
    await store.set(key, Buffer.from("not a vector"));
    const [v] = await cached.embed(["t"]);
    expect(v).toEqual((await inner.embed(["t"]))[0]);
    expect(cached.stats).toMatchObject({ hits: 0, misses: 1 });
  });
});

describe("CachedEmbedder when the store fails", () => {
  it.each(["reject", "hang"] as const)("still returns vectors when the store calls %s", async (kind) => {
    const store = brokenStore(kind);
    const inner = new CountingEmbedder("m");
    const cached = new CachedEmbedder(inner, store, { storeTimeoutMs: 50 });
    const t0 = Date.now();
    const first = await cached.embed(["hello", "world"]);
    const second = await cached.embed(["hello"]);
    expect(first).toEqual(await inner.embed(["hello", "world"]));
    expect(second[0]).toEqual(first[0]);
    expect(cached.stats.storeErrors).toBeGreaterThanOrEqual(2);
    expect(cached.stats.hits).toBe(0);
    expect(Date.now() - t0).toBeLessThan(2_000);
  });
});

describe("createEmbedder", () => {
  it("builds the local embedder by default and leaves it uncached (cheaper than a round trip)", async () => {
    const config = loadConfig({});
    const plain = createEmbedder(config);
    expect(plain).toBeInstanceOf(LocalEmbedder);
    expect(plain.modelId).toBe(LOCAL_MODEL_ID);
    expect(plain.dimensions).toBe(LOCAL_DIMENSIONS);

    const store = new InProcessStore();
    const withStore = createEmbedder(config, store);
    expect(withStore).toBeInstanceOf(LocalEmbedder);
    expect(store.roundTrips).toBe(0);
    const [a] = await withStore.embed(["Find flights to Lisbon"]);
    expect(a).toEqual((await plain.embed(["Find flights to Lisbon"]))[0]);
    expect(store.roundTrips).toBe(0);
    await store.close();
  });
});
