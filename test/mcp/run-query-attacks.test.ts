/**
 * The run_query attack suite: every statement must come back as a tool error with a clear reason,
 * and afterwards the database must be exactly as before — row counts of every table, relations and
 * functions, the run_query role's grants and attributes, and the shared session (current_user back
 * to the owner, no leaked settings, locks, listeners or cursors) — as seen on the next plain call.
 */
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresMcpServer } from "../../mcp-servers/postgres/server.js";
import { REAL_PG } from "../support/pg.js";
import {
  callTool,
  connectInMemory,
  openTestDatabase,
  silentLogger,
  snapshot,
  type TestDatabase,
} from "./fixtures.js";

const ONE_STATEMENT = /exactly one statement is allowed/;
const PERMISSION = /permission denied for table .*: the run_query role reads only/;

/** [name, sql, the reason the error must give] */
const ATTACKS: ReadonlyArray<readonly [string, string, RegExp]> = [
  // Stacked statements: the reference server's `COMMIT; DROP TABLE …` escape, and comment tricks.
  ["COMMIT; DROP TABLE bypass", "COMMIT; DROP TABLE flights", ONE_STATEMENT],
  ["stacked DROP after a SELECT", "SELECT 1; DROP TABLE flights", ONE_STATEMENT],
  ["stacked DELETE behind a line comment", "SELECT 1; -- harmless\nDELETE FROM flights", ONE_STATEMENT],
  ["stacked DROP between block comments", "SELECT 1 /* ; */ ; DROP TABLE flights /* */", ONE_STATEMENT],
  ["BEGIN; DELETE; COMMIT", "BEGIN; DELETE FROM flights; COMMIT", ONE_STATEMENT],
  ["ROLLBACK to escape the read-only transaction", "ROLLBACK", /transaction command/],
  [
    "a write hidden after a block comment",
    "/* SELECT */ DELETE FROM flights -- trailing",
    /DELETE is not allowed|data-modifying DELETE/,
  ],
  [
    "nested block comments around a write",
    "/* /* nested */ SELECT 1 */ UPDATE flights SET price_cents = 1",
    /data-modifying UPDATE/,
  ],
  // Data-modifying CTEs.
  ["DELETE in a CTE", "WITH d AS (DELETE FROM flights RETURNING *) SELECT * FROM d", /data-modifying DELETE/],
  [
    "UPDATE in a CTE",
    "WITH u AS (UPDATE flights SET price_cents = 1 RETURNING id) SELECT count(*) FROM u",
    /data-modifying UPDATE/,
  ],
  [
    "INSERT in a CTE",
    "WITH i AS (INSERT INTO airlines VALUES ('XX', 'Evil Air') RETURNING *) SELECT * FROM i",
    /data-modifying INSERT/,
  ],
  [
    "a data-modifying CTE inside a subquery",
    "SELECT * FROM (WITH d AS (DELETE FROM hotels RETURNING *) SELECT * FROM d) s",
    /data-modifying DELETE/,
  ],
  [
    "MERGE",
    "MERGE INTO airlines a USING airports p ON false WHEN NOT MATCHED THEN INSERT VALUES ('ZZ', 'Z')",
    /data-modifying MERGE/,
  ],
  // Table creation and row locks.
  ["SELECT … INTO", "SELECT * INTO stolen FROM flights", /SELECT … INTO creates a table/],
  ["FOR UPDATE", "SELECT * FROM flights FOR UPDATE", /row locking/],
  ["FOR SHARE", "SELECT * FROM flights FOR SHARE", /row locking/],
  [
    "FOR NO KEY UPDATE in a subquery",
    "SELECT 1 WHERE 1 = (SELECT 1 FROM flights LIMIT 1 FOR NO KEY UPDATE)",
    /row locking/,
  ],
  // Session state.
  [
    "set_config of the actor id",
    "SELECT set_config('flightly.actor_id', '1', false)",
    /function set_config\(\) is not allowed/,
  ],
  [
    "set_config of the role",
    "SELECT set_config('role', 'postgres', false)",
    /function set_config\(\) is not allowed/,
  ],
  ["SET ROLE", "SET ROLE postgres", /SET ROLE is not allowed/],
  ["RESET ROLE", "RESET ROLE", /RESET ROLE is not allowed/],
  [
    "SET SESSION AUTHORIZATION",
    "SET SESSION AUTHORIZATION postgres",
    /SET SESSION AUTHORIZATION is not allowed/,
  ],
  ["SET statement_timeout", "SET statement_timeout = 0", /SET statement_timeout is not allowed/],
  ["DISCARD ALL", "DISCARD ALL", /DISCARD is not allowed/],
  // Files, programs, large objects, other databases.
  ["COPY … TO PROGRAM", "COPY flights TO PROGRAM 'rm -rf /'", /COPY is not allowed/],
  ["COPY … TO a file", "COPY (SELECT 1) TO '/tmp/flightly-stolen'", /COPY is not allowed/],
  ["pg_read_file", "SELECT pg_read_file('/etc/passwd')", /function pg_read_file\(\) is not allowed/],
  ["lo_import", "SELECT lo_import('/etc/passwd')", /function lo_import\(\) is not allowed/],
  ["lo_export", "SELECT lo_export(1, '/tmp/flightly-stolen')", /function lo_export\(\) is not allowed/],
  [
    "dblink",
    "SELECT * FROM dblink('dbname=postgres', 'DROP TABLE flights') AS t(x text)",
    /function dblink\(\) is not allowed/,
  ],
  [
    "query_to_xml runs SQL text",
    "SELECT query_to_xml('DELETE FROM flights RETURNING 1', true, true, '')",
    /function query_to_xml\(\)/,
  ],
  // Procedural code and prepared statements.
  ["a DO block", "DO $$ BEGIN DELETE FROM flights; END $$", /DO block is not allowed/],
  ["PREPARE", "PREPARE p AS DELETE FROM flights", /PREPARE is not allowed/],
  ["EXECUTE", "EXECUTE p", /EXECUTE is not allowed/],
  ["CALL", "CALL evil()", /CALL is not allowed/],
  ["DECLARE CURSOR", "DECLARE c CURSOR WITH HOLD FOR SELECT * FROM flights", /DECLARE CURSOR is not allowed/],
  // DDL and privileges.
  ["CREATE TABLE", "CREATE TABLE evil (id int)", /CREATE TABLE is not allowed/],
  [
    "CREATE FUNCTION",
    "CREATE FUNCTION evil() RETURNS int LANGUAGE sql AS 'SELECT 1'",
    /CREATE FUNCTION is not allowed/,
  ],
  ["ALTER TABLE", "ALTER TABLE flights ADD COLUMN evil text", /ALTER TABLE is not allowed/],
  ["DROP TABLE", "DROP TABLE flights", /DROP is not allowed/],
  ["TRUNCATE", "TRUNCATE flights", /TRUNCATE is not allowed/],
  ["GRANT", "GRANT SELECT ON customers TO flightly_readonly", /GRANT\/REVOKE is not allowed/],
  ["ALTER ROLE", "ALTER ROLE flightly_readonly SUPERUSER", /ALTER ROLE is not allowed/],
  ["LOCK TABLE", "LOCK TABLE flights IN ACCESS EXCLUSIVE MODE", /LOCK is not allowed/],
  ["VACUUM", "VACUUM flights", /VACUUM\/ANALYZE is not allowed/],
  // Notifications, locks and sequences.
  ["LISTEN", "LISTEN evil", /LISTEN is not allowed/],
  ["NOTIFY", "NOTIFY evil, 'payload'", /NOTIFY is not allowed/],
  ["pg_notify", "SELECT pg_notify('evil', 'payload')", /function pg_notify\(\)/],
  ["pg_advisory_lock", "SELECT pg_advisory_lock(7318001)", /function pg_advisory_lock\(\) is not allowed/],
  ["pg_try_advisory_lock", "SELECT pg_try_advisory_lock(42)", /function pg_try_advisory_lock\(\)/],
  ["nextval", "SELECT nextval('bookings_id_seq')", /function nextval\(\) is not allowed/],
  ["setval", "SELECT setval('bookings_id_seq', 1)", /function setval\(\) is not allowed/],
  ["txid_current", "SELECT txid_current()", /function txid_current\(\)/],
  // EXPLAIN that executes.
  ["EXPLAIN ANALYZE DELETE", "EXPLAIN ANALYZE DELETE FROM flights", /EXPLAIN ANALYZE executes/],
  [
    "EXPLAIN (ANALYZE) of a SELECT",
    "EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM flights",
    /EXPLAIN ANALYZE executes/,
  ],
  ["EXPLAIN of a DELETE", "EXPLAIN DELETE FROM flights", /EXPLAIN of DELETE is not allowed/],
  // Time and work: refused before they run (PGlite ignores statement_timeout and cancel requests).
  ["pg_sleep beyond the timeout", "SELECT pg_sleep(10)", /function pg_sleep\(\) is not allowed/],
  ["pg_catalog.pg_sleep", "SELECT pg_catalog.pg_sleep(10)", /function pg_catalog\.pg_sleep\(\)/],
  [
    "an unbounded recursive CTE",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
    // Refused outright on PGlite (it ignores statement_timeout); a real server's timeout cancels it.
    REAL_PG ? /ran past the 300 ms statement timeout/ : /WITH RECURSIVE is disabled/,
  ],
  [
    "a huge aggregate over generate_series",
    "SELECT count(*) FROM generate_series(1, 100000000)",
    /estimates this query at cost \d+, over the limit/,
  ],
  [
    "a huge cross join",
    "SELECT count(*) FROM generate_series(1, 100000) a, generate_series(1, 100000) b",
    /over the limit/,
  ],
  [
    "a set-returning function in FROM hidden under LIMIT",
    "SELECT * FROM generate_series(1, 100000000) g LIMIT 5",
    /set-returning function in FROM/,
  ],
  ["repeat() to exhaust memory", "SELECT repeat('x', 500000000)", /function repeat\(\) is not allowed/],
  [
    "pg_terminate_backend",
    "SELECT pg_terminate_backend(pg_backend_pid())",
    /function pg_terminate_backend\(\)/,
  ],
  // Private tables: the guard lets them parse; the role refuses them.
  ["reading customers", "SELECT * FROM customers", PERMISSION],
  ["reading payments", "SELECT card_last4 FROM payments", PERMISSION],
  ["reading memories", "SELECT content FROM memories", PERMISSION],
  ["reading bookings through TABLE", "TABLE bookings", PERMISSION],
  ["reading customers in a subquery", "SELECT (SELECT email FROM customers LIMIT 1) AS e", PERMISSION],
  ["reading customers through EXPLAIN", "EXPLAIN SELECT * FROM customers", PERMISSION],
  // System catalogs.
  ["pg_authid", "SELECT rolname, rolpassword FROM pg_authid", /system catalog pg_authid/],
  ["pg_catalog.pg_roles", "SELECT * FROM pg_catalog.pg_roles", /schema pg_catalog is not readable/],
  ["pg_stat_activity", "SELECT query FROM pg_stat_activity", /system catalog pg_stat_activity/],
  ["parameters", "SELECT * FROM flights WHERE id = $1", /parameters/],
];

