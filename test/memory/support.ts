/** Shared set-up for the memory suites: a fresh migrated database (PGlite, or the real-PG lane's), the stores. */
import type { Sql } from "postgres";
import { loadConfig } from "../../core/config.js";
import { connectPostgres } from "../../memory/db/index.js";
import { migrate } from "../../memory/db/migrate.js";
import { createEmbedder } from "../../memory/embeddings/index.js";
import type { Embedder } from "../../memory/embeddings/types.js";
import { LongTermMemory } from "../../memory/long-term/memories.js";
import { openTestPostgres } from "../support/pg.js";

export interface TestDatabase {
  sql: Sql;
  memory: LongTermMemory;
  embedder: Embedder;
  close(): Promise<void>;
}

/** The embedder the memory suites use: the shipped local embedder (offline, deterministic). */
export function testEmbedder(): Embedder {
  return createEmbedder(loadConfig({ EMBEDDINGS_PROVIDER: "local" }));
}

export async function openTestDatabase(embedder: Embedder = testEmbedder()): Promise<TestDatabase> {
  const pg = await openTestPostgres({ label: "memory" });
  const sql = connectPostgres(pg.url, { max: 4, onnotice: () => {}, transform: { undefined: null } });
  await migrate(sql, { modelId: embedder.modelId, dimensions: embedder.dimensions });
  return {
    sql,
    memory: new LongTermMemory(sql, embedder),
    embedder,
    close: async () => {
      await sql.end({ timeout: 5 });
      await pg.close();
    },
  };
}

/** Inserts `n` memories with random unit vectors for one actor, in one `INSERT ... SELECT`. */
export async function insertRandomMemories(
  sql: Sql,
  options: { actorId: string; namespace: string; kind: string; n: number; dimensions: number },
): Promise<void> {
  await sql`
    INSERT INTO memories (actor_id, namespace, kind, content, embedding)
    SELECT ${options.actorId}, ${options.namespace}, ${options.kind}, 'random memory ' || g,
           l2_normalize((SELECT array_agg(random() - 0.5) FROM generate_series(1, ${options.dimensions}) d
                         WHERE g > 0)::vector)
    FROM generate_series(1, ${options.n}) g`;
}
