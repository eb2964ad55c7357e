/**
 * The cached-tool wrapper against the real Valkey server: hits and misses, coalescing of
 * concurrent misses in one process and across processes, per-actor scope, TTL, invalidation by
 * writes, and tools that keep answering when the store is down or hangs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { InProcessStore } from "../../memory/store/inprocess.js";
import type { ShortTermStore } from "../../memory/store/types.js";
import type { ValkeyStore } from "../../memory/store/valkey.js";
import { canonicalJson, createToolCache } from "../../tools/cache.js";
import { fail, ok, type Tool, type ToolContext } from "../../tools/types.js";
import { sleep, uniq } from "../support/env.js";
import { stopSharedCluster, valkeyTargets } from "../support/valkey-targets.js";
import { ALICE, BOB, D, D_NEXT, type Harness, json, openHarness } from "./fixture.js";

const input = z.object({ q: z.string(), n: z.number().optional() });
type Input = z.output<typeof input>;

/** A read tool that counts its runs and can be slow or failing. */
function countingTool(options: { delayMs?: number; failing?: boolean } = {}): Tool<Input> & { runs: number } {
  const tool = {
    name: "counting_tool",
    description: "test",
    input,
    sideEffect: false,
    runs: 0,
    async run(i: Input, ctx: ToolContext) {
      tool.runs++;
      if (options.delayMs) await sleep(options.delayMs);
      if (options.failing) return fail("upstream said no");
      return ok({ q: i.q, actor: ctx.actor.id, run: tool.runs });
    },
  };
  return tool;
}

/** A store whose every call fails, as when Valkey is down. */
function brokenStore(mode: "reject" | "hang"): ShortTermStore {
  return new Proxy(new InProcessStore(), {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== "function" || prop === "close") return value;
      return () =>
        mode === "reject"
          ? Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:1"))
          : new Promise(() => {});
    },
  });
}

afterAll(stopSharedCluster);

