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
 *   statement timeout, `work_mem` and search path, and a planner-cost cap, which is what bounds a
 *   query on embedded PGlite: it ignores `statement_timeout` and cancel requests;
 * - every function the verbose plan shows is checked against the allow-list before execution
 *   (plan.ts), so a call in any syntax the parser guard did not recognise is still refused;
 * - the connection is reserved for the call and reset after it (`pg_advisory_unlock_all()`), so no
 *   session-level lock outlives a call whatever got through.
 */
import type { Sql } from "../../memory/db/index.js";
import { functionRefusal } from "./functions.js";
import { functionsInPlan } from "./plan.js";

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
  /** The SELECT whose plan is checked when `statement` is itself an EXPLAIN (default `statement`). */
  readonly planned?: string | undefined;
  /** Check the plan's functions and cost first (default true; off only to test the other layers). */
  readonly checkPlan?: boolean;
  /** Cancels the running query (on servers that honour cancel requests). */
  readonly signal?: AbortSignal | undefined;
  /** Called once the plan passed its checks, before the statement runs. */
  readonly onPlanned?: (() => void | Promise<void>) | undefined;
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

/** Per-query memory for sorts and hashes before they spill (bounded by temp_file_limit where set). */
const WORK_MEM = "4MB";

/**
 * Runs `fn` in a `READ ONLY` transaction with the run_query settings applied with `SET LOCAL`, and
 * always rolls it back: nothing a call sets survives into the next. The connection is reserved for
 * the call and its session-level advisory locks are released afterwards, even when `fn` failed.
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
  const conn = await target.sql.reserve();
  try {
    await conn.unsafe("BEGIN TRANSACTION READ ONLY");
    // SET statements, not set_config(), which the read-only login may not execute.
    await conn.unsafe(`SET LOCAL statement_timeout = ${timeout}`);
    await conn.unsafe(`SET LOCAL lock_timeout = ${Math.min(Number(timeout), 1_000)}`);
    await conn.unsafe(`SET LOCAL work_mem = '${WORK_MEM}'`);
    await conn.unsafe("SET LOCAL search_path = public");
    if (target.role !== undefined) await conn.unsafe(`SET LOCAL ROLE ${target.role}`);
    // The reserved connection is the transaction: the same template and unsafe() calls.
    return await fn(conn as unknown as TransactionSql);
  } finally {
    try {
      await conn.unsafe("ROLLBACK");
      await conn.unsafe("SELECT pg_advisory_unlock_all()");
    } finally {
      conn.release();
    }
  }
}

/** How long planning a query may take, ms (never less than the execution's own bound). */
const PLAN_TIMEOUT_MS = 2_000;

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

/**
 * Plans the statement (never executes it) and refuses it when the plan calls a function outside
 * the allow-list or its cost passes `maxCost`.
 */
