/**
 * Many postgres.js connections on the embedded server at once: plain queries (extended protocol)
 * interleaved with transactions must never cross portals or lose rows. PGlite-only: this is about
 * pglite-socket's one-session multiplexing, which a real server does not have.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../core/logger.js";
import { type EmbeddedPostgres, openEmbeddedPostgres } from "../../memory/db/embedded.js";
import { connectPostgres } from "../../memory/db/index.js";

describe("embedded Postgres under concurrent connections", () => {
  const dir = mkdtempSync(join(tmpdir(), "flightly-conc-"));
  let pg: EmbeddedPostgres;
  let sql: Sql;

  beforeAll(async () => {
    pg = await openEmbeddedPostgres(dir, createLogger({ level: "silent" }));
    sql = connectPostgres(pg.url, { max: 8, onnotice: () => {} });
    await sql`CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)`;
    await sql`INSERT INTO counter VALUES (1, 0)`;
    await sql`CREATE TABLE log (id serial PRIMARY KEY, who int NOT NULL)`;
  });
  afterAll(async () => {
    await sql.end();
    await pg.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps each statement's result with its caller and every transaction whole", async () => {
    const reads = Array.from({ length: 150 }, async (_, i) => {
      const [row] = await sql<{ v: number }[]>`SELECT ${i}::int AS v`;
      return row?.v;
    });
    const writes = Array.from({ length: 60 }, (_, i) =>
      sql.begin(async (tx) => {
        await tx`UPDATE counter SET n = n + 1 WHERE id = 1`;
        await tx`INSERT INTO log (who) VALUES (${i})`;
      }),
    );
    const [values] = await Promise.all([Promise.all(reads), Promise.all(writes)]);
    expect(values).toEqual(Array.from({ length: 150 }, (_, i) => i));
    const [c] = await sql<{ n: number }[]>`SELECT n FROM counter WHERE id = 1`;
    expect(c?.n).toBe(60);
    const [l] = await sql<{ n: number }[]>`SELECT count(DISTINCT who)::int AS n FROM log`;
    expect(l?.n).toBe(60);
  });

  it("recovers from a failing statement without stalling the queue", async () => {
    await expect(sql`SELECT * FROM no_such_table`).rejects.toThrow(/does not exist/);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => sql`SELECT ${i}::int AS v`));
    expect(results.map((r) => r[0]?.v)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
