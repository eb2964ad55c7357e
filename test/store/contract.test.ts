/**
 * One contract, two implementations: the real Valkey-compatible server and the in-process store
 * must behave the same for everything Flightly relies on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Script, ShortTermStore } from "../../memory/store/types.js";
import { sleep, uniq } from "../support/env.js";
import { stopSharedCluster, storeBackends } from "../support/valkey-targets.js";

afterAll(stopSharedCluster);

/** Compare-and-set on a version field: the shape checkpoints use. */
const cas: Script<number> = {
  name: "test-cas",
  lua: `
    local v = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
    if v ~= tonumber(ARGV[1]) then return -v - 1 end
    redis.call('HSET', KEYS[1], 'version', v + 1, 'data', ARGV[2])
    return v + 1`,
  local: (ops, keys, args) => {
    const v = Number(ops.hget(keys[0]!, "version") ?? "0");
    if (v !== Number(args[0])) return -v - 1;
    ops.hset(keys[0]!, { version: String(v + 1), data: args[1]! });
    return v + 1;
  },
};

describe.each(storeBackends())("short-term store contract: %s", (_name, open) => {
  let store: ShortTermStore;
  const k = (name: string): string => `flightly:test:${uniq(name)}`;

  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    await store.close();
  });

  it("strings and buffers round-trip, and TTLs expire", async () => {
    const a = k("str");
    expect(await store.set(a, "hello", { ttlMs: 150 })).toBe(true);
    expect(await store.get(a)).toBe("hello");
    const ttl = await store.pttl(a);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(150);
    await sleep(250);
    expect(await store.get(a)).toBeNull();
    expect(await store.pttl(a)).toBe(-2);

    const b = k("buf");
    const bytes = Buffer.from(new Float32Array([0.5, -1.25, 3]).buffer);
    await store.set(b, bytes);
    const back = await store.getBuffer(b);
    expect(back && [...new Float32Array(Uint8Array.from(back).buffer)]).toEqual([0.5, -1.25, 3]);
    await store.del(b);
  });

  it("NX set acts as a lock", async () => {
    const a = k("lock");
    expect(await store.set(a, "one", { nx: true, ttlMs: 5_000 })).toBe(true);
    expect(await store.set(a, "two", { nx: true, ttlMs: 5_000 })).toBe(false);
    expect(await store.get(a)).toBe("one");
    expect(await store.incr(k("ctr"))).toBe(1);
    await store.del(a);
  });

  it("hashes set, read whole and delete fields", async () => {
    const h = k("hash");
    await store.hset(h, { seat: "window", budget: "300" });
    await store.hset(h, { budget: "350" });
    expect(await store.hgetall(h)).toEqual({ seat: "window", budget: "350" });
    expect(await store.hget(h, "seat")).toBe("window");
    expect(await store.hdel(h, "seat", "missing")).toBe(1);
    expect(await store.hgetall(h)).toEqual({ budget: "350" });
    expect(await store.hgetall(k("none"))).toEqual({});
    await store.del(h);
  });

  it("capped lists keep only the newest entries, in order", async () => {
    const l = k("list");
    for (let i = 0; i < 12; i++) await store.rpushCapped(l, [`m${i}`], 5);
    expect(await store.lrange(l, 0, -1)).toEqual(["m7", "m8", "m9", "m10", "m11"]);
    expect(await store.rpushCapped(l, ["a", "b"], 3)).toBe(3);
    expect(await store.lrange(l, -2, -1)).toEqual(["a", "b"]);
    await store.del(l);
  });

  it("streams: consumer groups deliver once, ack, and let another consumer claim idle entries", async () => {
    const s = k("stream");
    await store.xgroupCreate(s, "g");
    await store.xgroupCreate(s, "g"); // idempotent
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await store.xadd(s, { n: String(i) }));
    const first = await store.xreadgroup(s, "g", "c1", { count: 2 });
    expect(first.map((e) => e.fields.n)).toEqual(["0", "1"]);
    const second = await store.xreadgroup(s, "g", "c2", { count: 10 });
    expect(second.map((e) => e.fields.n)).toEqual(["2"]);
    expect(await store.xack(s, "g", first[0]!.id)).toBe(1);
    expect(await store.xack(s, "g", first[0]!.id)).toBe(0);
    const pending = await store.xpending(s, "g");
    expect(pending.count).toBe(2);
    expect(pending.consumers).toEqual({ c1: 1, c2: 1 });

    // c1 "crashed" holding entry 1: after the idle time, c3 claims it.
    await sleep(60);
    const claimed = await store.xautoclaim(s, "g", "c3", 50, { count: 10 });
    expect(claimed.entries.map((e) => e.fields.n).sort()).toEqual(["1", "2"]);
    expect((await store.xpending(s, "g")).consumers).toEqual({ c3: 2 });
    expect(await store.xlen(s)).toBe(3);
    expect((await store.xrange(s)).map((e) => e.id)).toEqual(ids);
    await store.del(s);
  });

  it("a blocking read wakes when an entry arrives", async () => {
    const s = k("block");
    await store.xgroupCreate(s, "g", "$");
    const read = store.xreadgroup(s, "g", "c", { blockMs: 2_000 });
    await sleep(50);
    await store.xadd(s, { hello: "world" });
    const got = await read;
    expect(got.map((e) => e.fields)).toEqual([{ hello: "world" }]);
    const empty = await store.xreadgroup(s, "g", "c", { blockMs: 50 });
    expect(empty).toEqual([]);
    await store.del(s);
  });

  it("Lua compare-and-set rejects a stale writer and never loses an update", async () => {
    const h = k("cas");
    expect(await store.runScript(cas, [h], ["0", "a"])).toBe(1);
    expect(await store.runScript(cas, [h], ["0", "stale"])).toBe(-2);
    expect(await store.runScript(cas, [h], ["1", "b"])).toBe(2);
    expect(await store.hgetall(h)).toEqual({ version: "2", data: "b" });

    // 30 racing writers that retry on conflict: every write lands exactly once.
    const writers = Array.from({ length: 30 }, async (_, i) => {
      for (;;) {
        const v = Number((await store.hget(h, "version")) ?? "0");
        const r = await store.runScript(cas, [h], [String(v), `w${i}`]);
        if (r > 0) return r;
      }
    });
    const versions = await Promise.all(writers);
    expect(new Set(versions).size).toBe(30);
    expect(Math.max(...versions)).toBe(32);
    await store.del(h);
  });

  it("a pipeline on one hash tag is one round trip and returns results in order", async () => {
    const tag = `flightly:test:{${uniq("tag")}}`;
    const h = `${tag}:ph`;
    const l = `${tag}:pl`;
    const before = store.roundTrips;
    const res = await store
      .pipeline()
      .hset(h, { a: "1" })
      .rpushCapped(l, ["x", "y", "z"], 2)
      .hgetall(h)
      .lrange(l, 0, -1)
      .get(`${tag}:missing`)
      .exec();
    expect(store.roundTrips - before).toBe(1);
    expect(res.slice(1)).toEqual([2, { a: "1" }, ["y", "z"], null]);
    await store.del(h, l);
  });

  it("appendCapped pushes, keeps the newest `cap` and sets the expiry, in one slot of the results", async () => {
    const l = k("appended");
    const first = await store.pipeline().appendCapped(l, ["a", "b"], 3, 60_000).get(k("none")).exec();
    expect(first).toEqual([2, null]);
    const second = await store.pipeline().appendCapped(l, ["c", "d"], 3, 30_000).exec();
    expect(second).toEqual([3]);
    expect(await store.lrange(l, 0, -1)).toEqual(["b", "c", "d"]);
    const ttl = await store.pttl(l);
    expect(ttl).toBeGreaterThan(20_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
    await store.del(l);
  });

  it("a pipeline and a DEL may mix keys of many slots (one request per slot on a cluster)", async () => {
    // Keys with no shared tag: on a cluster these hash to different slots and nodes.
    const names = Array.from({ length: 12 }, (_, i) => k(`x${i}`));
    const set = store.pipeline();
    for (const [i, key] of names.entries()) set.set(key, `v${i}`, { ttlMs: 60_000 });
    expect((await set.exec()).filter((r) => r instanceof Error)).toEqual([]);

    const get = store.pipeline();
    for (const key of names) get.get(key);
    get.hgetall(k("none")).rpushCapped(k("list"), ["a", "b"], 5);
    expect(await get.exec()).toEqual([...names.map((_, i) => `v${i}`), {}, 2]);

    expect(await store.del(...names, k("absent"))).toBe(12);
    const after = store.pipeline();
    for (const key of names) after.get(key);
    expect(await after.exec()).toEqual(names.map(() => null));
  });

  it("a key scan finds every match past one page, and an aborted scan reads no page", async () => {
    const prefix = k("scan");
    const names = Array.from({ length: 1_500 }, (_, i) => `${prefix}:${i}`);
    const p = store.pipeline();
    for (const key of names) p.set(key, "x", { ttlMs: 60_000 });
    await p.exec();
    expect((await store.scanKeys(`${prefix}:*`)).sort()).toEqual([...names].sort());
    const stop = new AbortController();
    stop.abort();
    expect(await store.scanKeys(`${prefix}:*`, { signal: stop.signal })).toEqual([]);
    await store.del(...names);
  });

  it("a failed command's slot in a pipeline holds its error; the others still answer", async () => {
    const h = k("wrongtype");
    await store.hset(h, { a: "1" });
    const res = await store.pipeline().get(k("fine")).lrange(h, 0, -1).hgetall(h).exec();
    expect(res[0]).toBeNull();
    expect(res[1]).toBeInstanceOf(Error);
    expect(res[2]).toEqual({ a: "1" });
    await store.del(h);
  });
});
