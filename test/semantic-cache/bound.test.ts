/**
 * The response cache's storage on the real Valkey and pgvector: the table keeps at most
 * `maxEntries` rows (those nearest to expiry go first, with their exact entries), evictions are
 * counted, and an answer computed before an invalidation of one of its sources is not kept.
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
import { CLOCK_SKEW_MS, ResponseCacheStore } from "../../memory/response-cache.js";
import type { ValkeyStore } from "../../memory/store/valkey.js";
import { sleep, uniq } from "../support/env.js";
import { stopSharedCluster, valkeyTargets } from "../support/valkey-targets.js";

afterAll(stopSharedCluster);

describe.each(valkeyTargets().map((t) => [t.name, t] as const))(
  "response cache storage: %s",
  (_name, target) => {
    const dir = mkdtempSync(join(tmpdir(), "flightly-cachebound-"));
    const embedder = createEmbedder(loadConfig({}));
    let pg: EmbeddedPostgres;
    let sql: Sql;
    let store: ValkeyStore;
    let vector: Float32Array;

    beforeAll(async () => {
      pg = await openEmbeddedPostgres(dir, createLogger({ level: "silent" }));
      sql = connectPostgres(pg.url, { max: 4, onnotice: () => {} });
      await migrate(sql, embedder);
      store = await target.connect();
      [vector] = (await embedder.embed(["How many bags can I check?"])) as [Float32Array];
    });
    afterAll(async () => {
      await store.close();
      await sql.end();
      await pg.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const answer = (prompt: string, sources: string[] = []) => ({
      prompt,
      response: `answer to ${prompt}`,
      entities: {},
      category: "policy",
      sources,
    });
    const rows = async () => Number((await sql`SELECT count(*)::int AS n FROM semantic_cache`)[0]!.n);

    it("keeps at most maxEntries rows, evicting those nearest to expiry with their exact entries", async () => {
      await sql`DELETE FROM semantic_cache`;
      const storage = new ResponseCacheStore(store, sql, uniq("ns"), { maxEntries: 5 });
      const hashes: string[] = [];
      for (let i = 0; i < 12; i++) {
        hashes.push(uniq("h"));
        // Later puts live longer: the first ones are nearest to expiry.
        expect(await storage.put("shared", hashes[i]!, vector, answer(`q${i}`), 60_000 + i * 1_000)).toBe(
          true,
        );
      }
      await storage.settled();
      expect(await rows()).toBe(5);
      expect(storage.stats().evicted).toBe(7);
      const kept = (await sql<{ prompt: string }[]>`SELECT prompt FROM semantic_cache ORDER BY prompt`).map(
        (r) => r.prompt,
      );
      expect(kept).toEqual(["q10", "q11", "q7", "q8", "q9"]);
      for (const [i, h] of hashes.entries()) {
        expect((await storage.getExact(["shared"], h)) !== undefined).toBe(i >= 7);
      }
    });

    it("the bound holds under concurrent puts", async () => {
      await sql`DELETE FROM semantic_cache`;
      const storage = new ResponseCacheStore(store, sql, uniq("ns"), { maxEntries: 8 });
      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          storage.put("shared", uniq("h"), vector, answer(`c${i}`), 60_000),
        ),
      );
      await storage.settled();
      expect(await rows()).toBeLessThanOrEqual(8);
      expect(storage.stats().evicted).toBe(30 - (await rows()));
    });

    it("an answer whose computation began before an invalidation of its source is not kept", async () => {
      const storage = new ResponseCacheStore(store, sql, uniq("ns"));
      const source = uniq("flights");
      const began = Date.now();
      await storage.invalidateSource(source);
      const h = uniq("h");
      expect(await storage.put("shared", h, vector, answer("stale", [source]), 60_000, began)).toBe(false);
      expect(await storage.getExact(["shared"], h)).toBeUndefined();
      expect((await sql`SELECT 1 FROM semantic_cache WHERE hash = ${h}`).length).toBe(0);
      expect(storage.stats().refused).toBe(1);

      // One that began after the write (beyond the clock allowance) is kept; so is one on other sources.
      await sleep(CLOCK_SKEW_MS + 20);
      const fresh = uniq("h");
      expect(await storage.put("shared", fresh, vector, answer("fresh", [source]), 60_000, Date.now())).toBe(
        true,
      );
      expect(await storage.getExact(["shared"], fresh)).toBeDefined();
      const other = uniq("h");
      expect(await storage.put("shared", other, vector, answer("other", [uniq("s")]), 60_000, began)).toBe(
        true,
      );
    });

    it("a put inserts into no vector graph; without the in-process index, nearest still finds the asker's entry however many other scopes hold nearer ones", async () => {
      const graphs = await sql`SELECT indexname FROM pg_indexes
        WHERE tablename = 'semantic_cache' AND indexdef ILIKE '%USING hnsw%'`;
      expect(graphs.map((g) => g.indexname)).toEqual([]);
      await sql`DELETE FROM semantic_cache`;
      const storage = new ResponseCacheStore(store, sql, uniq("ns"), {});
      const crowd = `actor:${uniq("crowd")}`;
      const mine = `actor:${uniq("me")}`;
      // Another customer's entries all at similarity 1: an approximate index scan (candidates first,
      // then the scope filter) would fill its candidate list with them and return none of the asker's.
      for (let i = 0; i < 120; i++) await storage.put(crowd, uniq("h"), vector, answer(`crowd ${i}`), 60_000);
      const [other] = (await embedder.embed(["When does my refund arrive?"])) as [Float32Array];
      await storage.put(mine, uniq("h"), other, answer("refund timing"), 60_000);
      await storage.settled();
      const found = await storage.nearest(vector, [mine], 4);
      expect(found.map((n) => n.prompt)).toEqual(["refund timing"]);
      expect(found[0]!.scope).toBe(mine);
    });
  },
);
