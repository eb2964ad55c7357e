/**
 * Long-term recall at 10k and 100k memories in the bench's seeded PGlite (served on loopback,
 * as the embedded default): synthetic travel memories embedded with the local embedder (clustered like
 * real ones, unlike random vectors), 90% under one heavy actor (the HNSW path) and the rest spread
 * over 100 light actors (a selective filter: iterative HNSW scans). Rows are inserted with the HNSW
 * index dropped and the index built afterwards with `maintenance_work_mem` raised.
 *
 * Latency is `LongTermMemory.recallByVector` (the product path: transaction, role switch,
 * settings, HNSW scan), timed after one untimed pass over the queries, as is the plain query. Recall@5 compares it with exact search (`SET LOCAL enable_indexscan = off`)
 * over the same set it returns, one memory per content (the same sentence stored twice is one
 * memory), tie-aware: a returned row counts when its distance is within the exact fifth-nearest.
 *
 * On the embedded database the host sizes `shared_buffers` to the data dir when it starts
 * (`sharedBuffersFor`): a host that started on the seeded world (8MB) and then took 100,000
 * memories reads most of the HNSW graph through PGlite's file system on every query. So after the
 * build the bench closes its clients (the host exits) and reconnects (a new host starts on the
 * grown data dir), as a service started on that data dir runs.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../core/paths.js";
import type { Sql } from "../memory/db/index.js";
import { toVector } from "../memory/db/vector.js";
import type { Embedder } from "../memory/embeddings/types.js";
import { LongTermMemory } from "../memory/long-term/index.js";
import { memoryTexts, recallQueries } from "./recall-data.js";
import { type Figure, round, single, summarize, timeEach } from "./stats.js";

const HEAVY = "bench-heavy";
const LIGHT_ACTORS = 100;
const light = (i: number): string => `bench-light-${i}`;

async function insertMemories(
  sql: Sql,
  embedder: Embedder,
  texts: readonly string[],
  offset: number,
): Promise<void> {
  const batch = 1_000;
  for (let i = 0; i < texts.length; i += batch) {
    const chunk = texts.slice(i, i + batch);
    const vectors = await embedder.embed(chunk);
    const actors = chunk.map((_, j) => {
      const k = offset + i + j;
      return k % 10 === 9 ? light(Math.floor(k / 10) % LIGHT_ACTORS) : HEAVY;
    });
    await sql`
      INSERT INTO memories (actor_id, namespace, kind, content, embedding)
      SELECT a, '/actors/' || a || '/facts', 'fact', c, e::vector
      FROM unnest(${actors}::text[], ${chunk as string[]}::text[], ${vectors.map((v) => toVector(v))}::text[]) AS t(a, c, e)`;
  }
}

/** The memories' HNSW index as the last migration that creates it defines it. */
function migrationIndexDefinition(): string {
  const dir = join(ROOT, "memory", "db", "migrations");
  let found: string | undefined;
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    const text = readFileSync(join(dir, file), "utf8").replace(/--[^\n]*/g, "");
    for (const m of text.matchAll(/CREATE INDEX (?:IF NOT EXISTS )?memories_embedding\b[^;]*/gi))
      found = m[0];
  }
  if (!found) throw new Error("no migration creates the memories_embedding index");
  return found.replace(/\s+/g, " ");
}

/** The server's `shared_buffers` (`128MB`, …). */
async function sharedBuffers(sql: Sql): Promise<string> {
  const [row] = await sql<{ v: string }[]>`SELECT current_setting('shared_buffers') AS v`;
  return row?.v ?? "?";
}

/** Rebuilds the memories' HNSW index as the migrations define it (`definition` from pg_indexes). */
async function buildIndex(sql: Sql, definition: string, memory: string): Promise<number> {
  const t = performance.now();
  await sql.begin(async (tx) => {
    await tx.unsafe(`SET LOCAL maintenance_work_mem = '${memory}'`);
    await tx.unsafe(definition);
  });
  await sql`ANALYZE memories`;
  return performance.now() - t;
}

