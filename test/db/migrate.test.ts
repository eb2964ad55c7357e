import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectPostgres } from "../../memory/db/index.js";
import { migrate } from "../../memory/db/migrate.js";
import { openTestPostgres, type TestPostgres } from "../support/pg.js";

describe("migrations on PostgreSQL + pgvector (embedded PGlite, or TEST_DATABASE_URL's server)", () => {
  let pg: TestPostgres;
  let sql: Sql;

  beforeAll(async () => {
    pg = await openTestPostgres({ label: "migrate" });
    sql = connectPostgres(pg.url, { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
    await pg?.close();
  });

  it("applies every migration once, and a second run applies nothing", async () => {
    const first = await migrate(sql, { modelId: "test-embedder", dimensions: 8 });
    expect(first.applied.length).toBeGreaterThanOrEqual(3);
    expect(first.current).toBe(first.applied.length);
    const second = await migrate(sql, { modelId: "test-embedder", dimensions: 8 });
    expect(second.applied).toEqual([]);
    expect(second.current).toBe(first.current);
    const [row] = await sql`SELECT count(*)::int AS n FROM flightly_migrations`;
    expect(row?.n).toBe(first.current);
  });

  it("a changed checksum is still refused when the database otherwise looks current", async () => {
    const [before] = await sql<
      { checksum: string }[]
    >`SELECT checksum FROM flightly_migrations WHERE version = 1`;
    await sql`UPDATE flightly_migrations SET checksum = 'edited' WHERE version = 1`;
    try {
      await expect(migrate(sql, { modelId: "test-embedder", dimensions: 8 })).rejects.toMatchObject({
        code: "CONFIG_INVALID",
        message: expect.stringContaining("changed after it was applied"),
      });
    } finally {
      await sql`UPDATE flightly_migrations SET checksum = ${before!.checksum} WHERE version = 1`;
    }
    const again = await migrate(sql, { modelId: "test-embedder", dimensions: 8 });
    const [instance] = await sql<
      { value: string }[]
    >`SELECT value FROM flightly_meta WHERE key = 'instance_id'`;
    expect(again).toMatchObject({ applied: [], instanceId: instance!.value });
  });

  it("sizes vector columns from the embedder and builds HNSW cosine indexes", async () => {
    const cols = await sql`SELECT format_type(atttypid, atttypmod) AS t FROM pg_attribute
      WHERE attrelid = 'memories'::regclass AND attname = 'embedding'`;
    expect(cols[0]?.t).toBe("vector(8)");
    const idx = await sql`SELECT indexdef FROM pg_indexes WHERE indexname = 'memories_embedding'`;
    expect(idx[0]?.indexdef).toMatch(/USING hnsw \(embedding vector_cosine_ops\)/);
  });

  it("refuses a different embedder with a clear message", async () => {
    await expect(migrate(sql, { modelId: "other-embedder", dimensions: 1024 })).rejects.toMatchObject({
      code: "EMBEDDER_MISMATCH",
      message: expect.stringContaining("test-embedder (8 dimensions)"),
    });
  });

  it("gives the run_query role catalogue tables only", async () => {
    const grants = await sql<
      { table_name: string }[]
    >`SELECT table_name FROM information_schema.role_table_grants
      WHERE grantee = 'flightly_readonly' AND privilege_type = 'SELECT' ORDER BY table_name`;
    expect(grants.map((g) => g.table_name)).toEqual([
      "airlines",
      "airports",
      "flights",
      "hotels",
      "knowledge_documents",
    ]);
  });
});
