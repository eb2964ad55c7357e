/**
 * `flightly seed`: writes the deterministic world (`world.ts`) with embeddings from the
 * configured embedder. Seeding twice gives the same data (the second run finds it and stops);
 * `reset` truncates every domain table first.
 */
import type { Sql } from "postgres";
import type { Logger } from "../../core/logger.js";
import type { Embedder } from "../embeddings/types.js";
import { indexText } from "../knowledge.js";
import { toVector } from "./vector.js";
import { generateWorld } from "./world.js";

export interface SeedOptions {
  reset?: boolean;
  /** Day the 120-day schedule starts from; defaults to today (UTC). */
  anchor?: Date;
  /** Told each step of a seed that writes the world (`done` of `total` steps). */
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedProgress {
  step: string;
  done: number;
  total: number;
}

export interface SeedResult {
  seeded: boolean;
  counts: Record<string, number>;
  ms: number;
}

const DOMAIN_TABLES = [
  "payments",
  "bookings",
  "support_messages",
  "support_conversations",
  "knowledge_documents",
  "hotels",
  "flights",
  "customers",
  "airlines",
  "airports",
  "memories",
  "memory_events",
  "semantic_cache",
];

/** The tables a seed writes, in order (references first). */
const WORLD_TABLES = [
  "airports",
  "airlines",
  "flights",
  "hotels",
  "customers",
  "knowledge_documents",
  "support_conversations",
  "support_messages",
] as const;

/** A quoted SQL identifier (names read from the catalog). */
const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** A value as an element of a PostgreSQL array literal (`{...}`). */
function arrayElement(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean")
    return String(value);
  const text =
    value instanceof Date ? value.toISOString() : typeof value === "string" ? value : JSON.stringify(value);
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/**
 * Writes `rows` in chunks. Each column of a chunk goes as one array parameter, read back by
 * `unnest` (85,658 flights: 1.5 s against 3.0 s for a JSON recordset, whose per-row key lookups
 * dominate in the embedded server). A table with an array column takes one JSON parameter per
 * chunk instead (`unnest` would flatten its arrays). Either way the server reads a few values per
 * chunk rather than planning thousands of parameters. The columns are the keys of the first row;
 * a column left out takes its default.
 */
export async function insertRows<T extends object>(
  sql: Sql,
  table: string,
  rows: T[],
  size = 10_000,
): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const typeRows = await sql<{ name: string; type: string }[]>`
    SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
    WHERE attrelid = ${table}::regclass AND attnum > 0 AND NOT attisdropped`;
  const types = new Map(typeRows.map((r) => [r.name, r.type]));
  const byArrays = columns.every((c) => types.has(c) && !types.get(c)!.endsWith("[]"));
  for (let i = 0; i < rows.length; i += size) {
    const chunk = rows.slice(i, i + size) as Record<string, unknown>[];
    if (byArrays) {
      const arrays = columns.map((c) => `{${chunk.map((r) => arrayElement(r[c])).join(",")}}`);
      const unnest = columns.map((c, j) => `unnest($${j + 1}::${types.get(c)}[])`).join(", ");
      await sql.unsafe(
        `INSERT INTO ${ident(table)} (${columns.map(ident).join(", ")}) SELECT * FROM ROWS FROM (${unnest})`,
        arrays,
      );
      continue;
    }
    // Sent as text (a json parameter would be serialised again by the driver).
    const json = JSON.stringify(chunk);
    await sql`INSERT INTO ${sql(table)} (${sql(columns)})
      SELECT ${sql(columns)} FROM json_populate_recordset(NULL::${sql(table)}, ${json}::text::json)`;
  }
}

/**
 * Drops the secondary (non-unique) indexes and the foreign keys of `tables` and returns a
 * function that makes them again: an index built once over the loaded rows (a B-tree sorted, an
 * HNSW graph built in memory) costs a fraction of maintaining it row by row, and a foreign key
 * added to loaded tables is checked by one join instead of a trigger per row (85,658 flights with
 * three keys each).
 */
async function deferIndexes(sql: Sql, tables: readonly string[]): Promise<() => Promise<void>> {
  const indexes = await sql<{ name: string; definition: string }[]>`
    SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_class t ON t.oid = i.indrelid
    WHERE t.relname IN ${sql(tables as string[])} AND t.relnamespace = current_schema()::regnamespace
      AND NOT i.indisunique AND NOT i.indisprimary
    ORDER BY c.relname`;
  const keys = await sql<{ table: string; name: string; definition: string }[]>`
    SELECT t.relname AS table, k.conname AS name, pg_get_constraintdef(k.oid) AS definition
    FROM pg_constraint k
    JOIN pg_class t ON t.oid = k.conrelid
    WHERE k.contype = 'f' AND t.relname IN ${sql(tables as string[])}
      AND t.relnamespace = current_schema()::regnamespace
    ORDER BY t.relname, k.conname`;
  for (const { table, name } of keys) await sql`ALTER TABLE ${sql(table)} DROP CONSTRAINT ${sql(name)}`;
  for (const { name } of indexes) await sql`DROP INDEX ${sql(name)}`;
  return async () => {
    for (const { definition } of indexes) await sql.unsafe(definition);
    for (const { table, name, definition } of keys) {
      await sql.unsafe(`ALTER TABLE ${ident(table)} ADD CONSTRAINT ${ident(name)} ${definition}`);
    }
  };
}

async function embedAll(
  embedder: Embedder,
  texts: string[],
  onBatch: (embedded: number) => void = () => {},
): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < texts.length; i += 64) {
    const vectors = await embedder.embed(texts.slice(i, i + 64));
    out.push(...vectors.map(toVector));
    onBatch(vectors.length);
    // A local embedder answers synchronously: yield so the inserts beside it keep going.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

/** The seed anchor of a seeded world, or undefined before the first seed. */
export async function seededAnchor(sql: Sql): Promise<string | undefined> {
  const [row] = await sql<{ value: string }[]>`SELECT value FROM flightly_meta WHERE key = 'seed_anchor'`;
  return row?.value;
}

export async function countWorld(sql: Sql): Promise<Record<string, number>> {
  const [row] = await sql<Record<string, number>[]>`SELECT
    (SELECT count(*)::int FROM airports) AS airports,
    (SELECT count(*)::int FROM airlines) AS airlines,
    (SELECT count(*)::int FROM flights) AS flights,
    (SELECT count(*)::int FROM hotels) AS hotels,
    (SELECT count(*)::int FROM customers) AS customers,
    (SELECT count(*)::int FROM knowledge_documents WHERE kind = 'guide') AS guides,
    (SELECT count(*)::int FROM knowledge_documents WHERE kind <> 'guide') AS policies,
    (SELECT count(*)::int FROM support_conversations) AS support_conversations,
    (SELECT count(*)::int FROM support_messages) AS support_messages`;
  return row ?? {};
}

export async function seed(
  sql: Sql,
  embedder: Embedder,
  logger: Logger,
  options: SeedOptions = {},
): Promise<SeedResult> {
  const started = performance.now();
  if (options.reset) {
    await sql.unsafe(`TRUNCATE ${DOMAIN_TABLES.join(", ")} RESTART IDENTITY CASCADE`);
    await sql`DELETE FROM flightly_meta WHERE key = 'seed_anchor'`;
  }
  const [existing] = await sql<
    { value: string }[]
  >`SELECT value FROM flightly_meta WHERE key = 'seed_anchor'`;
  if (existing) {
    logger.info({ anchor: existing.value }, "already seeded; use --reset to start over");
    return { seeded: false, counts: await countWorld(sql), ms: Math.round(performance.now() - started) };
  }

  const world = generateWorld(options.anchor ?? new Date());
  const messages = world.conversations.flatMap((c) =>
    c.messages.map((m) => ({ ...m, conversation_id: c.id })),
  );
  // Steps: one per embedded text, one per table written, one for the indexes.
  const total = world.documents.length + messages.length + WORLD_TABLES.length + 1;
  let done = 0;
  const progress = (step: string, n: number): void => {
    done += n;
    options.onProgress?.({ step, done, total });
  };
  // The embeddings are computed here while the database host writes the tables that need none.
  const vectors = (async () => {
    const docs = await embedAll(embedder, world.documents.map(indexText), (n) =>
      progress("embedding documents", n),
    );
    const msgs = await embedAll(
      embedder,
      messages.map((m) => m.content),
      (n) => progress("embedding support messages", n),
    );
    return { docs, msgs };
  })();
  vectors.catch(() => {}); // awaited in the transaction

  await sql.begin(async (tx) => {
    const t = tx as unknown as Sql;
    const rows: Record<(typeof WORLD_TABLES)[number], () => Promise<object[]>> = {
      airports: async () => world.airports.map(({ aliases: _a, tz, ...a }) => ({ ...a, timezone: tz })),
      airlines: async () => world.airlines.map((a) => ({ code: a.code, name: a.name })),
      flights: async () => world.flights,
      hotels: async () => world.hotels,
      customers: async () => world.customers,
      knowledge_documents: async () => {
        const { docs } = await vectors;
        return world.documents.map((d, i) => ({ ...d, embedding: docs[i]! }));
      },
      support_conversations: async () =>
        world.conversations.map(({ messages: _m, contact_email: _e, ...c }) => c),
      support_messages: async () => {
        const { msgs } = await vectors;
        return messages.map((m, i) => ({ ...m, embedding: msgs[i]! }));
      },
    };
    const rebuildIndexes = await deferIndexes(t, WORLD_TABLES);
    for (const table of WORLD_TABLES) {
      await insertRows(t, table, await rows[table]());
      progress(`writing ${table}`, 1);
    }
    await rebuildIndexes();
    progress("building indexes", 1);
    await t`INSERT INTO flightly_meta (key, value) VALUES ('seed_anchor', ${world.anchor.toISOString()})`;
  });
  const counts = await countWorld(sql);
  const ms = Math.round(performance.now() - started);
  logger.info({ counts, ms }, "seeded the Flightly world");
  return { seeded: true, counts, ms };
}
