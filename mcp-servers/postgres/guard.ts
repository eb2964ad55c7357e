/**
 * The first layer of run_query: the statement is parsed by the real Postgres parser (libpg-query)
 * and allowed only if it is exactly one plain read — SELECT, WITH … SELECT, VALUES, TABLE, or
 * EXPLAIN without ANALYZE — and nothing anywhere in its tree writes, locks, creates, calls a
 * function outside the allow-list, or reads a system catalog. The later layers (extended
 * protocol, READ ONLY transaction that is always rolled back, least-privileged role, timeouts and
 * caps) hold even if this one were fooled; this one gives the clear reason.
 */
import type * as PgQuery from "libpg-query";
import { type BoundsBudget, callBoundsRefusal, newBudget } from "./bounds.js";
import { isAllowedFunction } from "./functions.js";

export type GuardVerdict =
  | {
      ok: true;
      kind: "select" | "explain";
      /** The text of the one statement, without a trailing semicolon. */
      statement: string;
      /** For an EXPLAIN, the text of the SELECT it explains (whose plan the executor checks). */
      explained?: string;
    }
  | { ok: false; reason: string };

export interface GuardOptions {
  /**
   * Allow `WITH RECURSIVE`. Off where the server cannot enforce `statement_timeout` (embedded
   * PGlite), since an unbounded recursion there would never be stopped.
   */
  allowRecursive?: boolean;
}

export interface SqlGuard {
  check(text: string): GuardVerdict;
  /**
   * The statement wrapped so that Postgres itself stops after `limit` rows, re-checked; `undefined`
   * if the wrapped text would not pass (then the statement is refused).
   */
  withRowLimit(statement: string, limit: number): string | undefined;
}

const ALLOWED_SCHEMAS: ReadonlySet<string> = new Set(["public", "information_schema"]);
const EXPLAIN_OPTIONS: ReadonlySet<string> = new Set([
  "format",
  "verbose",
  "costs",
  "settings",
  "summary",
  "memory",
  "buffers",
]);

const STATEMENT_LABELS: Readonly<Record<string, string>> = {
  InsertStmt: "INSERT",
  UpdateStmt: "UPDATE",
  DeleteStmt: "DELETE",
  MergeStmt: "MERGE",
  TransactionStmt: "a transaction command (BEGIN/COMMIT/ROLLBACK)",
  VariableShowStmt: "SHOW",
  CopyStmt: "COPY",
  DoStmt: "a DO block",
  PrepareStmt: "PREPARE",
  ExecuteStmt: "EXECUTE",
  DeallocateStmt: "DEALLOCATE",
  CreateStmt: "CREATE TABLE",
  CreateTableAsStmt: "CREATE TABLE AS",
  ViewStmt: "CREATE VIEW",
  IndexStmt: "CREATE INDEX",
  CreateFunctionStmt: "CREATE FUNCTION",
  CreateExtensionStmt: "CREATE EXTENSION",
  CreateRoleStmt: "CREATE ROLE",
  AlterRoleStmt: "ALTER ROLE",
  DropRoleStmt: "DROP ROLE",
  AlterTableStmt: "ALTER TABLE",
  AlterSystemStmt: "ALTER SYSTEM",
  DropStmt: "DROP",
  TruncateStmt: "TRUNCATE",
  GrantStmt: "GRANT/REVOKE",
  GrantRoleStmt: "GRANT/REVOKE of a role",
  ListenStmt: "LISTEN",
  UnlistenStmt: "UNLISTEN",
  NotifyStmt: "NOTIFY",
  LockStmt: "LOCK",
  CallStmt: "CALL",
  VacuumStmt: "VACUUM/ANALYZE",
  DiscardStmt: "DISCARD",
  DeclareCursorStmt: "DECLARE CURSOR",
  FetchStmt: "FETCH",
  ClosePortalStmt: "CLOSE",
  LoadStmt: "LOAD",
  CheckPointStmt: "CHECKPOINT",
  RefreshMatViewStmt: "REFRESH MATERIALIZED VIEW",
};

const ONLY = "only one read-only SELECT, WITH … SELECT, VALUES or EXPLAIN (without ANALYZE) is allowed";
const CATALOG_HINT = "use information_schema, list_tables or get_table_schema";

type Node = Record<string, unknown>;

const isNode = (v: unknown): v is Node => v !== null && typeof v === "object" && !Array.isArray(v);

