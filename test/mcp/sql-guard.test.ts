/** The parser guard on its own: what it lets through, what it refuses and why (no database). */
import { beforeAll, describe, expect, it } from "vitest";
import { createSqlGuard, type SqlGuard } from "../../mcp-servers/postgres/guard.js";

let guard: SqlGuard;
let embedded: SqlGuard;

beforeAll(async () => {
  guard = await createSqlGuard({ allowRecursive: true });
  embedded = await createSqlGuard({ allowRecursive: false });
});

describe("SQL guard: allowed reads", () => {
  it.each([
    ["a plain SELECT", "SELECT iata, city FROM airports WHERE country = 'US' ORDER BY city"],
    [
      "WITH … SELECT",
      "WITH cheap AS (SELECT * FROM flights WHERE price_cents < 30000) SELECT count(*) FROM cheap",
    ],
    ["VALUES", "VALUES (1, 'a'), (2, 'b')"],
    ["TABLE", "TABLE airlines"],
    ["EXPLAIN", "EXPLAIN SELECT * FROM flights"],
    ["EXPLAIN with options", "EXPLAIN (FORMAT JSON, VERBOSE, COSTS OFF) SELECT 1"],
    [
      "joins, subqueries, window functions",
      "SELECT f.id, rank() OVER (PARTITION BY f.origin ORDER BY f.price_cents) FROM flights f JOIN airports a ON a.iata = f.origin WHERE f.id IN (SELECT id FROM flights)",
    ],
    [
      "SQL-syntax functions",
      "SELECT substring(city from 1 for 3), position('a' in city), extract(year from now()), trim(name) FROM airports",
    ],
    ["information_schema", "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"],
    [
      "pgvector distance",
      "SELECT slug FROM knowledge_documents ORDER BY embedding <=> '[1,0,0,0,0,0,0,0]' LIMIT 3",
    ],
    [
      "pgvector function, qualified",
      "SELECT public.cosine_distance(embedding, embedding) FROM knowledge_documents",
    ],
    ["current_setting", "SELECT current_setting('flightly.actor_id', true)"],
    ["a comment that looks like a second statement", "SELECT 1 -- ; DROP TABLE flights"],
    ["a dollar-quoted string that looks like a statement", "SELECT $$; DROP TABLE flights; $$ AS text"],
    ["a trailing semicolon", "SELECT 1;"],
  ])("%s", (_name, sql) => {
    const verdict = guard.check(sql);
    expect(verdict, JSON.stringify(verdict)).toMatchObject({ ok: true });
  });

  it("returns the statement without its trailing semicolon, with non-ASCII text intact", () => {
    expect(guard.check("  SELECT 'Zürich' AS city ;  ")).toEqual({
      ok: true,
      kind: "select",
      statement: "SELECT 'Zürich' AS city",
    });
    expect(guard.check("EXPLAIN SELECT 1")).toMatchObject({ ok: true, kind: "explain" });
  });

  it("wraps a statement with a row limit that survives a trailing comment", () => {
    const wrapped = guard.withRowLimit("SELECT 1 -- comment", 101);
    expect(wrapped).toBe("SELECT * FROM (\nSELECT 1 -- comment\n) AS run_query_result LIMIT 101");
    expect(guard.check(wrapped!)).toMatchObject({ ok: true, kind: "select" });
  });
});

describe("SQL guard: refusals name the reason", () => {
  it.each([
    ["stacked statements", "SELECT 1; SELECT 2", /exactly one statement.*found 2/],
    ["an empty query", "  -- nothing\n", /empty/],
    ["a syntax error", "SELEC 1", /SQL syntax error: syntax error at or near "SELEC"/],
    [
      "a data-modifying CTE",
      "WITH d AS (DELETE FROM flights RETURNING *) SELECT * FROM d",
      /data-modifying DELETE/,
    ],
    [
      "a CTE inside a UNION arm",
      "SELECT 1 UNION SELECT * FROM (WITH u AS (UPDATE flights SET price_cents = 1 RETURNING 1) SELECT * FROM u) s",
      /data-modifying UPDATE/,
    ],
    ["SELECT INTO", "SELECT * INTO stolen FROM flights", /SELECT … INTO creates a table/],
    ["SELECT INTO inside a UNION arm", "SELECT 1 UNION (SELECT 2 INTO t)", /INTO creates a table/],
    ["FOR UPDATE in a subquery", "SELECT * FROM (SELECT * FROM flights FOR UPDATE) s", /row locking/],
    ["a disallowed function", "SELECT pg_sleep(1)", /function pg_sleep\(\) is not allowed/],
    [
      "a schema-qualified disallowed function",
      "SELECT pg_catalog.set_config('a.b', 'c', false)",
      /function pg_catalog\.set_config\(\)/,
    ],
    ["a function in another schema", "SELECT evil.count(1)", /function evil\.count\(\)/],
    ["a quoted function name", 'SELECT "PG_SLEEP"(1)', /function PG_SLEEP\(\)/],
    ["a system catalog", "SELECT * FROM pg_authid", /system catalog pg_authid/],
    ["the pg_catalog schema", "SELECT * FROM pg_catalog.pg_class", /schema pg_catalog is not readable/],
    ["a cross-database reference", "SELECT * FROM otherdb.public.flights", /cross-database/],
    ["parameters", "SELECT * FROM flights WHERE id = $1", /parameters/],
    ["EXPLAIN ANALYZE", "EXPLAIN ANALYZE SELECT 1", /EXPLAIN ANALYZE executes/],
    ["EXPLAIN (ANALYZE false)", "EXPLAIN (ANALYZE false) SELECT 1", /EXPLAIN ANALYZE executes/],
    ["EXPLAIN of a write", "EXPLAIN DELETE FROM flights", /EXPLAIN of DELETE/],
    ["EXPLAIN of a read that calls a disallowed function", "EXPLAIN SELECT pg_sleep(1)", /pg_sleep/],
    ["SET ROLE", "SET ROLE postgres", /SET ROLE is not allowed/],
    ["RESET ROLE", "RESET ROLE", /RESET ROLE is not allowed/],
    [
      "SET SESSION AUTHORIZATION",
      "SET SESSION AUTHORIZATION postgres",
      /SET SESSION AUTHORIZATION is not allowed/,
    ],
    ["a transaction command", "COMMIT", /transaction command/],
  ])("%s", (_name, sql, reason) => {
    const verdict = guard.check(sql);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toMatch(reason);
  });

  it("refuses WITH RECURSIVE where the database cannot enforce a timeout", () => {
    const sql = "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT n FROM r LIMIT 3";
    expect(guard.check(sql)).toMatchObject({ ok: true });
    expect(embedded.check(sql)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/WITH RECURSIVE is disabled/),
    });
  });

  it("survives a deeply nested statement", () => {
    const sql = `SELECT ${"(".repeat(500)}1${")".repeat(500)}`;
    expect(() => guard.check(sql)).not.toThrow();
  });
});
