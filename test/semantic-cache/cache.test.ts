/** The semantic response cache on the real Valkey and pgvector, with the shipped local embedder. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../core/config.js";
import { createLogger } from "../../core/logger.js";
import { type EmbeddedPostgres, openEmbeddedPostgres } from "../../memory/db/embedded.js";
import { connectPostgres } from "../../memory/db/index.js";
import { migrate } from "../../memory/db/migrate.js";
import { createEmbedder } from "../../memory/embeddings/index.js";
import { ResponseCacheStore } from "../../memory/response-cache.js";
import type { ValkeyStore } from "../../memory/store/valkey.js";
import { type CacheMiss, SemanticCache } from "../../orchestrator/semantic-cache/cache.js";
import type { AnswerCachePolicy } from "../../orchestrator/semantic-cache/policy.js";
import { loadPairs } from "../../scripts/eval-embeddings.js";
import { sleep, uniq } from "../support/env.js";
import { stopSharedCluster, valkeyTargets } from "../support/valkey-targets.js";

const shared: AnswerCachePolicy = { category: "policy", scope: "shared", ttlMs: 60_000 };
const personal: AnswerCachePolicy = { category: "personal", scope: "actor", ttlMs: 60_000 };

afterAll(stopSharedCluster);

describe.each(valkeyTargets().map((t) => [t.name, t] as const))(
  "semantic response cache: %s",
  (_name, target) => {
    const dir = mkdtempSync(join(tmpdir(), "flightly-semcache-"));
    const embedder = createEmbedder(loadConfig({}));
    const threshold = loadConfig({}).semanticCache.threshold;
    let pg: EmbeddedPostgres;
    let sql: Sql;
    let store: ValkeyStore;
    let cache: SemanticCache;

    const put = async (
      prompt: string,
      actor: string,
      policy: AnswerCachePolicy,
      response: string,
      sources: string[] = [],
    ) => {
      const miss = (await cache.lookup(prompt, actor)) as CacheMiss;
      expect(miss.hit).toBe(false);
      await cache.store(prompt, actor, miss, policy, response, sources);
    };

    beforeAll(async () => {
      pg = await openEmbeddedPostgres(dir, createLogger({ level: "silent" }));
      sql = connectPostgres(pg.url, { max: 4, onnotice: () => {} });
      await migrate(sql, embedder);
      store = await target.connect();
    });
    afterAll(async () => {
      await store.close();
      await sql.end();
      await pg.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const fresh = (): SemanticCache =>
      new SemanticCache({
        storage: new ResponseCacheStore(store, sql, uniq("ns")),
        embedder,
        threshold,
        logger: createLogger({ level: "silent" }),
      });

    it("answers the same question exactly, whatever the case and spacing", async () => {
      cache = fresh();
      await put("What is the checked baggage allowance?", "1", shared, "23 kg, one bag");
      const hit = await cache.lookup("  what is the CHECKED baggage allowance ", "2");
      expect(hit).toMatchObject({ hit: true, kind: "exact", similarity: 1, response: "23 kg, one bag" });
    });

    it("answers a paraphrase semantically above the threshold, never across an entity change", async () => {
      cache = fresh();
      await put("Can I bring my dog in the cabin?", "1", shared, "Small pets in carriers, $125.");
      const para = await cache.lookup("Can I bring my dog in the cabin with me?", "2");
      expect(para).toMatchObject({ hit: true, kind: "semantic" });
      // A shared entry is not the asker's own: it is named by id, never by another customer's words.
      expect(para).not.toHaveProperty("matched_prompt");
      expect((para as { entry_id?: string }).entry_id).toMatch(/^semantic:\d+$/);
      expect((para as { similarity: number }).similarity).toBeGreaterThanOrEqual(threshold);

      await put("What's the weather in Tokyo in June?", "1", shared, "Tokyo in June: rainy season averages.");
      expect((await cache.lookup("What's the weather in Osaka in June?", "1")).hit).toBe(false);
      expect((await cache.lookup("What's the weather in Tokyo in July?", "1")).hit).toBe(false);
    });

    it("embeds a repeated paraphrase once", async () => {
      const texts: string[] = [];
      const counting = {
        ...embedder,
        embed: (t: string[]) => {
          texts.push(...t);
          return embedder.embed(t);
        },
      };
      cache = new SemanticCache({
        storage: new ResponseCacheStore(store, sql, uniq("ns")),
        embedder: counting as typeof embedder,
        threshold,
        logger: createLogger({ level: "silent" }),
      });
      await put("Can I take my cat on board?", "1", shared, "Cats in carriers, $125.");
      for (let i = 0; i < 3; i++) {
        expect(await cache.lookup("Can I take my cat on board with me?", "2")).toMatchObject({
          hit: true,
          kind: "semantic",
        });
      }
      expect(texts.filter((t) => t === "Can I take my cat on board with me?")).toHaveLength(1);
    });

    it("keeps personal answers to their actor", async () => {
      cache = fresh();
      await put("Show me my bookings", "1", personal, "FL-AAAAAA to Tokyo");
      expect(await cache.lookup("Show me my bookings", "1")).toMatchObject({
        hit: true,
        matched_prompt: "Show me my bookings",
      });
      expect((await cache.lookup("Show me my bookings", "2")).hit).toBe(false);
      expect((await cache.lookup("show me my bookings please", "2")).hit).toBe(false);
    });

    it("never stores actions", async () => {
      cache = fresh();
      const miss = (await cache.lookup("Book the cheapest flight", "1")) as CacheMiss;
      const stored = await cache.store(
        "Book the cheapest flight",
        "1",
        miss,
        { category: "action", scope: "never", ttlMs: 0 },
        "Booked",
        [],
      );
      expect(stored).toBe(false);
      expect((await cache.lookup("Book the cheapest flight", "1")).hit).toBe(false);
    });

    it("drops answers when the knowledge they came from changes", async () => {
      cache = fresh();
      await put("What is the pet policy?", "1", shared, "Pets: $125", ["tool:search_knowledge_base"]);
      await put("What to do in Rome?", "1", shared, "See the Forum", ["tool:get_destination_info"]);
      expect(await cache.invalidateSource("tool:search_knowledge_base")).toBe(1);
      expect((await cache.lookup("What is the pet policy?", "2")).hit).toBe(false);
      expect((await cache.lookup("What to do in Rome?", "2")).hit).toBe(true);
    });

    it("a put purges the expired rows of semantic_cache once a purge is due", async () => {
      const storage = new ResponseCacheStore(store, sql, uniq("ns"), { purgeEveryMs: 200 });
      const [embedding] = await embedder.embed(["How many bags can I check?"]);
      const answer = (prompt: string) => ({
        prompt,
        response: "Two bags.",
        entities: {},
        category: "policy",
        sources: [],
      });
      const rows = async (prompt: string) =>
        (await sql`SELECT 1 FROM semantic_cache WHERE prompt = ${prompt}`).length;
      const expiring = uniq("expiring");
      const lasting = uniq("lasting");
      await storage.put("shared", uniq("h"), embedding!, answer(expiring), 100);
      await sleep(300);
      // Expired, and still there: only a put purges.
      expect(await rows(expiring)).toBe(1);
      await storage.put("shared", uniq("h"), embedding!, answer(lasting), 60_000);
      await vi.waitFor(async () => expect(await rows(expiring)).toBe(0));
      expect(await rows(lasting)).toBe(1);
    });

    it("on the labelled pairs: no false hits at the configured threshold, and reports recall", async () => {
      cache = fresh();
      const pairs = loadPairs();
      let hits = 0;
      let falseHits = 0;
      let same = 0;
      for (const [i, p] of pairs.entries()) {
        const actor = `pair-${i}`; // one scope per pair: entries never meet other pairs
        const miss = (await cache.lookup(p.a, actor)) as CacheMiss;
        await cache.store(p.a, actor, miss, personal, `answer ${i}`, []);
        const got = await cache.lookup(p.b, actor);
        if (p.same) same++;
        if (got.hit && p.same) hits++;
        if (got.hit && !p.same) {
          falseHits++;
          console.log(`false hit (${(got as { similarity: number }).similarity}): ${p.a} ~ ${p.b}`);
        }
      }
      console.log(
        `semantic cache on ${pairs.length} labelled pairs: recall ${hits}/${same}, false hits ${falseHits}`,
      );
      expect(falseHits).toBe(0);
      expect(hits).toBeGreaterThan(0);
    });
  },
);