function label(type: string, node: Node): string {
  if (type === "VariableSetStmt") {
    const name = String(node.name ?? "").toLowerCase();
    const verb = node.kind === "VAR_RESET" || node.kind === "VAR_RESET_ALL" ? "RESET" : "SET";
    if (name === "role") return `${verb} ROLE`;
    if (name === "session_authorization") return `${verb} SESSION AUTHORIZATION`;
    return name ? `${verb} ${name}` : verb;
  }
  return STATEMENT_LABELS[type] ?? `a ${type.replace(/Stmt$/, "")} statement`;
}

/** Lower-cased string values of a list of `{String: {sval}}` nodes. */
function names(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.map((item) => {
    const s = isNode(item) && isNode(item.String) ? item.String.sval : undefined;
    return typeof s === "string" ? s : "";
  });
}

/** Checks one node of the tree; returns the reason it is refused, if it is. */
function checkNode(type: string, node: Node, budget: BoundsBudget = newBudget()): string | undefined {
  if (type.endsWith("Stmt") && type !== "SelectStmt") {
    const what = label(type, node);
    return ["INSERT", "UPDATE", "DELETE", "MERGE"].includes(what)
      ? `data-modifying ${what} is not allowed: run_query is read-only (inside WITH too)`
      : `${what} is not allowed: ${ONLY}`;
  }
  switch (type) {
    case "IntoClause":
      return "SELECT … INTO creates a table and is not allowed";
    case "LockingClause":
      return "row locking (FOR UPDATE / FOR SHARE) is not allowed in a read-only query";
    case "ParamRef":
      return "query parameters ($1, $2, …) are not supported; write the values inline";
    case "FuncCall": {
      const parts = names(node.funcname);
      const [schema, name] = parts.length === 1 ? [undefined, parts[0] ?? ""] : [parts[0], parts[1] ?? ""];
      if (parts.length > 2 || !isAllowedFunction(schema, name)) {
        return `function ${parts.join(".")}() is not allowed in run_query (only read-only built-ins are)`;
      }
      return callBoundsRefusal(name, Array.isArray(node.args) ? node.args : [], budget);
    }
    case "RangeVar": {
      const rel = String(node.relname ?? "");
      if (typeof node.catalogname === "string") return "cross-database references are not allowed";
      const schema = typeof node.schemaname === "string" ? node.schemaname : undefined;
      if (schema !== undefined && !ALLOWED_SCHEMAS.has(schema)) {
        return `schema ${schema} is not readable through run_query; ${CATALOG_HINT}`;
      }
      if (schema === undefined && rel.startsWith("pg_")) {
        return `system catalog ${rel} is not readable through run_query; ${CATALOG_HINT}`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Walks the whole tree (iteratively: no recursion limit to trip); first refusal wins. */
function checkTree(root: unknown, options: GuardOptions): string | undefined {
  const budget = newBudget();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
      continue;
    }
    if (!isNode(value)) continue;
    for (const [key, child] of Object.entries(value)) {
      // Some clauses appear as plain fields rather than typed nodes (e.g. inside UNION arms).
      if (key === "intoClause" && child) return checkNode("IntoClause", {});
      if (key === "lockingClause" && Array.isArray(child) && child.length > 0) {
        return checkNode("LockingClause", {});
      }
      if (key === "withClause" && isNode(child) && child.recursive === true && !options.allowRecursive) {
        return "WITH RECURSIVE is disabled here: this database cannot enforce a statement timeout";
      }
      if (/^[A-Z]/.test(key) && isNode(child)) {
        const reason = checkNode(key, child, budget);
        if (reason) return reason;
      }
      if (child !== null && typeof child === "object") stack.push(child);
    }
  }
  return undefined;
}

function checkExplain(node: Node): string | undefined {
  for (const option of Array.isArray(node.options) ? node.options : []) {
    const def = isNode(option) && isNode(option.DefElem) ? option.DefElem : undefined;
    const name = String(def?.defname ?? "").toLowerCase();
    if (name === "analyze")
      return "EXPLAIN ANALYZE executes the statement and is not allowed; use plain EXPLAIN";
    if (!EXPLAIN_OPTIONS.has(name)) return `EXPLAIN option ${name.toUpperCase()} is not allowed`;
  }
  const query = isNode(node.query) ? node.query : {};
  if (!isNode(query.SelectStmt)) {
    const [inner = "a statement"] = Object.keys(query);
    return `EXPLAIN of ${label(inner, isNode(query[inner]) ? query[inner] : {})} is not allowed; only EXPLAIN of a SELECT`;
  }
  return undefined;
}

function parseError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const position = (err as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
  return typeof position === "number" && position >= 0
    ? `SQL syntax error: ${message} (at character ${position + 1})`
    : `SQL syntax error: ${message}`;
}

/** The statement after `EXPLAIN [ANALYZE] [VERBOSE] [(options)]`; scanner offsets are UTF-8 bytes. */
function explainedText(statement: string): string | undefined {
  const tokens = parser().scanSync(statement).tokens;
  let i = 1;
  if (tokens[i]?.text === "(") {
    let depth = 0;
    for (; i < tokens.length; i++) {
      if (tokens[i]!.text === "(") depth++;
      if (tokens[i]!.text === ")" && --depth === 0) break;
    }
    i++;
  } else {
    while (/^(analy[sz]e|verbose)$/i.test(tokens[i]?.text ?? "")) i++;
  }
  const start = tokens[i]?.start;
  return start === undefined ? undefined : Buffer.from(statement, "utf8").subarray(start).toString("utf8");
}

/** Text of one parsed statement; libpg-query locations are UTF-8 byte offsets. */
function statementText(text: string, location: number | undefined, length: number | undefined): string {
  const bytes = Buffer.from(text, "utf8");
  const start = location ?? 0;
  const end = length ? start + length : bytes.length;
  return bytes.subarray(start, end).toString("utf8").trim();
}

function check(text: string, options: GuardOptions): GuardVerdict {
  let parsed: ReturnType<typeof PgQuery.parseSync>;
  try {
    parsed = parser().parseSync(text);
  } catch (err) {
    return { ok: false, reason: parseError(err) };
  }
  const stmts = parsed.stmts ?? [];
  if (stmts.length === 0) return { ok: false, reason: "the query is empty" };
  if (stmts.length > 1) {
    return {
      ok: false,
      reason: `exactly one statement is allowed; found ${stmts.length} (stacked statements separated by ';' are refused)`,
    };
  }
  const [raw] = stmts;
  const stmt = (raw?.stmt ?? {}) as Node;
  const [type = ""] = Object.keys(stmt);
  const body = isNode(stmt[type]) ? stmt[type] : {};
  let kind: "select" | "explain";
  if (type === "SelectStmt") {
    kind = "select";
  } else if (type === "ExplainStmt") {
    const reason = checkExplain(body);
    if (reason) return { ok: false, reason };
    kind = "explain";
  } else {
    return { ok: false, reason: checkNode(type, body) ?? `${label(type, body)} is not allowed: ${ONLY}` };
  }
  const reason = checkTree(kind === "explain" ? body.query : stmt, options);
  if (reason) return { ok: false, reason };
  const statement = statementText(text, raw?.stmt_location, raw?.stmt_len);
  if (kind === "select") return { ok: true, kind, statement };
  const explained = explainedText(statement);
  const inner = explained === undefined ? undefined : check(explained, options);
  if (!inner?.ok || inner.kind !== "select") {
    return { ok: false, reason: "the statement under EXPLAIN could not be separated from its options" };
  }
  return { ok: true, kind, statement, explained: inner.statement };
}

/**
 * The Postgres parser (WASM, about 17 MB resident), loaded by the first guard: a process that never
 * runs `run_query` never holds it.
 */
let loaded: typeof PgQuery | undefined;
function parser(): typeof PgQuery {
  if (!loaded) throw new Error("the SQL guard's parser is not loaded: create the guard first");
  return loaded;
}

/** Loads the parser (WASM) once and returns a guard with the given options. */
export async function createSqlGuard(options: GuardOptions = {}): Promise<SqlGuard> {
  const module = await import("libpg-query");
  await module.loadModule();
  loaded = module;
  return {
    check: (text) => check(text, options),
    withRowLimit(statement, limit) {
      const n = Math.max(1, Math.floor(limit));
      // The newline before ")" ends a trailing "--" comment inside the statement.
      const wrapped = `SELECT * FROM (\n${statement}\n) AS run_query_result LIMIT ${n}`;
      const verdict = check(wrapped, options);
      return verdict.ok && verdict.kind === "select" ? wrapped : undefined;
    },
  };
}