describe("run_query attack suite", () => {
  let db: TestDatabase;
  let client: Client;
  let before: Record<string, unknown>;

  beforeAll(async () => {
    db = await openTestDatabase();
    client = await connectInMemory(
      createPostgresMcpServer({
        sql: db.sql,
        embedded: !db.real,
        logger: silentLogger,
        statementTimeoutMs: 300,
      }),
    );
    before = await snapshot(db.sql);
    expect(before).toMatchObject({ session: { current_user: "postgres", session_user: "postgres" } });
  });
  afterAll(async () => {
    await client?.close();
    await db?.close();
  });

  it(`has at least 40 attacks (${ATTACKS.length})`, () => {
    expect(ATTACKS.length).toBeGreaterThanOrEqual(40);
  });

  it.each(ATTACKS)("%s: refused, database unchanged", async (_name, sql, reason) => {
    const result = await callTool(client, "run_query", { sql });
    expect(result.isError, result.text).toBe(true);
    expect(result.text).toMatch(reason);
    expect(result.text).not.toMatch(/\n\s+at /); // never a stack trace
    expect(await snapshot(db.sql)).toEqual(before);
  });

  it("a set_config attempt leaves nothing behind for the next call", async () => {
    const attempt = await callTool(client, "run_query", {
      sql: "SELECT set_config('flightly.actor_id', '1', false)",
    });
    expect(attempt.isError).toBe(true);
    const next = await callTool(client, "run_query", {
      sql: "SELECT current_setting('flightly.actor_id', true) AS actor, current_user AS who",
    });
    expect(next.isError, next.text).toBeFalsy();
    const [row] = (next.structuredContent as { rows: Array<{ actor: string | null; who: string }> }).rows;
    expect(row?.actor ?? "").toBe("");
    expect(row?.who).toBe("flightly_readonly");
    expect(await snapshot(db.sql)).toEqual(before);
  });

  it("a huge generate_series in the select list is capped by max_rows and reports truncation", async () => {
    const result = await callTool(client, "run_query", {
      sql: "SELECT generate_series(1, 1000000000) AS n",
      max_rows: 5,
    });
    expect(result.isError, result.text).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      rows: [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }],
      row_count: 5,
      truncated: true,
      truncated_by: "max_rows",
      max_rows: 5,
    });
    expect(await snapshot(db.sql)).toEqual(before);
  });
});
