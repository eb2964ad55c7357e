/**
 * Measures the memory tiers against the real Valkey-compatible server and embedded PGlite:
 * context assembly (profile + history + state + checkpoint in one pipeline, in parallel with
 * long-term recall) and long-term recall at 10k (and, with `--100k`, 100k) memories inserted
 * with a bulk `INSERT ... SELECT` of random unit vectors.
 *
 *   npx vite-node scripts/measure-memory.ts [--100k] [--runs 500] [--json]
 *   node dist/scripts/measure-memory.js [--100k]
 *
 * `VALKEY_URL` picks the server (default redis://127.0.0.1:6379). Not a timed test: numbers vary
 * with the machine; the bench reports them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sql } from "postgres";
import { loadConfig } from "../core/config.js";
import { createLogger } from "../core/logger.js";
import { openEmbeddedPostgres } from "../memory/db/embedded.js";
import { connectPostgres } from "../memory/db/index.js";
import { migrate } from "../memory/db/migrate.js";
import { createEmbedder } from "../memory/embeddings/index.js";
import { LongTermMemory, namespaces } from "../memory/long-term/index.js";
import {
  appendHistory,
  assembleContext,
  clearSession,
  setSessionState,
  updateProfile,
  writeCheckpoint,
} from "../memory/short-term/index.js";
import { InProcessStore } from "../memory/store/inprocess.js";
import { keys } from "../memory/store/keys.js";
import type { ShortTermStore } from "../memory/store/types.js";
import { ValkeyStore } from "../memory/store/valkey.js";

interface Stat {
  median: number;
  p99: number;
  mean: number;
}

function stat(samples: number[]): Stat {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
  const round = (n: number): number => Math.round(n * 1000) / 1000;
  return {
    median: round(at(0.5)),
    p99: round(at(0.99)),
    mean: round(s.reduce((a, b) => a + b, 0) / s.length),
  };
}

async function time(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < Math.min(20, runs); i++) await fn(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

async function bulkInsert(sql: Sql, actorId: string, n: number, dims: number): Promise<void> {
  for (let done = 0; done < n; done += 10_000) {
    const batch = Math.min(10_000, n - done);
    await sql`
      INSERT INTO memories (actor_id, namespace, kind, content, embedding)
      SELECT ${actorId}, ${namespaces.facts(actorId)}, 'fact', 'random memory ' || g,
             l2_normalize((SELECT array_agg(random() - 0.5) FROM generate_series(1, ${dims}) d WHERE g > 0)::vector)
      FROM generate_series(1, ${batch}) g`;
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runs = Number(args[args.indexOf("--runs") + 1]) || 500;
  const big = args.includes("--100k");
  const asJson = args.includes("--json");
  const log = (...parts: unknown[]): void => {
    if (!asJson) console.error(...parts);
  };
  const config = loadConfig();
  const dir = mkdtempSync(join(tmpdir(), "flightly-measure-"));
  const pg = await openEmbeddedPostgres(dir, createLogger({ level: "silent" }));
  const sql = connectPostgres(pg.url, { max: 4, onnotice: () => {}, transform: { undefined: null } });
  const embedder = createEmbedder(config);
  const dims = embedder.dimensions;
  await migrate(sql, { modelId: embedder.modelId, dimensions: dims });
  const memory = new LongTermMemory(sql, embedder);
  const valkey = await ValkeyStore.connect({ url: config.valkey.url ?? "redis://127.0.0.1:6379" });
  const results: Record<string, unknown> = {};

  try {
    // A customer with a profile, a 20-message history, state, a checkpoint and a few memories.
    const actorId = `measure-${process.pid}`;
    const scope = { actorId, sessionId: "s-measure" };
    const facts = [
      "Family of four: 2 adults and 2 children.",
      "Children's ages: 4 and 8.",
      "Hotel budget is about $300 per night.",
      "Prefers window seats.",
      "Avoids flying with Northwind.",
    ];
    for (const content of facts) {
      await memory.remember(actorId, {
        namespace: namespaces.preferences(actorId),
        kind: "preference",
        content,
      });
    }
    const stores: Array<[string, ShortTermStore]> = [
      ["valkey", valkey],
      ["in-process", new InProcessStore()],
    ];
    for (const [, store] of stores) {
      await updateProfile(store, actorId, { adults: 2, children: 2, childrenAges: [4, 8], seat: "window" });
      const at = new Date().toISOString();
      await appendHistory(
        store,
        scope,
        Array.from({ length: 20 }, (_, i) => ({
          role: i % 2 ? ("assistant" as const) : ("user" as const),
          content: `message ${i} about hotels in Maui for the family`,
          at,
        })),
      );
      await setSessionState(store, scope, { agent: "booking", step: "search" });
      await writeCheckpoint(store, scope, 0, { plan: ["search", "book", "pay"], steps: [] }).catch(() => 0);
    }

    // 10k memories: most for one heavy actor (HNSW path), some spread over 20 others.
    // The HNSW index is dropped for the bulk load and rebuilt after (row-by-row index inserts
    // cost ~10 ms each in PGlite).
    log("inserting 10k memories…");
    let t = performance.now();
    await sql`DROP INDEX memories_embedding`;
    await bulkInsert(sql, "heavy", 8_000, dims);
    for (let i = 0; i < 20; i++) await bulkInsert(sql, `light-${i}`, 100, dims);
    results.insert10kMs = Math.round(performance.now() - t);
    t = performance.now();
    await sql`SET maintenance_work_mem = '256MB'`;
    await sql`CREATE INDEX memories_embedding ON memories USING hnsw (embedding vector_cosine_ops)`;
    await sql`ANALYZE memories`;
    results.buildHnsw10kMs = Math.round(performance.now() - t);

    for (const [name, store] of stores) {
      log(`context assembly (${name}), ${runs} runs…`);
      const parts = { shortTermMs: [] as number[], recallMs: [] as number[], totalMs: [] as number[] };
      const wall = await time(runs, async () => {
        const ctx = await assembleContext(store, memory, {
          scope,
          query: "find a family hotel in Maui within our budget",
        });
        parts.shortTermMs.push(ctx.timings.shortTermMs);
        parts.recallMs.push(ctx.timings.recallMs);
        parts.totalMs.push(ctx.timings.totalMs);
      });
      const before = store.roundTrips;
      await assembleContext(store, undefined, { scope });
      results[`context_${name}`] = {
        wall: stat(wall),
        shortTerm: stat(parts.shortTermMs.slice(-runs)),
        recall: stat(parts.recallMs.slice(-runs)),
        roundTripsShortTerm: store.roundTrips - before,
      };
      const shortOnly = await time(runs, () => assembleContext(store, undefined, { scope }));
      results[`context_${name}_shortTermOnly`] = stat(shortOnly);
    }

    const [query] = await embedder.embed(["which seats and budget does the family prefer?"]);
    const measureRecall = async (label: string): Promise<void> => {
      const [{ n } = { n: 0 }] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM memories`;
      log(`recall at ${n} memories…`);
      const heavy = await time(200, () => memory.recallByVector("heavy", query!, { k: 10 }));
      const light = await time(200, () => memory.recallByVector("light-3", query!, { k: 10 }));
      const withEmbed = await time(200, () =>
        memory.recall({ actorId: "heavy", query: "which seats and budget does the family prefer?", k: 10 }),
      );
      const plain = await time(
        200,
        () =>
          sql`SELECT id FROM memories ORDER BY embedding <=> ${`[${Array.from(query!).join(",")}]`}::vector LIMIT 10`,
      );
      results[label] = {
        memories: n,
        heavyActorHnsw: stat(heavy),
        lightActorFiltered: stat(light),
        heavyActorIncludingQueryEmbedding: stat(withEmbed),
        unscopedHnswNoTransaction: stat(plain),
      };
    };
    await measureRecall("recall10k");

    if (big) {
      log("inserting 90k more (index dropped, rebuilt after)…");
      t = performance.now();
      await sql`DROP INDEX memories_embedding`;
      await bulkInsert(sql, "heavy", 90_000, dims);
      const inserted = performance.now() - t;
      t = performance.now();
      await sql`CREATE INDEX memories_embedding ON memories USING hnsw (embedding vector_cosine_ops)`;
      await sql`ANALYZE memories`;
      results.insert90kMs = Math.round(inserted);
      results.buildHnsw100kMs = Math.round(performance.now() - t);
      await measureRecall("recall100k");
    }
  } finally {
    const scope = { actorId: `measure-${process.pid}`, sessionId: "s-measure" };
    await clearSession(valkey, scope).catch(() => 0);
    await valkey.del(keys.profile(scope.actorId)).catch(() => 0);
    await valkey.close();
    await sql.end({ timeout: 5 });
    await pg.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(results, null, 2));
}

await main();
