/**
 * A similarity lookup scans only the entries that could answer it (`semanticMatchKey`: the same
 * entities and the same residue), so a hit costs what its few candidates cost, however many
 * entries about other places or dates the scope holds.
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
import { ResponseCacheStore } from "../../memory/response-cache.js";
import { ResponseIndex } from "../../memory/response-index.js";
import { ValkeyStore } from "../../memory/store/valkey.js";
import { type CacheMiss, SemanticCache, semanticMatchKey } from "../../orchestrator/semantic-cache/cache.js";
import type { AnswerCachePolicy } from "../../orchestrator/semantic-cache/policy.js";
import { TEST_VALKEY_URL, uniq } from "../support/env.js";

const shared: AnswerCachePolicy = { scope: "shared", ttlMs: 60_000, category: "policy" };

describe("similarity lookups by match key", () => {
  const dir = mkdtempSync(join(tmpdir(), "flightly-matchkey-"));
  const embedder = createEmbedder(loadConfig({}));
  const logger = createLogger({ level: "silent" });
  const namespace = uniq("ns");
  let pg: EmbeddedPostgres;
  let sql: Sql;
  let store: ValkeyStore;
  let index: ResponseIndex;
  let cache: SemanticCache;

  beforeAll(async () => {
    pg = await openEmbeddedPostgres(dir, logger);
    sql = connectPostgres(pg.url, { max: 4, onnotice: () => {} });
    await migrate(sql, embedder);
    store = await ValkeyStore.connect({ url: TEST_VALKEY_URL });
    index = new ResponseIndex({ store, sql, namespace, logger, matchKeyOf: semanticMatchKey });
    await index.start();
    cache = new SemanticCache({
      storage: new ResponseCacheStore(store, sql, namespace, { index }),
      embedder,
      threshold: loadConfig({}).semanticCache.threshold,
      logger,
    });
  }, 120_000);
  afterAll(async () => {
    index?.close();
    await store?.del(`flightly:respfeed:${namespace}`);
    await store?.close();
    await sql?.end();
    await pg?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const put = async (prompt: string, response: string) => {
    const miss = (await cache.lookup(prompt, "1")) as CacheMiss;
    expect(miss.hit).toBe(false);
    expect(await cache.store(prompt, "1", miss, shared, response, [])).toBe(true);
  };

  it("scans only the entries of the lookup's match key, and still answers the paraphrase", async () => {
    await put("Are pets allowed in the cabin?", "Small pets in carriers under the seat, $125 each way.");
    const cities = ["Paris", "Rome", "Berlin", "Madrid", "Vienna", "Prague"];
    for (const city of cities) {
      await put(
        `Are pets allowed in the cabin when travelling to ${city}?`,
        `Pets to ${city}: see its rules.`,
      );
    }
    const [v] = (await embedder.embed(["Are pets allowed in the cabin when travelling?"])) as [Float32Array];
    const all = index.nearest(v, ["shared"], 4);
    expect(all[0]!.prompt).toBe("Are pets allowed in the cabin?");
    // Asked for Rome's key, the index returns Rome's entry alone, though others are nearer.
    const rome = all.concat(index.nearest(v, ["shared"], 10)).find((n) => n.prompt.includes("Rome"))!;
    const romeKey = semanticMatchKey(rome.entities);
    expect(romeKey).toBeDefined();
    expect(index.nearest(v, ["shared"], 4, romeKey).map((n) => n.prompt)).toEqual([rome.prompt]);

    const asked: (string | undefined)[] = [];
    const nearest = index.nearest.bind(index);
    index.nearest = (e, scopes, k, key) => {
      asked.push(key);
      return nearest(e, scopes, k, key);
    };
    try {
      const hit = await cache.lookup("Are pets allowed in the cabin when travelling?", "2");
      expect(hit).toMatchObject({ hit: true, kind: "semantic" });
      expect((hit as { response: string }).response).toMatch(/\$125/);
      // One scan, by the key of the entry that answered: the cities' entries were not scanned.
      expect(asked).toEqual([semanticMatchKey(all[0]!.entities)]);
      // A city of its own still never takes another city's answer.
      const lisbon = await cache.lookup("Are pets allowed in the cabin when travelling to Lisbon?", "2");
      expect(lisbon.hit).toBe(false);
    } finally {
      index.nearest = nearest;
    }
  });

  it("asks the table once for a miss: without the index, the keyed scan already is the whole one", async () => {
    const table = new ResponseCacheStore(store, sql, namespace);
    const indexed = new ResponseCacheStore(store, sql, namespace, { index });
    const calls = (storage: ResponseCacheStore): (() => number) => {
      let n = 0;
      const nearest = storage.nearest.bind(storage);
      storage.nearest = (...args) => {
        n++;
        return nearest(...args);
      };
      return () => n;
    };
    const fromTable = calls(table);
    const fromIndex = calls(indexed);
    const threshold = loadConfig({}).semanticCache.threshold;
    const question = "Can I bring a folding bicycle as checked luggage?";
    for (const [storage, count, expected] of [
      [table, fromTable, 1],
      [indexed, fromIndex, 2],
    ] as const) {
      expect(storage.narrowsByKey).toBe(storage === indexed);
      const miss = await new SemanticCache({ storage, embedder, threshold, logger }).lookup(question, "3");
      expect(miss.hit).toBe(false);
      // Each says why it missed, from the whole scopes.
      expect((miss as CacheMiss).reason).toBeDefined();
      expect(count()).toBe(expected);
    }
  });

  it("keys entries only when a similarity lookup could serve them", () => {
    expect(semanticMatchKey({ residue: null })).toBeUndefined();
    expect(semanticMatchKey(null)).toBeUndefined();
    const a = semanticMatchKey({ residue: "pets cabin", places: ["to:CDG"] });
    const b = semanticMatchKey({ residue: "pets cabin", places: ["to:FCO"] });
    expect(a).toBeDefined();
    expect(a).not.toBe(b);
    expect(semanticMatchKey({ residue: "pets cabin", places: ["to:CDG"] })).toBe(a);
  });
});
