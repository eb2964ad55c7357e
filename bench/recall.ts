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
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../core/paths.js";
import type { Sql } from "../memory/db/index.js";
import { toVector } from "../memory/db/vector.js";
import type { Embedder } from "../memory/embeddings/types.js";
import { LongTermMemory } from "../memory/long-term/index.js";
import { type Figure, round, single, summarize, timeEach } from "./stats.js";

const CITIES = [
  "Tokyo",
  "Honolulu",
  "Maui",
  "Paris",
  "London",
  "Seattle",
  "Los Angeles",
  "San Francisco",
  "Sydney",
  "Singapore",
  "Rome",
  "Barcelona",
  "Lisbon",
  "Vancouver",
  "New York",
  "Chicago",
  "Denver",
  "Cancun",
  "Reykjavik",
  "Bangkok",
  "Seoul",
  "Osaka",
  "Kyoto",
  "Amsterdam",
  "Berlin",
  "Dublin",
  "Boston",
  "Miami",
];
const AIRLINES = ["Northwind", "Pacific Crest", "Skyline", "Aurora Air", "Bluejay", "Coastal", "Summit"];
const SEATS = ["window", "aisle", "exit row", "bulkhead", "front row"];
const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const FOODS = ["vegetarian", "vegan", "gluten free", "kosher", "halal", "nut free", "dairy free"];
const PARTY = ["alone", "with a partner", "with two children", "with elderly parents", "with colleagues"];
const HOTELS = ["beach resort", "boutique hotel", "business hotel", "family suite", "ryokan", "hostel"];
const TOPICS = [
  "baggage fees",
  "visa rules",
  "seat upgrades",
  "refunds",
  "pet travel",
  "lounge access",
  "travel insurance",
  "wheelchair assistance",
  "infant fares",
  "name changes",
  "missed connections",
  "carry-on size",
];
const SIGHTS = [
  "the beach",
  "museums",
  "the old town",
  "the harbour",
  "ski slopes",
  "night markets",
  "hiking trails",
];
const OCCASIONS = ["an anniversary", "a birthday", "a honeymoon", "a conference", "a wedding", "a reunion"];
const CABINS = ["economy", "premium economy", "business", "first class"];
const TIERS = ["silver", "gold", "platinum", "diamond"];
const CARS = ["compact car", "minivan", "convertible", "SUV", "electric car"];
const NAMES = [
  "Alice",
  "Bruno",
  "Chen",
  "Dana",
  "Emeka",
  "Fatima",
  "Goran",
  "Hana",
  "Ivan",
  "Julia",
  "Kenji",
  "Leila",
  "Marco",
  "Nadia",
  "Omar",
  "Priya",
  "Quinn",
  "Rosa",
  "Sven",
  "Tariq",
  "Uma",
  "Victor",
  "Wen",
  "Yusuf",
];

/** A deterministic PRNG (mulberry32) so every run inserts the same memories. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Synthetic memories in the shapes the tiering worker writes (preferences, facts, episodes):
 * a template with several slots and a qualifying clause, so that rows are distinct (exact
 * duplicates would be an unrealistic worst case for an HNSW graph).
 */
