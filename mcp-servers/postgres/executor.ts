/**
 * The execution layers of run_query, which hold even for a statement the parser guard let through:
 *
 * - extended protocol only (Parse/Bind/Execute of one unnamed statement): Postgres itself refuses
 *   `COMMIT; DROP TABLE …` with "cannot insert multiple commands into a prepared statement".
 *   postgres.js sends a parameterless `unsafe()` over the simple protocol, which runs every
 *   `;`-separated statement — even with `prepare: true` — so `simple: false` is set explicitly;
 * - a `READ ONLY` transaction that is always rolled back, so even a session-level `SET` or
 *   `set_config(…, false)` inside it does not outlive the call;
 * - `SET LOCAL ROLE flightly_readonly` (or a separate least-privileged login), a `SET LOCAL`
 *   statement timeout and search path, and a planner-cost cap, which is what bounds a query on
 *   embedded PGlite: it ignores `statement_timeout` and cancel requests.
 */
import type { Sql } from "../../memory/db/index.js";

/** The handle `sql.begin(options, cb)` passes to its callback (derived, so only memory/ imports postgres.js). */
export type TransactionSql = Parameters<Parameters<Sql["begin"]>[1]>[0];

/** Where run_query executes. */
export interface ReadOnlyTarget {
  readonly sql: Sql;
  /**
   * Role assumed with `SET LOCAL ROLE` in every transaction; `undefined` when `sql` already logs
   * in as a least-privileged user (`DATABASE_READONLY_URL`).
   */
  readonly role: string | undefined;
}

export interface ExecuteOptions {
  readonly statementTimeoutMs: number;
  /** Refuse a SELECT whose estimated plan cost exceeds this; `undefined` skips the check. */
  readonly maxPlanCost?: number | undefined;
  /** Cancels the running query (on servers that honour cancel requests). */
  readonly signal?: AbortSignal | undefined;
}

export interface Column {
  name: string;
  type: string;
}

export type JsonCell = null | string | number | boolean | JsonCell[] | { [key: string]: JsonCell };

export interface QueryRows {
  columns: Column[];
  rows: Array<Record<string, JsonCell>>;
}

/** A statement refused by a layer of run_query, with a reason the caller can read. */
class QueryRefusedError extends Error {
  override readonly name = "QueryRefusedError";
}

/** Extended protocol, unnamed statement: one statement per call, nothing cached server-side. */
const EXTENDED = { prepare: false, simple: false } as const;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

class Rollback<T> {
  constructor(readonly value: T) {}
}

/**
 * Runs `fn` in a `READ ONLY` transaction with the run_query settings applied with `SET LOCAL`, and
 * always rolls it back: nothing a call sets survives into the next.
 */
export async function withReadOnlyTransaction<T>(
  target: ReadOnlyTarget,
  statementTimeoutMs: number,
  fn: (tx: TransactionSql) => Promise<T>,
): Promise<T> {
  if (target.role !== undefined && !IDENTIFIER.test(target.role)) {
    throw new Error(`invalid role name ${JSON.stringify(target.role)}`);
  }
  const timeout = String(Math.max(1, Math.floor(statementTimeoutMs)));
  try {
    await target.sql.begin("read only", async (tx) => {
      await tx`SELECT set_config('statement_timeout', ${timeout}, true), set_config('search_path', 'public', true)`;
      if (target.role !== undefined) await tx.unsafe(`SET LOCAL ROLE ${target.role}`);
      throw new Rollback(await fn(tx));
    });
  } catch (err) {
    if (err instanceof Rollback) return err.value as T;
    throw err;
  }
  throw new Error("unreachable: the read-only transaction committed");
}

interface PlanNode {
  "Node Type"?: string;
  "Total Cost"?: number;
  Plans?: PlanNode[];
}

/**
 * The cost that bounds execution: the plan's total, or a Function Scan's own total when larger —
 * a set-returning function in FROM materialises every row before an outer LIMIT applies, which
 * the plan's total (scaled by the LIMIT) hides.
 */
function effectivePlanCost(plan: PlanNode): number {
  let cost = plan["Total Cost"] ?? 0;
  const stack = [...(plan.Plans ?? [])];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node["Node Type"] === "Function Scan") cost = Math.max(cost, node["Total Cost"] ?? 0);
    stack.push(...(node.Plans ?? []));
  }
  return cost;
}

