/**
 * flightly-postgres through the official SDK client (in-memory transport), and each execution
 * layer of run_query proven on its own with the parser guard bypassed.
 */

import { randomBytes } from "node:crypto";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  describeQueryError,
  executeReadOnly,
  type ReadOnlyTarget,
} from "../../mcp-servers/postgres/executor.js";
import { createPostgresMcpServer } from "../../mcp-servers/postgres/server.js";
import { connectPostgres } from "../../memory/db/index.js";
import {
  callTool,
  connectInMemory,
  openTestDatabase,
  silentLogger,
  snapshot,
  type TestDatabase,
} from "./fixtures.js";

let db: TestDatabase;
let client: Client;
let target: ReadOnlyTarget;

beforeAll(async () => {
  db = await openTestDatabase();
  target = { sql: db.sql, role: "flightly_readonly" };
  client = await connectInMemory(
    createPostgresMcpServer({
      sql: db.sql,
      embedded: !db.real,
      logger: silentLogger,
      statementTimeoutMs: 1_500,
    }),
  );
});
afterAll(async () => {
  await client?.close();
  await db?.close();
});

describe("flightly-postgres tools", () => {
  it("lists run_query, get_table_schema and list_tables, annotated read-only", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["get_table_schema", "list_tables", "run_query"]);
    for (const tool of tools) {
      expect(tool.annotations).toMatchObject({
        readOnlyHint: true,
        destructiveHint: false,
        openWorldHint: false,
      });
      expect(tool.outputSchema?.type).toBe("object");
    }
    const runQuery = tools.find((t) => t.name === "run_query");
    expect(runQuery?.inputSchema.required).toEqual(["sql"]);
    expect(Object.keys(runQuery?.inputSchema.properties ?? {})).toEqual([
      "sql",
      "max_rows",
      "include_vectors",
    ]);
  });

  it("list_tables shows exactly what the run_query role can read", async () => {
    const result = await callTool(client, "list_tables", {});
    expect(result.isError).toBeFalsy();
    const tables = (
      result.structuredContent as { tables: Array<{ name: string; kind: string; column_count: number }> }
    ).tables;
    expect(tables.map((t) => t.name)).toEqual([
      "airlines",
      "airports",
      "flights",
      "hotels",
      "knowledge_documents",
    ]);
    expect(tables.find((t) => t.name === "flights")).toMatchObject({ kind: "table", column_count: 10 });
    expect(result.json).toEqual(result.structuredContent);
  });

  it("get_table_schema gives columns, types, nullability, keys and indexes", async () => {
    const result = await callTool(client, "get_table_schema", { table: "public.flights" });
    expect(result.isError, result.text).toBeFalsy();
    const schema = result.structuredContent as Record<string, unknown>;
    expect(schema.table).toBe("public.flights");
    expect(schema.columns).toContainEqual({
      name: "origin",
      type: "character(3)",
      nullable: false,
      default: null,
      description: "Departure airport (airports.iata).",
    });
    expect(schema.primary_key).toEqual(["id"]);
    expect(schema.foreign_keys).toContainEqual({
      name: "flights_origin_fkey",
      columns: ["origin"],
      references: { table: "public.airports", columns: ["iata"] },
    });
    expect(schema.check_constraints).toContainEqual(
      expect.objectContaining({ definition: "CHECK ((price_cents > 0))" }),
    );
    expect(schema.indexes).toContainEqual(
      expect.objectContaining({ name: "flights_route_time", method: "btree", unique: false, primary: false }),
    );
    const docs = await callTool(client, "get_table_schema", { table: "knowledge_documents" });
    expect(
      (docs.structuredContent as { columns: Array<{ name: string; type: string; default: string | null }> })
        .columns,
    ).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "embedding", type: "vector(8)" }),
        expect.objectContaining({ name: "id", default: "nextval('knowledge_documents_id_seq'::regclass)" }),
      ]),
    );
  });

  it("get_table_schema refuses tables the role cannot read, and bad names", async () => {
    const hidden = await callTool(client, "get_table_schema", { table: "customers" });
    expect(hidden.isError).toBe(true);
    expect(hidden.text).toMatch(/customers does not exist or is not readable through run_query/);
    const missing = await callTool(client, "get_table_schema", { table: "nope" });
    expect(missing.isError).toBe(true);
    const bad = await callTool(client, "get_table_schema", { table: "flights; DROP TABLE flights" });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/expected a table name/);
  });

  it("run_query returns columns, JSON rows and structured content", async () => {
    const result = await callTool(client, "run_query", {
      sql: "SELECT id, flight_number, origin, price_cents, depart_at > now() AS future FROM flights ORDER BY id",
    });
    expect(result.isError, result.text).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      columns: [
        { name: "id", type: "bigint" },
        { name: "flight_number", type: "text" },
        { name: "origin", type: "character" },
        { name: "price_cents", type: "integer" },
        { name: "future", type: "boolean" },
      ],
      rows: [
        { id: 1, flight_number: "HA1", origin: "LAX", price_cents: 31900, future: true },
        { id: 2, flight_number: "AS843", origin: "SEA", price_cents: 28900, future: true },
        { id: 3, flight_number: "HA2", origin: "HNL", price_cents: 30900, future: true },
      ],
      row_count: 3,
      truncated: false,
      max_rows: 100,
    });
    expect(result.text).toMatch(/^3 rows in structuredContent\.rows; columns: id \(bigint\)/);
  });

  it("run_query serialises dates, numerics, arrays, JSON, bytea and vectors", async () => {
    const result = await callTool(client, "run_query", {
      sql: `SELECT '2030-01-02T03:04:05Z'::timestamptz AS at, 4.5::numeric(2,1) AS rating, amenities,
                   '{"a":[1,2]}'::jsonb AS doc, '\\x0102'::bytea AS raw, embedding::text AS vec
              FROM hotels h, knowledge_documents k WHERE h.id = 1`,
    });
    expect(result.isError, result.text).toBeFalsy();
    expect((result.structuredContent as { rows: unknown[] }).rows[0]).toEqual({
      at: "2030-01-02T03:04:05.000Z",
      rating: "4.5",
      amenities: ["pool", "wifi"],
      doc: { a: [1, 2] },
      raw: "\\x0102",
      vec: "[1,0,0,0,0,0,0,0]",
    });
  });

  it("run_query caps rows at max_rows and says so; EXPLAIN works", async () => {
    const capped = await callTool(client, "run_query", {
      sql: "SELECT id FROM flights ORDER BY id",
      max_rows: 2,
    });
    expect(capped.structuredContent).toMatchObject({
      rows: [{ id: 1 }, { id: 2 }],
      row_count: 2,
      truncated: true,
      truncated_by: "max_rows",
    });
    const exact = await callTool(client, "run_query", { sql: "SELECT id FROM flights", max_rows: 3 });
    expect(exact.structuredContent).toMatchObject({ row_count: 3, truncated: false });
    const plan = await callTool(client, "run_query", {
      sql: "EXPLAIN SELECT * FROM flights WHERE origin = 'LAX'",
    });
    expect(plan.isError, plan.text).toBeFalsy();
    expect(JSON.stringify(plan.structuredContent)).toMatch(/QUERY PLAN/);
  });

  it("run_query validates its input", async () => {
    const tooMany = await callTool(client, "run_query", { sql: "SELECT 1", max_rows: 100_000 });
    expect(tooMany.isError).toBe(true);
    expect(tooMany.text).toMatch(/max_rows/);
    const empty = await callTool(client, "run_query", { sql: "" });
    expect(empty.isError).toBe(true);
  });

  it("run_query reports database errors with the reason and no stack", async () => {
    const result = await callTool(client, "run_query", { sql: "SELECT no_such_column FROM flights" });
    expect(result.isError).toBe(true);
    expect(result.text).toBe('column "no_such_column" does not exist (SQLSTATE 42703)');
    const missing = await callTool(client, "run_query", { sql: "SELECT * FROM no_such_table" });
    expect(missing.text).toMatch(/relation "no_such_table" does not exist; list_tables shows/);
  });

  it("applies settings with SET LOCAL only: nothing survives into the next plain call", async () => {
    const before = await snapshot(db.sql);
    const inside = await callTool(client, "run_query", {
      sql: "SELECT current_setting('statement_timeout') AS timeout, current_user::text AS who, current_setting('search_path') AS path, current_setting('transaction_read_only') AS ro",
    });
    expect((inside.structuredContent as { rows: unknown[] }).rows).toEqual([
      { timeout: "1500ms", who: "flightly_readonly", path: "public", ro: "on" },
    ]);
    const [after] =
      await db.sql`SELECT current_user::text AS who, current_setting('statement_timeout') AS timeout,
      current_setting('transaction_read_only') AS ro`;
    expect(after).toEqual({ who: "postgres", timeout: "0", ro: "off" });
    expect(await snapshot(db.sql)).toEqual(before);
  });

  it("uses a separate least-privileged login when one is given, without SET ROLE", async () => {
    // PGlite has a single login, so a second pool to it stands in for DATABASE_READONLY_URL; on a
    // real server it is a login in flightly_readonly, as the README's production set-up makes it.
    const login = db.real ? `${inject("pgRunPrefix")}_ro_${randomBytes(3).toString("hex")}` : "postgres";
    if (db.real) await db.sql.unsafe(`CREATE ROLE ${login} LOGIN IN ROLE flightly_readonly`);
    const url = new URL(db.url);
    url.username = login;
    const readonlySql = connectPostgres(url.toString(), { max: 1, onnotice: () => {} });
    try {
      const c = await connectInMemory(
        createPostgresMcpServer({ sql: db.sql, readonlySql, embedded: !db.real, logger: silentLogger }),
      );
      const result = await callTool(c, "run_query", { sql: "SELECT current_user::text AS who" });
      expect((result.structuredContent as { rows: unknown[] }).rows).toEqual([{ who: login }]);
      const flights = await callTool(c, "run_query", { sql: "SELECT count(*)::int AS n FROM flights" });
      expect((flights.structuredContent as { rows: unknown[] }).rows).toEqual([{ n: 3 }]);
      if (db.real) {
        const denied = await callTool(c, "run_query", { sql: "SELECT * FROM customers" });
        expect(denied.text).toMatch(/permission denied for table customers/);
      }
      await c.close();
    } finally {
      await readonlySql.end();
      if (db.real) await db.sql.unsafe(`DROP ROLE IF EXISTS ${login}`);
    }
  });
});