describe.each(valkeyTargets().map((t) => [t.name, t] as const))("tool cache: %s", (_name, target) => {
  let h: Harness;
  let store: ValkeyStore;
  const ctx = (actor = ALICE): ToolContext => h.ctx(actor);

  beforeAll(async () => {
    h = await openHarness();
    store = await target.connect();
  });
  afterAll(async () => {
    await store.close();
    await h.close();
  });

  it("sorts keys at every level for the canonical key", () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[1,{"y":2,"z":1}]},"b":1}',
    );
  });

  it("misses once, then hits for the same arguments in any key order", async () => {
    const cache = createToolCache(store, { namespace: uniq("ns") });
    const tool = countingTool();
    const cached = cache.cached(tool, { ttlMs: 60_000, scope: "global" });
    const first = await cached.run({ q: "x", n: 1 }, ctx());
    const second = await cached.run({ n: 1, q: "x" }, ctx());
    expect(tool.runs).toBe(1);
    expect(second).toEqual(first);
    await cached.run({ q: "y", n: 1 }, ctx());
    expect(tool.runs).toBe(2);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, coalesced: 0, bypassed: 0 });
    expect(cache.stats().byName.counting_tool).toEqual({ hits: 1, misses: 2, coalesced: 0, bypassed: 0 });
  });

  it("caches only successful results", async () => {
    const cache = createToolCache(store, { namespace: uniq("ns") });
    const tool = countingTool({ failing: true });
    const cached = cache.cached(tool, { ttlMs: 60_000, scope: "global" });
    expect((await cached.run({ q: "x" }, ctx())).status).toBe("error");
    expect((await cached.run({ q: "x" }, ctx())).status).toBe("error");
    expect(tool.runs).toBe(2);
  });

  it("runs the tool once for 50 concurrent misses of one key", async () => {
    const cache = createToolCache(store, { namespace: uniq("ns") });
    const tool = countingTool({ delayMs: 40 });
    const cached = cache.cached(tool, { ttlMs: 60_000, scope: "global" });
    const results = await Promise.all(Array.from({ length: 50 }, () => cached.run({ q: "same" }, ctx())));
    expect(tool.runs).toBe(1);
    expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    expect(cache.stats()).toMatchObject({ misses: 1, coalesced: 49, hits: 0 });
  });

  it("runs the tool once across processes sharing Valkey (lock + polling)", async () => {
    const namespace = uniq("ns");
    const other = await target.connect();
    try {
      // Two caches over two connections stand for two processes.
      const a = createToolCache(store, { namespace });
      const b = createToolCache(other, { namespace });
      const tool = countingTool({ delayMs: 60 });
      const ca = a.cached(tool, { ttlMs: 60_000, scope: "global" });
      const cb = b.cached(tool, { ttlMs: 60_000, scope: "global" });
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? ca : cb).run({ q: "shared" }, ctx())),
      );
      expect(tool.runs).toBe(1);
      expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
      const [sa, sb] = [a.stats(), b.stats()];
      expect(sa.misses + sb.misses).toBe(1);
      expect(sa.coalesced + sb.coalesced + sa.hits + sb.hits).toBe(49);
    } finally {
      await other.close();
    }
  });

  it("keeps per-actor entries apart", async () => {
    const cache = createToolCache(store, { namespace: uniq("ns") });
    const tool = countingTool();
    const cached = cache.cached(tool, { ttlMs: 60_000, scope: "actor" });
    const a = json(await cached.run({ q: "mine" }, ctx(ALICE)));
    const b = json(await cached.run({ q: "mine" }, ctx(BOB)));
    expect(a.actor).toBe(ALICE);
    expect(b.actor).toBe(BOB);
    expect(tool.runs).toBe(2);
    expect(json(await cached.run({ q: "mine" }, ctx(ALICE))).actor).toBe(ALICE);
    expect(tool.runs).toBe(2);
  });

  it("expires entries after their TTL", async () => {
    const cache = createToolCache(store, { namespace: uniq("ns") });
    const tool = countingTool();
    const cached = cache.cached(tool, { ttlMs: 80, jitter: 0, scope: "global" });
    await cached.run({ q: "x" }, ctx());
    await cached.run({ q: "x" }, ctx());
    expect(tool.runs).toBe(1);
    await sleep(150);
    await cached.run({ q: "x" }, ctx());
    expect(tool.runs).toBe(2);
  });

  it("refuses to cache a side-effecting tool", () => {
    const cache = createToolCache(store, { namespace: uniq("ns") });
    expect(() => cache.cached(h.tools.reserve_flight!, { ttlMs: 1_000, scope: "global" })).toThrow(
      /changes data/,
    );
  });

  it("invalidates cached searches on the route and date when reserve_flight takes a seat", async () => {
    const search = { origin: "SEA", destination: "NRT", date: D, sort: "departure" };
    const other = { origin: "SEA", destination: "NRT", date: D_NEXT };
    const before = json<{ flights: { flight_id: string; seats_available: number }[] }>(
      await h.call("search_flights", search, ctx()),
    );
    await h.call("search_flights", other, ctx());
    await h.call("search_flights", search, ctx());
    await h.call("search_flights", other, ctx());
    const s1 = h.cache.stats().byName.search_flights!;
    expect(s1.hits).toBeGreaterThanOrEqual(2);

    const target = before.flights.find((f) => f.flight_id === "1")!;
    json(await h.call("reserve_flight", { flight_id: "1", passengers: 2 }, ctx()));

    const after = json<{ flights: { flight_id: string; seats_available: number }[] }>(
      await h.call("search_flights", search, ctx()),
    );
    const s2 = h.cache.stats().byName.search_flights!;
    expect(s2.misses).toBe(s1.misses + 1);
    expect(after.flights.find((f) => f.flight_id === "1")?.seats_available).toBe(target.seats_available - 2);
    // The next day's search on the same route was not touched by the write.
    await h.call("search_flights", other, ctx());
    expect(h.cache.stats().byName.search_flights!.hits).toBe(s2.hits + 1);
    expect(h.cache.stats().invalidations).toBeGreaterThanOrEqual(2);
  });

  it("never serves a value computed before an invalidation that landed while computing", async () => {
    const cache = createToolCache(store, { namespace: uniq("ns") });
    let version = 1;
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const tool: Tool<Input> = {
      ...countingTool(),
      async run() {
        const seen = version;
        started();
        await sleep(50);
        return ok({ version: seen });
      },
    };
    const cached = cache.cached(tool, { ttlMs: 60_000, scope: "global", tags: () => ["t:1"] });
    const slow = cached.run({ q: "x" }, ctx());
    await running; // the write lands while the tool computes, however long the lookup took
    version = 2;
    await cache.invalidate("t:1");
    expect(json(await slow).version).toBe(1); // the caller that asked before the write gets its answer
    expect(json(await cached.run({ q: "x" }, ctx())).version).toBe(2); // but it was not cached
  });

  it("answers uncached when the store rejects every call (Valkey down)", async () => {
    const down = await openHarness({ store: brokenStore("reject") });
    try {
      const res = json<{ count: number }>(
        await down.call("search_flights", { origin: "SEA", destination: "NRT", date: D }, down.ctx(ALICE)),
      );
      expect(res.count).toBeGreaterThan(0);
      json(
        await down.call("search_flights", { origin: "SEA", destination: "NRT", date: D }, down.ctx(ALICE)),
      );
      // Writes still work and their invalidation does not fail them.
      json(await down.call("reserve_flight", { flight_id: "2", passengers: 1 }, down.ctx(ALICE)));
      const stats = down.cache.stats();
      expect(stats.bypassed).toBe(2);
      expect(stats.hits + stats.misses).toBe(0);
      expect(down.logs.some((l) => l.includes("tool cache store unavailable"))).toBe(true);
    } finally {
      await down.close();
    }
  });

  it("answers within the store deadline when the store hangs", async () => {
    const cache = createToolCache(brokenStore("hang"), { namespace: uniq("ns"), opTimeoutMs: 50 });
    const tool = countingTool();
    const cached = cache.cached(tool, { ttlMs: 60_000, scope: "global" });
    const started = Date.now();
    json(await cached.run({ q: "x" }, ctx()));
    json(await cached.run({ q: "x" }, ctx())); // skipped while marked down: no second wait
    expect(Date.now() - started).toBeLessThan(500);
    expect(tool.runs).toBe(2);
  });

  it("wrap caches any JSON value once per key, with single flight", async () => {
    const cache = createToolCache(store, { namespace: uniq("ns") });
    let runs = 0;
    const forecast = async () => {
      runs++;
      await sleep(20);
      return { city: "HNL", highC: 29 };
    };
    const all = await Promise.all(
      Array.from({ length: 10 }, () =>
        cache.wrap("forecast:HNL:3", 15 * 60_000, forecast, { name: "forecast" }),
      ),
    );
    expect(all.every((v) => v.highC === 29)).toBe(true);
    expect(await cache.wrap("forecast:HNL:3", 15 * 60_000, forecast)).toEqual({ city: "HNL", highC: 29 });
    expect(runs).toBe(1);
    expect(cache.stats().byName.forecast).toMatchObject({ misses: 1, coalesced: 9 });
  });
});