async function checkPlanCost(tx: TransactionSql, statement: string, maxCost: number): Promise<void> {
  const [row] = await tx.unsafe(`EXPLAIN (FORMAT JSON) ${statement}`, [], EXTENDED);
  const plan = (row?.["QUERY PLAN"] as Array<{ Plan?: PlanNode }> | undefined)?.[0]?.Plan;
  if (!plan) return;
  const cost = effectivePlanCost(plan);
  if (cost > maxCost) {
    throw new QueryRefusedError(
      `the planner estimates this query at cost ${Math.round(cost)}, over the limit of ${maxCost}; ` +
        "add a WHERE clause or a LIMIT, or narrow generate_series ranges (a set-returning function in FROM " +
        "computes all its rows before LIMIT applies)",
    );
  }
}

/**
 * Executes one already-vetted statement through every execution layer. Exported for the tests
 * that prove each layer on its own; run_query goes through the parser guard first.
 */
export async function executeReadOnly(
  target: ReadOnlyTarget,
  statement: string,
  options: ExecuteOptions,
): Promise<QueryRows> {
  return withReadOnlyTransaction(target, options.statementTimeoutMs, async (tx) => {
    if (options.maxPlanCost !== undefined) await checkPlanCost(tx, statement, options.maxPlanCost);
    const query = tx.unsafe(statement, [], EXTENDED);
    const cancel = (): void => void query.cancel();
    options.signal?.addEventListener("abort", cancel, { once: true });
    try {
      const result = await query;
      return {
        columns: (result.columns ?? []).map((c) => ({ name: c.name, type: typeName(c.type) })),
        rows: result.map((r) => toJsonRow(r)),
      };
    } finally {
      options.signal?.removeEventListener("abort", cancel);
    }
  });
}

const TYPE_NAMES: Readonly<Record<number, string>> = {
  16: "boolean",
  17: "bytea",
  18: "char",
  19: "name",
  20: "bigint",
  21: "smallint",
  23: "integer",
  25: "text",
  26: "oid",
  114: "json",
  700: "real",
  701: "double precision",
  1000: "boolean[]",
  1005: "smallint[]",
  1007: "integer[]",
  1009: "text[]",
  1016: "bigint[]",
  1042: "character",
  1043: "character varying",
  1082: "date",
  1083: "time",
  1114: "timestamp",
  1184: "timestamptz",
  1186: "interval",
  1700: "numeric",
  2950: "uuid",
  3802: "jsonb",
};

const typeName = (oid: number): string => TYPE_NAMES[oid] ?? `oid:${oid}`;

/** A value from postgres.js as JSON: bigint and numeric stay strings, bytea becomes `\x…` hex. */
function toJsonCell(value: unknown): JsonCell {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return value.toString();
    case "object":
      break;
    default:
      return String(value);
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString("hex")}`;
  if (Array.isArray(value)) return value.map(toJsonCell);
  const out: Record<string, JsonCell> = {};
  for (const [k, v] of Object.entries(value)) out[k] = toJsonCell(v);
  return out;
}

const toJsonRow = (row: object): Record<string, JsonCell> => toJsonCell(row) as Record<string, JsonCell>;

const isPostgresError = (err: unknown): err is Error & { code: string } =>
  err instanceof Error &&
  typeof (err as { code?: unknown }).code === "string" &&
  err.name === "PostgresError";

/**
 * A database failure as a reason for a tool error: what Postgres said (never the statement text or
 * a stack), with a hint where one helps. `undefined` for faults that are not the query's (the
 * caller logs those and answers with a generic message).
 */
export function describeQueryError(err: unknown, statementTimeoutMs: number): string | undefined {
  if (err instanceof QueryRefusedError) return err.message;
  if (!isPostgresError(err)) return undefined;
  switch (err.code) {
    case "42501":
      return `${err.message}: the run_query role reads only the tables that list_tables shows`;
    case "57014":
      return `the query was cancelled: it ran past the ${statementTimeoutMs} ms statement timeout or was aborted`;
    case "25006":
      return `refused by the read-only transaction: ${err.message}`;
    case "42P01":
      return `${err.message}; list_tables shows the readable tables`;
    case "22023":
    case "42704":
      return /role .* does not exist/.test(err.message)
        ? `${err.message}: the database is not migrated (run \`flightly migrate\`)`
        : `${err.message} (SQLSTATE ${err.code})`;
    default:
      return `${err.message} (SQLSTATE ${err.code})`;
  }
}
