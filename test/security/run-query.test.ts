/**
 * Issue 13, findings 1, 3 and 4 (and the cost bounds of 2) against run_query: the report's payloads
 * as written, then the same attacks in other syntax. Each runs on PGlite and, with
 * TEST_DATABASE_URL set, on the real server.
 */

import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { describeQueryError, executeReadOnly } from "../../mcp-servers/postgres/executor.js";
import { functionsInExpression } from "../../mcp-servers/postgres/plan.js";
import { createPostgresMcpServer } from "../../mcp-servers/postgres/server.js";
import {
  callTool,
  connectInMemory,
  openTestDatabase,
  silentLogger,
  snapshot,
  type TestDatabase,
} from "../mcp/fixtures.js";

let db: TestDatabase;
let client: Client;
let before: Record<string, unknown>;

beforeAll(async () => {
  db = await openTestDatabase("sec_rq");
  client = await connectInMemory(
    createPostgresMcpServer({
      sql: db.sql,
      embedded: !db.real,
      logger: silentLogger,
      statementTimeoutMs: 2_000,
    }),
  );
  before = await snapshot(db.sql);
});
afterAll(async () => {
  await client?.close();
  await db?.close();
});

const run = (sql: string) => callTool(client, "run_query", { sql });

const advisoryLocks = async (): Promise<number> => {
  const [row] = await db.sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`;
  return row?.n ?? -1;
};

describe("finding 1: functions are checked on what Postgres resolves, whatever the syntax", () => {
  it.each([
    [
      "pg_sleep by attribute notation",
      "SELECT (x).pg_sleep FROM (SELECT 12::float8 AS x) s",
      "pg_sleep",
      "sleeps",
    ],
    [
      "pg_advisory_lock",
      "SELECT (x).pg_advisory_lock FROM (SELECT 7::bigint AS x) s",
      "pg_advisory_lock",
      "takes locks",
    ],
    ["setseed", "SELECT (x).setseed FROM (SELECT 0.5::float8 AS x) s", "setseed", "changes settings"],
    [
      "pg_terminate_backend",
      "SELECT (x).pg_terminate_backend FROM (SELECT 2147483647 AS x) s",
      "pg_terminate_backend",
      "signals other sessions",
    ],
    [
      "ts_stat running SQL text",
      "SELECT (x).ts_stat FROM (SELECT 'SELECT to_tsvector(rolname) FROM pg_roles' AS x) s",
      "ts_stat",
      "runs SQL text",
    ],
  ])(
    "the report's %s is refused before it runs",
    async (_name, sql, fn, why) => {
      const started = performance.now();
      const result = await run(sql);
      expect(result.isError, result.text).toBe(true);
      // The plan check, or before it the revoked EXECUTE that EXPLAIN already meets.
      expect(result.text).toMatch(
        new RegExp(`function ${fn}\\(\\) ${why}|permission denied for function ${fn}\\b`),
      );
      expect(performance.now() - started).toBeLessThan(5_000);
      expect(await snapshot(db.sql)).toEqual(before);
      // The plan check alone, for a role that may execute everything (a superuser owner login).
      await expect(
        executeReadOnly({ sql: db.sql, role: undefined }, sql, { statementTimeoutMs: 1_000 }),
      ).rejects.toThrow(new RegExp(`function ${fn}\\(\\) ${why}.* never allowed .*found in the query plan`));
      expect(await advisoryLocks()).toBe(0);
    },
    30_000,
  );

  it.each([
    ["in a CTE", "WITH c AS (SELECT (x).pg_sleep AS z FROM (SELECT 3::float8 AS x) s) SELECT * FROM c"],
    [
      "in LATERAL",
      "SELECT * FROM airports a, LATERAL (SELECT (x).pg_sleep FROM (SELECT 3::float8 AS x) s) l",
    ],
    ["in VALUES", "SELECT * FROM (VALUES ((3::float8).pg_sleep)) v(z)"],
    ["in WHERE", "SELECT 1 FROM (SELECT 5::bigint AS k) s WHERE (k).pg_try_advisory_lock"],
    ["in ORDER BY", "SELECT iata FROM airports ORDER BY (1::bigint).pg_try_advisory_lock_shared"],
    ["in a scalar subquery", "SELECT (SELECT (k).pg_advisory_xact_lock FROM (SELECT 5::bigint AS k) s)"],
    ["in a HAVING", "SELECT count(*) FROM airports HAVING (count(*)::float8 / 100).pg_sleep IS NOT NULL"],
    ["on a table column", "SELECT (stars::float8).pg_sleep FROM hotels"],
    ["in EXPLAIN", "EXPLAIN SELECT (x).ts_stat FROM (SELECT 'SELECT 1' AS x) s"],
  ])("attribute notation %s is refused", async (_name, sql) => {
    const result = await run(sql);
    expect(result.isError, result.text).toBe(true);
    expect(result.text).toMatch(
      /(function|permission denied for function) (pg_sleep|pg_try_advisory_lock|pg_try_advisory_lock_shared|pg_advisory_xact_lock|ts_stat)\b/,
    );
    expect(await advisoryLocks()).toBe(0);
    expect(await snapshot(db.sql)).toEqual(before);
  });

  it("ordinary queries still work: joins, aggregates, dates, ILIKE, ORDER BY, LIMIT, CTEs", async () => {
    const ok = await run(`
      WITH busy AS (SELECT origin, count(*) AS n, min(price_cents) AS low FROM flights GROUP BY origin)
      SELECT a.city, b.n::int, round(b.low / 100.0, 2)::float8 AS usd, date_trunc('day', now()) <= now() AS today,
             extract(year FROM now())::int >= 2024 AS recent, (a.city).upper AS shout, 'pg_sleep(1)' AS note
        FROM busy b JOIN airports a ON a.iata = b.origin
       WHERE a.name ILIKE '%international%' ORDER BY a.city LIMIT 2`);
    expect(ok.isError, ok.text).toBeFalsy();
    expect((ok.structuredContent as { rows: unknown[] }).rows).toEqual([
      { city: "Honolulu", n: 1, usd: 309, today: true, recent: true, shout: "HONOLULU", note: "pg_sleep(1)" },
      {
        city: "Los Angeles",
        n: 1,
        usd: 319,
        today: true,
        recent: true,
        shout: "LOS ANGELES",
        note: "pg_sleep(1)",
      },
    ]);
  });

  it("reads calls out of deparsed plan expressions, not out of literals or type names", () => {
    expect(
      functionsInExpression(
        `pg_sleep('12'::double precision), 'x(y'::text, (x)::numeric(10,2), "Evil"(1), public.l2_distance(a, b), EXTRACT(year FROM now()), '1'::timestamp(0) with time zone`,
      ),
    ).toEqual([
      { schema: undefined, name: "pg_sleep" },
      { schema: undefined, name: "Evil" },
      { schema: "public", name: "l2_distance" },
      { schema: undefined, name: "now" },
    ]);
  });
});

describe("finding 2's cost bounds: allowed functions cannot be made unbounded", () => {
  it.each([
    [
      "a series sized by a subquery",
      "SELECT count(*) FROM generate_series(1, (SELECT 25000000))",
      /generate_series takes number literals/,
    ],
    [
      "a series sized by a column",
      "SELECT count(*) FROM flights f, generate_series(1, f.seats * 100000) g",
      /generate_series takes number literals/,
    ],
    ["a huge format width", "SELECT format('%600000000s','x')", /format\(\) with a width of 600000000/],
    ["a width from an argument", "SELECT format('%*s', 600000000, 'x')", /width taken from an argument/],
    [
      "nested replace growth",
      "SELECT length(replace(replace(replace('xxxxxxxx', 'x', 'xxxxxxxx'), 'x', 'xxxxxxxx'), 'x', 'xxxxxxxx'))",
      /grow a value more than 64-fold/,
    ],
    ["regexp back-references", "SELECT regexp_replace('abc', '.*', '\\&\\&\\&\\&', 'g')", /back-references/],
    [
      "a huge constant series in FROM",
      "SELECT count(*) FROM generate_series(1, 100000000)",
      /over the limit/,
    ],
  ])("%s is refused", async (_name, sql, reason) => {
    const result = await run(sql);
    expect(result.isError, result.text).toBe(true);
    expect(result.text).toMatch(reason);
  });

  it("bounded uses still work", async () => {
    const ok = await run(
      "SELECT format('%-6s|%s', 'ab', n) AS f, replace('a-b', '-', '+') AS r, regexp_replace('a  b', '\\s+', ' ') AS s FROM generate_series(1, 2) n",
    );
    expect(ok.isError, ok.text).toBeFalsy();
    expect((ok.structuredContent as { rows: unknown[] }).rows).toEqual([
      { f: "ab    |1", r: "a+b", s: "a b" },
      { f: "ab    |2", r: "a+b", s: "a b" },
    ]);
  });
});

describe("finding 3: no lock outlives a call, and exhaustion answers retryable", () => {
  it("the report's 20,000 advisory locks are refused and none is held", async () => {
    const result = await run("SELECT count((g).pg_advisory_lock) FROM generate_series(1, 20000) g");
    expect(result.isError, result.text).toBe(true);
    expect(result.text).toMatch(
      /pg_advisory_lock\(\) takes locks|permission denied for function pg_advisory_lock\b/,
    );
    expect(await advisoryLocks()).toBe(0);
    const next = await run("SELECT count(*)::int AS n FROM flights");
    expect((next.structuredContent as { rows: unknown[] }).rows).toEqual([{ n: 3 }]);
  });

  it("the connection is reset after every call: session locks a call took are released", async () => {
    // The owner's connection with the plan check off stands in for a lock that got through.
    const owner = { sql: db.sql, role: undefined };
    const opts = { statementTimeoutMs: 1_000, checkPlan: false };
    await executeReadOnly(owner, "SELECT pg_advisory_lock(g) FROM generate_series(1, 50) g", opts);
    await executeReadOnly(owner, "SELECT pg_advisory_lock_shared(7)", opts);
    expect(await advisoryLocks()).toBe(0);
  });

  it("lock and resource exhaustion read as retryable", () => {
    const pg = (code: string, message: string) =>
      Object.assign(new Error(message), { name: "PostgresError", code });
    for (const [code, message] of [
      ["53200", "out of shared memory"],
      ["53300", "too many connections for role"],
      ["55P03", "canceling statement due to lock timeout"],
      ["57014", "canceling statement due to statement timeout"],
    ] as const) {
      expect(describeQueryError(pg(code, message), 500)).toMatch(/retryable: try again in \d+ s$/);
    }
    expect(describeQueryError(pg("42703", "column x does not exist"), 500)).not.toMatch(/retryable/);
  });

  it.runIf(process.env.TEST_DATABASE_URL)(
    "a table locked by another session answers retryable, then recovers",
    async () => {
      const locker = postgres(db.url, { max: 1, onnotice: () => {} });
      try {
        const held = locker.begin(async (tx) => {
          await tx`LOCK TABLE flights IN ACCESS EXCLUSIVE MODE`;
          const blocked = await run("SELECT count(*) FROM flights");
          expect(blocked.isError).toBe(true);
          expect(blocked.text).toMatch(/retryable: try again in \d+ s/);
        });
        await held;
        const after = await run("SELECT count(*)::int AS n FROM flights");
        expect((after.structuredContent as { rows: unknown[] }).rows).toEqual([{ n: 3 }]);
      } finally {
        await locker.end();
      }
    },
  );
});

const migration = (): string =>
  readFileSync(new URL("../../memory/db/migrations/0008_readonly_limits.sql", import.meta.url), "utf8");

describe("finding 4: the read-only role is bounded by the database itself", () => {
  it("run_query runs as flightly_readonly in a READ ONLY transaction", async () => {
    const result = await run(
      "SELECT current_user::text AS who, current_setting('transaction_read_only') AS ro, current_setting('work_mem') AS mem",
    );
    expect((result.structuredContent as { rows: unknown[] }).rows).toEqual([
      { who: "flightly_readonly", ro: "on", mem: "4MB" },
    ]);
  });

  it.each([
    ["pg_sleep(double precision)"],
    ["pg_advisory_lock(bigint)"],
    ["set_config(text,text,boolean)"],
    ["ts_stat(text)"],
    ["query_to_xml(text,boolean,boolean,text)"],
  ])("EXECUTE on %s is revoked from the role", async (fn) => {
    const [row] = await db.sql`SELECT has_function_privilege('flightly_readonly', ${fn}, 'EXECUTE') AS can`;
    expect(row?.can).toBe(false);
  });

  it("the role may not create temporary tables", async () => {
    const [row] =
      await db.sql`SELECT has_database_privilege('flightly_readonly', current_database(), 'TEMP') AS can`;
    expect(row?.can).toBe(false);
  });

  it.runIf(process.env.TEST_DATABASE_URL)(
    "a login with the migration's limits has its own timeout and connection limit and cannot change settings",
    async () => {
      const login = `${inject("pgRunPrefix")}_ro_${randomBytes(3).toString("hex")}`;
      await db.sql.unsafe(`CREATE ROLE ${login} LOGIN IN ROLE flightly_readonly`);
      for (const line of migration().match(/^\s*ALTER ROLE flightly_readonly .*;$/gm) ?? []) {
        await db.sql.unsafe(line.replace("flightly_readonly", login));
      }
      const url = new URL(db.url);
      url.username = login;
      const ro = postgres(url.toString(), { max: 1, onnotice: () => {} });
      const extra: postgres.Sql[] = [];
      try {
        const [limits] =
          await ro`SELECT current_setting('statement_timeout') AS t, current_setting('lock_timeout') AS l`;
        expect(limits).toEqual({ t: "5s", l: "1s" });
        for (const sql of [
          "SELECT set_config('statement_timeout', '0', false)",
          "SELECT pg_sleep(0)",
          "SELECT pg_advisory_lock(1)",
          "CREATE TEMP TABLE stolen (x int)",
        ]) {
          await expect(ro.unsafe(sql), sql).rejects.toMatchObject({
            code: expect.stringMatching(/^(42501|25006)$/),
          });
        }
        // Connection limit 8: one more login than that is refused, and run_query says retry.
        for (let i = 0; i < 7; i++) {
          const c = postgres(url.toString(), { max: 1, onnotice: () => {} });
          extra.push(c);
          await c`SELECT 1`;
        }
        const over = postgres(url.toString(), { max: 1, onnotice: () => {} });
        extra.push(over);
        const c2 = await connectInMemory(
          createPostgresMcpServer({ sql: db.sql, readonlySql: over, logger: silentLogger }),
        );
        const refused = await callTool(c2, "run_query", { sql: "SELECT 1" });
        expect(refused.text).toMatch(/53300.*retryable|retryable.*53300|too many connections.*retryable/);
        await c2.close();
      } finally {
        await Promise.all([ro, ...extra].map((c) => c.end({ timeout: 1 })));
        await db.sql.unsafe(`DROP ROLE IF EXISTS ${login}`);
      }
    },
  );
});