function memoryTexts(n: number, seed = 7): string[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const templates: Array<() => string> = [
    () => `Prefers ${pick(SEATS)} seats on ${pick(AIRLINES)} flights to ${pick(CITIES)}`,
    () => `Travelling to ${pick(CITIES)} in ${pick(MONTHS)} ${pick(PARTY)} for ${int(2, 21)} days`,
    () => `Hotel budget is about $${int(8, 60) * 10} per night in ${pick(CITIES)} near ${pick(SIGHTS)}`,
    () => `Needs ${pick(FOODS)} meals on flights longer than ${int(2, 14)} hours to ${pick(CITIES)}`,
    () =>
      `Avoids flying with ${pick(AIRLINES)} after a ${int(2, 12)} hour delay in ${pick(CITIES)} in ${pick(MONTHS)}`,
    () => `Booked a ${int(1, 14)} night stay at a ${pick(HOTELS)} in ${pick(CITIES)} for ${pick(OCCASIONS)}`,
    () => `Asked about ${pick(TOPICS)} for a trip from ${pick(CITIES)} to ${pick(CITIES)} in ${pick(MONTHS)}`,
    () => `Home airport is ${pick(CITIES)}; usually flies ${pick(CABINS)} and checks ${int(0, 3)} bags`,
    () => `Celebrating ${pick(OCCASIONS)} in ${pick(CITIES)} in ${pick(MONTHS)} and wants a ${pick(HOTELS)}`,
    () => `Children are ${int(1, 16)} and ${int(1, 16)} years old and like ${pick(SIGHTS)}`,
    () => `Loyalty member of ${pick(AIRLINES)} at ${pick(TIERS)} tier since ${int(2008, 2026)}`,
    () => `Rented a ${pick(CARS)} in ${pick(CITIES)} and returned it ${int(1, 5)} hours late`,
  ];
  const qualifiers: Array<() => string> = [
    () => "",
    () => `, mentioned in ${pick(MONTHS)} ${int(2019, 2026)}`,
    () => `, for ${pick(NAMES)}`,
    () => `, travelling with ${pick(NAMES)} and ${pick(NAMES)}`,
    () => `, unless the fare is over $${int(2, 40) * 50}`,
    () => `; confirmed by phone on day ${int(1, 28)}`,
  ];
  return Array.from({ length: n }, () => `${pick(templates)()}${pick(qualifiers)()}`);
}

/** Questions an agent recalls memories for. */
function recallQueries(n: number, seed = 11): string[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const templates: Array<() => string> = [
    () => `which seat does the customer like on the way to ${pick(CITIES)}?`,
    () => `what hotel budget do they have in ${pick(CITIES)}?`,
    () => `any dietary needs for the flight?`,
    () => `which airlines should we avoid?`,
    () => `who is travelling to ${pick(CITIES)} and when?`,
    () => `how old are the children?`,
    () => `what did they ask about ${pick(TOPICS)}?`,
    () => `past stays in ${pick(CITIES)}`,
  ];
  return Array.from({ length: n }, () => pick(templates)());
}

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
  progress: (message: string) => void;
}

export async function benchRecall(
  o: RecallOptions,
): Promise<{ figures: Record<string, Figure>; notes: string[] }> {
  const { sql } = o;
  const figures: Record<string, Figure> = {};
  const notes: string[] = [];
  const [{ n: before } = { n: 0 }] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM memories`;
  try {
    const memory = new LongTermMemory(sql, o.embedder);
    const [index] = await sql<{ def: string }[]>`
      SELECT indexdef AS def FROM pg_indexes WHERE indexname = 'memories_embedding'`;
    if (!index && !o.reuse) throw new Error("the memories_embedding index is missing: run the migrations");
    const definition = index?.def ?? migrationIndexDefinition();
    const params = /WITH \((.*)\)/.exec(definition)?.[1] ?? "pgvector defaults";
    const queries = recallQueries(Math.max(o.runs, o.recallQueries));
    const vectors = await o.embedder.embed(queries);
    // Rows are inserted in a fixed order, so the first `inserted` texts are the ones present.
    const [{ n: present } = { n: 0 }] = o.reuse
      ? await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM memories WHERE actor_id LIKE 'bench-%'`
      : [{ n: 0 }];
    let inserted = present;
    for (const scale of o.scales) {
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
        await insertMemories(sql, o.embedder, texts, inserted);
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
      } else {
        o.progress(`long-term recall: reusing ${scale.total} memories and their HNSW index`);
        await sql`ANALYZE memories`;
      }
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
          "the same nearest-5 query as the owner, one statement, no transaction, role switch or settings (reference)",
        );
        figures[`recall.${scale.label}.${who}.latency`] = summarize(
          latency,
          "ms",
          `LongTermMemory.recallByVector k=5 for an actor with ${n} of ${scale.total} memories (HNSW, iterative scan)`,
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
      `long-term recall: synthetic travel memories (12 templates × qualifiers, ~95% distinct vectors), local embedder (${o.embedder.dimensions} dims), added to the seeded world's ${before} memories; the heavy actor holds 90%, ${LIGHT_ACTORS} light actors 0.1% each`,
    );
  } catch (err) {
    throw new Error(`long-term recall: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  return { figures, notes };
}
