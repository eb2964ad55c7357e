/**
 * Exact answers kept in process memory, as two processes hold them (each its own Valkey
 * connections and database connection, one shared Valkey and database): served from memory while
 * the drop feed is healthy; an invalidation or eviction made by the other process stops them
 * before that process's call returns; a put made elsewhere replaces a key known empty; a lost or
 * silent feed sends every lookup back to Valkey.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.js";
import { createLogger } from "../../core/logger.js";
import { type EmbeddedPostgres, openEmbeddedPostgres } from "../../memory/db/embedded.js";
import { connectPostgres } from "../../memory/db/index.js";
import { migrate } from "../../memory/db/migrate.js";
import { createEmbedder } from "../../memory/embeddings/index.js";
import { type CachedAnswer, ResponseCacheStore } from "../../memory/response-cache.js";
import { ResponseFeed } from "../../memory/response-feed.js";
import { InProcessStore } from "../../memory/store/inprocess.js";
import { keys } from "../../memory/store/keys.js";
import { ValkeyStore } from "../../memory/store/valkey.js";
import { sleep, TEST_VALKEY_URL, uniq } from "../support/env.js";

const embedder = createEmbedder(loadConfig({}));
const logger = createLogger({ level: "silent" });

interface Process {
  store: ValkeyStore;
  sql: Sql;
  feed: ResponseFeed;
  cache: ResponseCacheStore;
}

const answer = (prompt: string, response: string, sources: string[] = []): CachedAnswer => ({
  prompt,
  response,
  entities: { places: [], context: [] },
  category: "policy",
  sources,
});

async function embed(text: string): Promise<Float32Array> {
  const [v] = await embedder.embed([text]);
  return v!;
}

const served = (p: Process): number => p.cache.stats().servedFromMemory ?? 0;

describe("exact answers kept in memory across two processes", () => {
  const dir = mkdtempSync(join(tmpdir(), "flightly-respfeed-"));
  const namespace = uniq("ns");
  let pg: EmbeddedPostgres;
  const procs: Process[] = [];

  async function open(healthyMs?: number): Promise<Process> {
    const store = await ValkeyStore.connect({ url: TEST_VALKEY_URL });
    const sql = connectPostgres(pg.url, { max: 2, onnotice: () => {} });
    const feed = new ResponseFeed({ store, namespace, logger, ...(healthyMs ? { healthyMs } : {}) });
    await feed.start();
    const p = { store, sql, feed, cache: new ResponseCacheStore(store, sql, namespace, { feed }) };
    procs.push(p);
    return p;
  }

  beforeAll(async () => {
    pg = await openEmbeddedPostgres(dir, logger);
    const sql = connectPostgres(pg.url, { max: 1, onnotice: () => {} });
    await migrate(sql, embedder);
    await sql.end();
  }, 120_000);
  afterAll(async () => {
    for (const p of procs) {
      p.feed.close();
      await p.store.close();
      await p.sql.end();
    }
    await pg?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves a repeated exact lookup from memory, and stops at once when another process invalidates its source", async () => {
    const [a, b] = [await open(), await open()];
    const source = uniq("flights:SEA-HNL");
    const prompt = "Flights from Seattle to Honolulu on 2027-03-04";
    await b.cache.put(
      "shared",
      "hnl",
      await embed(prompt),
      answer(prompt, "36 seats left", [source]),
      60_000,
    );

    expect((await a.cache.getExact(["shared"], "hnl"))?.response).toBe("36 seats left");
    const before = served(a);
    expect((await a.cache.getExact(["shared"], "hnl"))?.response).toBe("36 seats left");
    expect(served(a)).toBe(before + 1);

    // Seats sold in B: once B's call returns, A no longer has the entry, in memory or in Valkey.
    await b.cache.invalidateSource(source);
    expect(await a.cache.getExact(["shared"], "hnl")).toBeUndefined();
  });

  it("an answer stored by another process replaces a key known to be empty", async () => {
    const [a, b] = [await open(), await open()];
    const prompt = "Is there wifi on board?";
    expect(await a.cache.getExact(["shared"], "wifi")).toBeUndefined();
    const before = served(a);
    expect(await a.cache.getExact(["shared"], "wifi")).toBeUndefined();
    expect(served(a)).toBe(before + 1); // known empty: no round trip
    await b.cache.put("shared", "wifi", await embed(prompt), answer(prompt, "Yes, free."), 60_000);
    // The put's announcement reaches A in about a round trip.
    for (let i = 0; i < 50 && (await a.cache.getExact(["shared"], "wifi")) === undefined; i++) await sleep(5);
    expect((await a.cache.getExact(["shared"], "wifi"))?.response).toBe("Yes, free.");
  });

  it("the asker's own entry still wins over a shared one kept in memory", async () => {
    const [a, b] = [await open(), await open()];
    const prompt = "What is the baggage allowance?";
    const v = await embed(prompt);
    await b.cache.put("shared", "bag", v, answer(prompt, "general answer"), 60_000);
    expect((await a.cache.getExact(["actor:7", "shared"], "bag"))?.response).toBe("general answer");
    await b.cache.put("actor:7", "bag", v, answer(prompt, "your Gold allowance", ["actor:7"]), 60_000);
    let got: string | undefined;
    for (let i = 0; i < 50; i++) {
      got = (await a.cache.getExact(["actor:7", "shared"], "bag"))?.response;
      if (got === "your Gold allowance") break;
      await sleep(5);
    }
    expect(got).toBe("your Gold allowance");
  });

  it("an eviction by another process drops the kept entry", async () => {
    const [a, b] = [await open(), await open()];
    const prompt = "Can I bring my cat?";
    await b.cache.put("shared", "cat", await embed(prompt), answer(prompt, "In the cabin, yes."), 60_000);
    expect(await a.cache.getExact(["shared"], "cat")).toBeDefined();
    const before = served(a);
    expect(await a.cache.getExact(["shared"], "cat")).toBeDefined();
    expect(served(a)).toBe(before + 1);
    const bounded = new ResponseCacheStore(b.store, b.sql, namespace, { feed: b.feed, maxEntries: 0 });
    expect(await bounded.enforceBound()).toBeGreaterThan(0);
    for (let i = 0; i < 50 && (await a.cache.getExact(["shared"], "cat")) !== undefined; i++) await sleep(5);
    expect(await a.cache.getExact(["shared"], "cat")).toBeUndefined();
  });

  it("while its feed is silent a process asks Valkey, and forgets what it kept", async () => {
    const a = await open(300);
    const prompt = "Do you sell travel insurance?";
    await a.cache.put("shared", "ins", await embed(prompt), answer(prompt, "Yes."), 60_000);
    expect(await a.cache.getExact(["shared"], "ins")).toBeDefined();
    expect(a.feed.healthy).toBe(true);
    // A change no feed announces (made by hand): only Valkey knows it.
    const key = `flightly:resp:v2:${namespace}:ins`;
    expect(await a.store.del(key)).toBe(1);
    a.feed.close(); // heartbeats stop, the subscription is gone
    expect(a.feed.healthy).toBe(false);
    expect(await a.cache.getExact(["shared"], "ins")).toBeUndefined();
  });

  it("a writer waits for every subscriber's acknowledgement, not for the timeout", async () => {
    const [a, b] = [await open(5_000), await open(5_000)];
    const t = performance.now();
    await b.feed.announce({ source: uniq("anything") }, true);
    expect(performance.now() - t).toBeLessThan(2_000);
    expect(a.feed.healthy && b.feed.healthy).toBe(true);
  });
});

describe("drop feed on the in-process store", () => {
  it("keeps and drops entries within one process", async () => {
    const store = new InProcessStore();
    const feed = new ResponseFeed({ store, namespace: "solo", logger });
    await feed.start();
    expect(feed.healthy).toBe(true);
    const dropped: unknown[] = [];
    feed.onDrop((d) => dropped.push(d));
    await feed.announce({ keys: [keys.responseCache("x")] }, true);
    expect(dropped).toEqual([{ keys: [keys.responseCache("x")] }]);
    feed.close();
    expect(feed.healthy).toBe(false);
    await store.close();
  });
});