async function checkPlan(
  tx: TransactionSql,
  statement: string,
  maxCost: number | undefined,
  statementTimeoutMs: number,
): Promise<void> {
  // Planning has a bound of its own: with the execution's (300 ms in the tests) a plan delayed by a
  // busy machine turned the refusal the caller can act on ("add a WHERE clause") into a timeout
  // that says to retry. The execution's bound is set again before the statement runs.
  const execution = Math.max(1, Math.floor(statementTimeoutMs));
  await tx.unsafe(`SET LOCAL statement_timeout = ${Math.max(execution, PLAN_TIMEOUT_MS)}`);
  const [row] = await tx.unsafe(`EXPLAIN (VERBOSE, FORMAT JSON) ${statement}`, [], EXTENDED);
  await tx.unsafe(`SET LOCAL statement_timeout = ${execution}`);
  const plans = row?.["QUERY PLAN"] as Array<{ Plan?: PlanNode }> | undefined;
  for (const fn of functionsInPlan(plans)) {
    const refusal = functionRefusal(fn.schema, fn.name);
    if (refusal) throw new QueryRefusedError(`${refusal} (found in the query plan)`);
  }
  const plan = plans?.[0]?.Plan;
  if (!plan || maxCost === undefined) return;
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
    if (options.checkPlan !== false)
      await checkPlan(tx, options.planned ?? statement, options.maxPlanCost, options.statementTimeoutMs);
    await options.onPlanned?.();
    const query = tx.unsafe(statement, [], EXTENDED);
    const cancel = (): void => void query.cancel();
    options.signal?.addEventListener("abort", cancel, { once: true });
    let result: Awaited<typeof query>;
    try {
      result = await query;
    } finally {
      options.signal?.removeEventListener("abort", cancel);
    }
    const oids = (result.columns ?? []).map((c) => c.type);
    const names = await typeNames(tx, oids);
    const columns = (result.columns ?? []).map((c) => ({
      name: c.name,
      type: names.get(c.type) ?? `oid:${c.type}`,
    }));
    const integers = (result.columns ?? []).filter((c) => c.type === INT8 || c.type === INT8_ARRAY);
    return {
      columns,
      rows: result.map((r) => {
        const row = toJsonRow(r);
        for (const c of integers) row[c.name] = integerCell(row[c.name] ?? null);
        return row;
      }),
    };
  });
}

const INT8 = 20;
const INT8_ARRAY = 1016;

/** A bigint as a JSON number while it is a safe integer (count(*) → 0), as a string beyond 2^53. */
function integerCell(cell: JsonCell): JsonCell {
  if (Array.isArray(cell)) return cell.map(integerCell);
  if (typeof cell !== "string" || !/^-?\d+$/.test(cell)) return cell;
  const n = Number(cell);
  return Number.isSafeInteger(n) ? n : cell;
}

/** Names of the result's types: the built-ins by table, others (pgvector's `vector`) from pg_type. */
async function typeNames(tx: TransactionSql, oids: number[]): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  const unknown = new Set<number>();
  for (const oid of oids) {
    const known = TYPE_NAMES[oid];
    if (known) names.set(oid, known);
    else if (Number.isInteger(oid) && oid > 0) unknown.add(oid);
  }
  if (unknown.size > 0) {
    const rows = await tx.unsafe(
      `SELECT oid::int8 AS oid, typname::text AS name FROM pg_type WHERE oid IN (${[...unknown].join(",")})`,
      [],
      EXTENDED,
    );
    for (const row of rows) names.set(Number(row.oid), String(row.name));
  }
  return names;
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

/** A value from postgres.js as JSON: numeric stays a string, bytea becomes `\x…` hex. */
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
  if (isRetryableDatabaseError(err)) return retryReason(err, statementTimeoutMs);
  switch (err.code) {
    case "42501":
      return `${err.message}: the run_query role reads only the tables that list_tables shows`;
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

/** Seconds to wait before retrying a call that met lock or resource exhaustion. */
export const RETRY_AFTER_S = 2;

/**
 * Lock or resource exhaustion and cancellation: out of shared memory or memory (53200, 53100, 53000),
 * too many connections (53300), lock not available (55P03), cancelled or timed out (57014), a
 * server shutting down or starting (57P01–57P03), a lost connection (08xxx). Nothing is wrong with
 * the call itself; the same call may succeed a moment later.
 */
export function isRetryableDatabaseError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return false;
  return /^(53\d{3}|55P03|57014|57P0[123]|08\w{3})$/.test(code) || code === "CONNECTION_CLOSED";
}

function retryReason(err: Error & { code: string }, statementTimeoutMs: number): string {
  const what =
    err.code === "57014"
      ? `the query was cancelled: it ran past the ${statementTimeoutMs} ms statement timeout or was aborted`
      : `the database is busy or out of resources: ${err.message} (SQLSTATE ${err.code})`;
  return `${what}; retryable: try again in ${RETRY_AFTER_S} s`;
}
