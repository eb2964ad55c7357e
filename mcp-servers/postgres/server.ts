/**
 * `flightly-postgres`: run_query, get_table_schema and list_tables over the Flightly database,
 * read-only by construction (see guard.ts and executor.ts for the layers).
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { Logger } from "../../core/logger.js";
import type { Sql } from "../../memory/db/index.js";
import { finishCapabilities, progressOf, SERVER_CAPABILITIES, serverInfo } from "../features.js";
import { toolError, toolJson } from "../tool-result.js";
import { describeTable, listTables, TABLE_NAME } from "./catalog.js";
import {
  describeQueryError,
  executeReadOnly,
  isRetryableDatabaseError,
  RETRY_AFTER_S,
  type ReadOnlyTarget,
} from "./executor.js";
import { createSqlGuard, type SqlGuard } from "./guard.js";
import { registerPostgresResources } from "./resources.js";
import { shapeQueryResult } from "./result.js";

export interface PostgresMcpDeps {
  /** The application's connection; used with `SET LOCAL ROLE` when there is no `readonlySql`. */
  readonly sql: Sql;
  /** A connection that logs in as a least-privileged user (`DATABASE_READONLY_URL`); preferred. */
  readonly readonlySql?: Sql | undefined;
  /** Role assumed inside each transaction when `readonlySql` is absent (default `flightly_readonly`). */
  readonly readonlyRole?: string;
  /**
   * The database cannot enforce `statement_timeout` (embedded PGlite): `WITH RECURSIVE` is refused
   * and the planner-cost cap is the only bound on a query's work.
   */
  readonly embedded?: boolean;
  readonly logger: Logger;
  /** Default 5,000 ms. */
  readonly statementTimeoutMs?: number;
  /** Planner cost above which a query is refused (default 200,000; `Infinity` turns it off). */
  readonly maxPlanCost?: number;
  /** Rows returned when the caller does not say (default 100). */
  readonly defaultMaxRows?: number;
  /** Upper bound of `max_rows` (default 1,000). */
  readonly maxRowsLimit?: number;
  /** Rows stop being added once the whole response message would pass this many bytes (default 512 KiB). */
  readonly maxMessageBytes?: number;
}

const DEFAULTS = {
  statementTimeoutMs: 5_000,
  maxPlanCost: 200_000,
  defaultMaxRows: 100,
  maxRowsLimit: 1_000,
  maxMessageBytes: 512 * 1024,
  readonlyRole: "flightly_readonly",
} as const;

const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };

const columnSchema = z.object({ name: z.string(), type: z.string() });

const runQueryOutput = {
  columns: z.array(columnSchema),
  rows: z.array(z.record(z.string(), z.unknown())),
  row_count: z.number().int(),
  truncated: z.boolean().describe("More rows existed than were returned"),
  truncated_by: z.enum(["max_rows", "max_result_size"]).optional(),
  max_rows: z.number().int(),
  elapsed_ms: z.number(),
  omitted_columns: z
    .array(z.string())
    .optional()
    .describe("Vector columns left out of rows; include_vectors: true returns them"),
};

const listTablesOutput = {
  tables: z.array(
    z.object({
      name: z.string(),
      kind: z.string(),
      column_count: z.number().int(),
      estimated_rows: z.number().nullable(),
      description: z.string().nullable(),
    }),
  ),
};

const schemaOutput = {
  table: z.string(),
  kind: z.string(),
  description: z.string().nullable(),
  estimated_rows: z.number().nullable(),
  columns: z.array(
    z.object({
      name: z.string(),
      type: z.string(),
      nullable: z.boolean(),
      default: z.string().nullable(),
      description: z.string().nullable(),
    }),
  ),
  primary_key: z.array(z.string()),
  foreign_keys: z.array(
    z.object({
      name: z.string(),
      columns: z.array(z.string()),
      references: z.object({ table: z.string(), columns: z.array(z.string()) }),
    }),
  ),
  unique_constraints: z.array(z.object({ name: z.string(), columns: z.array(z.string()) })),
  check_constraints: z.array(z.object({ name: z.string(), definition: z.string() })),
  indexes: z.array(
    z.object({
      name: z.string(),
      method: z.string(),
      unique: z.boolean(),
      primary: z.boolean(),
      definition: z.string(),
    }),
  ),
};