describe("database errors as tool-error reasons", () => {
  const pgError = (code: string, message: string): Error =>
    Object.assign(new Error(message), { name: "PostgresError", code, query: "SELECT secret" });

  it("names the timeout, the read-only refusal and a missing migration; hides other faults", () => {
    expect(describeQueryError(pgError("57014", "canceling statement due to statement timeout"), 300)).toBe(
      "the query was cancelled: it ran past the 300 ms statement timeout or was aborted; retryable: try again in 2 s",
    );
    expect(
      describeQueryError(pgError("25006", "cannot execute DELETE in a read-only transaction"), 300),
    ).toMatch(/^refused by the read-only transaction/);
    expect(describeQueryError(pgError("22023", 'role "flightly_readonly" does not exist'), 300)).toMatch(
      /not migrated \(run `flightly migrate`\)/,
    );
    expect(describeQueryError(new Error("connect ECONNREFUSED"), 300)).toBeUndefined();
    expect(describeQueryError(pgError("42703", "column x does not exist"), 300)).not.toMatch(/SELECT secret/);
  });
});

describe("run_query execution layers, each on its own (parser guard bypassed)", () => {
  // The plan check runs first in run_query; off here so each later layer answers for itself.
  const opts = { statementTimeoutMs: 1_000, checkPlan: false };

  it("the simple protocol runs stacked statements, which is why postgres.js's default is not used", async () => {
    // What the reference server did: a parameterless unsafe() goes over the simple protocol, even with prepare.
    const both = await db.sql.unsafe("SELECT 1 AS a; SELECT 2 AS b", [], { prepare: true });
    expect(both).toHaveLength(2);
  });

  it("extended protocol: `COMMIT; DROP TABLE flights` is refused by Postgres itself", async () => {
    await expect(executeReadOnly(target, "COMMIT; DROP TABLE flights", opts)).rejects.toMatchObject({
      code: "42601",
      message: "cannot insert multiple commands into a prepared statement",
    });
    const [row] = await db.sql`SELECT to_regclass('public.flights')::text AS t`;
    expect(row?.t).toBe("flights");
  });

  it("READ ONLY transaction: writes fail even on tables the role can read", async () => {
    await expect(executeReadOnly(target, "DELETE FROM flights", opts)).rejects.toMatchObject({
      code: "25006",
    });
    await expect(executeReadOnly(target, "UPDATE hotels SET stars = 1", opts)).rejects.toMatchObject({
      code: "25006",
    });
    // nextval is stopped too (the role has no USAGE on sequences, checked before read-only).
    await expect(
      executeReadOnly(target, "SELECT nextval('knowledge_documents_id_seq')", opts),
    ).rejects.toMatchObject({ code: expect.stringMatching(/^(25006|42501)$/) });
    const [row] = await db.sql`SELECT count(*)::int AS n FROM flights`;
    expect(row?.n).toBe(3);
  });

  it("least-privileged role: private tables are refused", async () => {
    for (const table of ["customers", "payments", "memories", "bookings"]) {
      await expect(executeReadOnly(target, `SELECT * FROM ${table}`, opts)).rejects.toMatchObject({
        code: "42501",
      });
    }
  });

  it("always rolled back: session-level SETs do not outlive the call; set_config is not executable", async () => {
    const before = await snapshot(db.sql);
    await expect(
      executeReadOnly(target, "SELECT set_config('flightly.actor_id', 'evil', false)", opts),
    ).rejects.toMatchObject({ code: "42501", message: "permission denied for function set_config" });
    await executeReadOnly(target, "SET statement_timeout = 1", opts);
    await executeReadOnly(target, "SET ROLE postgres", opts);
    expect(await snapshot(db.sql)).toEqual(before);
    const [row] = await db.sql`SELECT current_setting('flightly.actor_id', true) AS actor`;
    expect(row?.actor ?? "").toBe("");
  });

  it("plan-cost cap: a set-returning function in FROM is refused even under a LIMIT", async () => {
    await expect(
      executeReadOnly(target, "SELECT * FROM (SELECT * FROM generate_series(1, 100000000) g) q LIMIT 5", {
        ...opts,
        checkPlan: true,
        maxPlanCost: 200_000,
      }),
    ).rejects.toThrow(/over the limit of 200000/);
    const ok = await executeReadOnly(target, "SELECT * FROM generate_series(1, 1000) g LIMIT 5", {
      ...opts,
      maxPlanCost: 200_000,
    });
    expect(ok.rows).toHaveLength(5);
  });

  it("plan-cost cap: planning is bounded apart from execution, so a tight timeout still gets the cost refusal", async () => {
    // 1 ms would cancel the EXPLAIN itself if planning ran under the execution's bound.
    await expect(
      executeReadOnly(target, "SELECT count(*) FROM generate_series(1, 100000000)", {
        ...opts,
        checkPlan: true,
        statementTimeoutMs: 1,
        maxPlanCost: 200_000,
      }),
    ).rejects.toThrow(/over the limit of 200000/);
  });
});