/**
 * Exact nearest `k` distinct memories of an actor (one per content, the nearest row of each, as
 * `recallByVector` returns them): no index scans, so a sequential scan and sort.
 */
async function exactNearest(sql: Sql, actorId: string, q: string, k: number): Promise<number[]> {
  return sql.begin(async (tx) => {
    await tx`SET LOCAL enable_indexscan = off`;
    const rows = await tx<{ d: number }[]>`
      SELECT min(embedding <=> ${q}::vector) AS d FROM memories
      WHERE actor_id = ${actorId} GROUP BY content ORDER BY d LIMIT ${k}`;
    return rows.map((r) => Number(r.d));
  }) as Promise<number[]>;
}

export interface RecallScale {
  label: string;
  total: number;
}

export interface RecallOptions {
  /** A migrated database (the memories table, roles and RLS policy). */
  sql: Sql;
  embedder: Embedder;
  scales: RecallScale[];
  /** Timed recalls per actor and scale. */
  runs: number;
  /** Queries checked against exact search per actor and scale. */
  recallQueries: number;
  maintenanceWorkMem: string;
  /**
   * Keep the bench memories already in the database (a kept data directory): insert only the
   * missing ones and rebuild the index only when rows were added or it is missing. Scales below
   * the rows present are skipped.
   */
  reuse?: boolean;
  /**
   * Closes the database's clients and opens them again, after rows were added and the index
   * built: on the embedded database the host exits with its last client and the next connection
   * starts one on the grown data dir. `restarted` tells whether a new host serves it. Absent for
   * a PostgreSQL server.
   */
  reopen?: () => Promise<{ sql: Sql; embedder: Embedder; restarted: boolean }>;
  progress: (message: string) => void;
}