/** A new server instance (one per MCP session); the parser loads once per process. */
export function createPostgresMcpServer(deps: PostgresMcpDeps): McpServer {
  const opts = {
    statementTimeoutMs: deps.statementTimeoutMs ?? DEFAULTS.statementTimeoutMs,
    maxPlanCost: deps.maxPlanCost ?? DEFAULTS.maxPlanCost,
    defaultMaxRows: deps.defaultMaxRows ?? DEFAULTS.defaultMaxRows,
    maxRowsLimit: deps.maxRowsLimit ?? DEFAULTS.maxRowsLimit,
    maxMessageBytes: deps.maxMessageBytes ?? DEFAULTS.maxMessageBytes,
  };
  const target: ReadOnlyTarget = deps.readonlySql
    ? { sql: deps.readonlySql, role: undefined }
    : { sql: deps.sql, role: deps.readonlyRole ?? DEFAULTS.readonlyRole };
  const logger = deps.logger.child({ mcpServer: "postgres" });
  let guard: Promise<SqlGuard> | undefined;
  const getGuard = (): Promise<SqlGuard> => {
    guard ??= createSqlGuard({ allowRecursive: deps.embedded !== true });
    return guard;
  };

  /** Maps a failure to a tool error; faults that are not the query's are logged, not echoed. */
  const failure = (tool: string, err: unknown) => {
    const reason = describeQueryError(err, opts.statementTimeoutMs);
    if (reason !== undefined) return toolError(reason);
    const code = (err as { code?: unknown } | null)?.code;
    if (isRetryableDatabaseError(err)) {
      logger.warn({ err, tool }, "postgres MCP tool met a busy database");
      return toolError(
        `${tool} failed: the database is busy or unavailable (${String(code)}); retryable: try again in ${RETRY_AFTER_S} s`,
      );
    }
    logger.error({ err, tool }, "postgres MCP tool failed");
    return toolError(
      `${tool} failed: the database is unavailable or answered unexpectedly${typeof code === "string" ? ` (${code})` : ""}`,
    );
  };

  const server = new McpServer(serverInfo("flightly-postgres", "Flightly travel database"), {
    capabilities: SERVER_CAPABILITIES,
    instructions:
      "Read-only access to the Flightly travel catalogue (airports, airlines, flights, hotels, knowledge " +
      "documents). Start with list_tables and get_table_schema (or the flightly://tables/{name} resources), " +
      "then run_query with one SELECT; its rows are in structuredContent and vector columns are left out " +
      "unless include_vectors is true. Knowledge documents are also resources: flightly://knowledge/{slug}.",
  });
  // The log is bound once every feature is registered (below); handlers run only after that.
  let log: ReturnType<typeof finishCapabilities> | undefined;

  server.registerTool(
    "run_query",
    {
      title: "Run a read-only SQL query",
      description:
        "Runs one read-only PostgreSQL statement (SELECT, WITH … SELECT, VALUES, TABLE, or EXPLAIN without " +
        "ANALYZE) against the Flightly travel database and returns the rows as JSON. Only the tables that " +
        "list_tables shows are readable. At most max_rows rows come back; `truncated` says when there were " +
        "more. Writes, locks, DDL, SET, stacked statements, parameters ($1) and functions that are not " +
        "read-only built-ins are refused with the reason.",
      inputSchema: z.strictObject({
        sql: z
          .string()
          .min(1)
          .max(20_000)
          .describe("One SQL statement, e.g. SELECT iata, city FROM airports"),
        max_rows: z
          .number()
          .int()
          .min(1)
          .max(opts.maxRowsLimit)
          .optional()
          .describe(`Maximum rows to return (default ${opts.defaultMaxRows}, at most ${opts.maxRowsLimit})`),
        include_vectors: z
          .boolean()
          .optional()
          .describe(
            "Return pgvector columns too (default false: they are left out and named in omitted_columns)",
          ),
      }),
      outputSchema: runQueryOutput,
      annotations: { title: "Run a read-only SQL query", ...READ_ONLY },
    },
    async ({ sql, max_rows, include_vectors }, extra) => {
      const started = performance.now();
      const maxRows = max_rows ?? opts.defaultMaxRows;
      const progress = progressOf(extra, 3);
      try {
        await progress(0, "started");
        const sqlGuard = await getGuard();
        const verdict = sqlGuard.check(sql);
        if (!verdict.ok) {
          logger.info(
            { tool: "run_query", refused: verdict.reason },
            "run_query refused by the parser guard",
          );
          await log?.send("warning", { tool: "run_query", refused: verdict.reason }, extra);
          return toolError(`Query refused: ${verdict.reason}`);
        }
        await progress(1, "checked");
        const statement =
          verdict.kind === "select"
            ? sqlGuard.withRowLimit(verdict.statement, maxRows + 1)
            : verdict.statement;
        if (statement === undefined)
          return toolError("Query refused: the row limit could not be applied to it");
        const result = await executeReadOnly(target, statement, {
          statementTimeoutMs: opts.statementTimeoutMs,
          maxPlanCost:
            verdict.kind === "select" && Number.isFinite(opts.maxPlanCost) ? opts.maxPlanCost : undefined,
          planned: verdict.kind === "explain" ? verdict.explained : undefined,
          signal: extra.signal,
          onPlanned: () => progress(2, "planned"),
        });
        const elapsed = Math.round((performance.now() - started) * 100) / 100;
        const shaped = shapeQueryResult({
          columns: result.columns,
          rows: result.rows,
          maxRows,
          includeVectors: include_vectors === true,
          maxMessageBytes: opts.maxMessageBytes,
          elapsedMs: elapsed,
        });
        const rowCount = (shaped.structuredContent as { row_count: number }).row_count;
        await progress(3, `executed: ${rowCount} rows`);
        logger.debug({ tool: "run_query", kind: verdict.kind, rows: rowCount, ms: elapsed }, "run_query");
        await log?.send(
          "info",
          { tool: "run_query", kind: verdict.kind, rows: rowCount, elapsed_ms: elapsed },
          extra,
        );
        return shaped;
      } catch (err) {
        const out = failure("run_query", err);
        await log?.send(
          "error",
          { tool: "run_query", error: out.content[0]?.type === "text" ? out.content[0].text : "" },
          extra,
        );
        return out;
      }
    },
  );

  server.registerTool(
    "get_table_schema",
    {
      title: "Describe a table",
      description:
        "Columns (type, nullability, default), primary key, foreign keys, unique and check constraints and " +
        "indexes of one table that run_query can read.",
      inputSchema: z.strictObject({
        table: z
          .string()
          .min(1)
          .max(130)
          .regex(TABLE_NAME, "expected a table name such as flights or public.flights")
          .describe("Table name, optionally schema-qualified (public.flights)"),
      }),
      outputSchema: schemaOutput,
      annotations: { title: "Describe a table", ...READ_ONLY },
    },
    async ({ table }) => {
      try {
        const schema = await describeTable(target, opts.statementTimeoutMs, table);
        if (!schema) {
          return toolError(
            `Table ${table} does not exist or is not readable through run_query; list_tables shows the readable tables`,
          );
        }
        return toolJson({ ...schema });
      } catch (err) {
        return failure("get_table_schema", err);
      }
    },
  );

  server.registerTool(
    "list_tables",
    {
      title: "List readable tables",
      description: "The tables and views run_query can read, with column counts and estimated row counts.",
      inputSchema: z.strictObject({}),
      outputSchema: listTablesOutput,
      annotations: { title: "List readable tables", ...READ_ONLY },
    },
    async () => {
      try {
        return toolJson({ tables: await listTables(target, opts.statementTimeoutMs) });
      } catch (err) {
        return failure("list_tables", err);
      }
    },
  );

  registerPostgresResources(server, target, opts.statementTimeoutMs);
  log = finishCapabilities(server, "flightly-postgres");
  return server;
}