export async function benchRecall(
  o: RecallOptions,
): Promise<{ figures: Record<string, Figure>; notes: string[] }> {
  let { sql, embedder } = o;
  const figures: Record<string, Figure> = {};
  const notes: string[] = [];
  const [{ n: before } = { n: 0 }] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM memories`;
  try {
    let memory = new LongTermMemory(sql, embedder);
    const [index] = await sql<{ def: string }[]>`
      SELECT indexdef AS def FROM pg_indexes WHERE indexname = 'memories_embedding'`;
    if (!index && !o.reuse) throw new Error("the memories_embedding index is missing: run the migrations");
    const definition = index?.def ?? migrationIndexDefinition();
    const params = /WITH \((.*)\)/.exec(definition)?.[1] ?? "pgvector defaults";
    const queries = recallQueries(Math.max(o.runs, o.recallQueries));
    const vectors = await embedder.embed(queries);
    // Rows are inserted in a fixed order, so the first `inserted` texts are the ones present.
    const [{ n: present } = { n: 0 }] = o.reuse
      ? await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM memories WHERE actor_id LIKE 'bench-%'`
      : [{ n: 0 }];
    let inserted = present;
    for (const scale of o.scales) {
      let host = "";
      if (scale.total < inserted) {
        notes.push(
          `long-term recall: ${scale.label} skipped (the kept database holds ${inserted} bench memories)`,
        );
        continue;
      }
      const texts = memoryTexts(scale.total).slice(inserted);
      const missing = !(await sql`SELECT 1 FROM pg_indexes WHERE indexname = 'memories_embedding'`).length;
      if (texts.length > 0 || missing) {
        o.progress(`long-term recall: inserting up to ${scale.total} memories`);
        await sql`DROP INDEX IF EXISTS memories_embedding`;
        const t = performance.now();
        await insertMemories(sql, embedder, texts, inserted);
        inserted = scale.total;
        const insertMs = performance.now() - t;
        o.progress(`long-term recall: building the HNSW index over ${scale.total} memories`);
        const buildMs = await buildIndex(sql, definition, o.maintenanceWorkMem);
        figures[`recall.${scale.label}.insert_ms`] = single(
          round(insertMs, 0),
          "ms",
          texts.length,
          "embedding (local) and inserting these rows, no index",
        );
        figures[`recall.${scale.label}.hnsw_build_ms`] = single(
          round(buildMs, 0),
          "ms",
          scale.total,
          `CREATE INDEX ... USING hnsw (${params}), maintenance_work_mem ${o.maintenanceWorkMem}`,
        );
        if (o.reopen) {
          const built = await sharedBuffers(sql);
          o.progress("long-term recall: reconnecting (the embedded host restarts on the grown data dir)");
          const next = await o.reopen();
          ({ sql, embedder } = next);
          memory = new LongTermMemory(sql, embedder);
          host = next.restarted
            ? `on a host restarted after the build, as a service started on this data dir runs (shared_buffers ${built} at the build, ${await sharedBuffers(sql)} now)`
            : `on the host of the build (another client kept it: shared_buffers ${built}, sized for the data it started on)`;
        }
      } else {
        o.progress(`long-term recall: reusing ${scale.total} memories and their HNSW index`);
        await sql`ANALYZE memories`;
      }
      host ||= `shared_buffers ${await sharedBuffers(sql)}`;
      for (const [who, actorId] of [
        ["heavy", HEAVY],
        ["light", light(3)],
      ] as const) {
        const [{ n } = { n: 0 }] = await sql<{ n: number }[]>`
          SELECT count(*)::int AS n FROM memories WHERE actor_id = ${actorId}`;
        o.progress(`long-term recall: ${scale.label}, ${who} actor (${n} memories)`);
        // One untimed pass over the queries first: otherwise the first timed loop pays the page
        // reads (into shared_buffers) that the second then finds cached.
        for (let i = 0; i < Math.min(o.runs, vectors.length); i++)
          await memory.recallByVector(actorId, vectors[i]!, { k: 5 });
        const latency = await timeEach(o.runs, (i) =>
          memory.recallByVector(actorId, vectors[Math.max(0, i) % vectors.length]!, { k: 5 }),
        );
        const plain = await timeEach(
          o.runs,
          (i) =>
            sql`SELECT id FROM memories WHERE actor_id = ${actorId}
              ORDER BY embedding <=> ${toVector(vectors[Math.max(0, i) % vectors.length]!)}::vector LIMIT 5`,
        );
        figures[`recall.${scale.label}.${who}.plain_latency`] = summarize(
          plain,
          "ms",
          `the same nearest-5 query as the owner, one statement, no transaction, role switch or settings (reference); ${host}`,
        );
        figures[`recall.${scale.label}.${who}.latency`] = summarize(
          latency,
          "ms",
          `LongTermMemory.recallByVector k=5 for an actor with ${n} of ${scale.total} memories (HNSW, iterative scan); ${host}`,
        );
        let found = 0;
        let wanted = 0;
        const exactMs: number[] = [];
        for (let i = 0; i < o.recallQueries; i++) {
          const v = vectors[i % vectors.length]!;
          const q = toVector(v);
          const approx = await memory.recallByVector(actorId, v, { k: 5 });
          const t0 = performance.now();
          const exact = await exactNearest(sql, actorId, q, 5);
          exactMs.push(performance.now() - t0);
          const cutoff = (exact.at(-1) ?? 2) + 1e-6;
          wanted += exact.length;
          found += Math.min(exact.length, approx.filter((m) => 1 - m.similarity <= cutoff).length);
        }
        figures[`recall.${scale.label}.${who}.recall_at_5`] = single(
          found / Math.max(1, wanted),
          "ratio",
          o.recallQueries,
          "share of the exact 5 nearest distinct memories (one per content, as recall returns them; ties counted) that the HNSW recall returned",
        );
        figures[`recall.${scale.label}.${who}.exact_latency`] = summarize(
          exactMs,
          "ms",
          "exact search (enable_indexscan = off), the reference; not the product path",
        );
      }
    }
    notes.push(
      `long-term recall: synthetic travel memories (12 templates × qualifiers, ~95% distinct vectors), local embedder (${embedder.dimensions} dims), added to the seeded world's ${before} memories; the heavy actor holds 90%, ${LIGHT_ACTORS} light actors 0.1% each`,
    );
  } catch (err) {
    throw new Error(`long-term recall: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return { figures, notes };
}
