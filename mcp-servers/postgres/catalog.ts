/**
 * list_tables and get_table_schema: fixed, parameterised catalogue queries run through the same
 * read-only transaction and role as run_query, so they show exactly what run_query can read.
 */
import { type ReadOnlyTarget, type TransactionSql, withReadOnlyTransaction } from "./executor.js";

export interface TableSummary {
  name: string;
  kind: string;
  column_count: number;
  /** Planner estimate, or an exact count for a table never analysed; null for a view that was not. */
  estimated_rows: number | null;
  description: string | null;
}

export interface ColumnInfo {
  name: string;
  type: string;
  nullable: boolean;
  default: string | null;
  description: string | null;
}

export interface TableSchema {
  table: string;
  kind: string;
  description: string | null;
  estimated_rows: number | null;
  columns: ColumnInfo[];
  primary_key: string[];
  foreign_keys: Array<{ name: string; columns: string[]; references: { table: string; columns: string[] } }>;
  unique_constraints: Array<{ name: string; columns: string[] }>;
  check_constraints: Array<{ name: string; definition: string }>;
  indexes: Array<{ name: string; method: string; unique: boolean; primary: boolean; definition: string }>;
}

/** `name` or `schema.name`, unquoted identifiers. */
export const TABLE_NAME = /^(?:[A-Za-z_][A-Za-z0-9_$]*\.)?[A-Za-z_][A-Za-z0-9_$]*$/;

const KIND = `CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view'
  WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' END`;

export async function listTables(target: ReadOnlyTarget, timeoutMs: number): Promise<TableSummary[]> {
  return withReadOnlyTransaction(target, timeoutMs, async (tx: TransactionSql) => {
    const rows = await tx<TableSummary[]>`
      SELECT c.relname::text AS name, ${tx.unsafe(KIND)} AS kind,
             (SELECT count(*) FROM pg_attribute a
               WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped)::int AS column_count,
             CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::float8 END AS estimated_rows,
             obj_description(c.oid, 'pg_class') AS description
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
         AND has_any_column_privilege(c.oid, 'SELECT')
       ORDER BY c.relname`;
    const out: TableSummary[] = [];
    for (const r of rows) {
      out.push({
        ...r,
        estimated_rows: r.estimated_rows ?? (await countIfTable(tx, "public", r.name, r.kind)),
      });
    }
    return out;
  });
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/**
 * `reltuples` is -1 until a table is first analysed (the seed does not, and embedded PGlite has no
 * autovacuum): a catalogue table is small, so its exact count stands in, within the call's
 * statement timeout. Views are not counted.
 */
async function countIfTable(
  tx: TransactionSql,
  schema: string,
  name: string,
  kind: string,
): Promise<number | null> {
  if (kind !== "table") return null;
  const [row] = await tx.unsafe(
    `SELECT count(*)::float8 AS n FROM ${quoteIdent(schema)}.${quoteIdent(name)}`,
  );
  return row ? Number(row.n) : null;
}

/** The table's shape, or `undefined` when it does not exist or the run_query role cannot read it. */
export async function describeTable(
  target: ReadOnlyTarget,
  timeoutMs: number,
  table: string,
): Promise<TableSchema | undefined> {
  const [schema, name] = table.includes(".") ? table.split(".", 2) : ["public", table];
  return withReadOnlyTransaction(target, timeoutMs, async (tx: TransactionSql) => {
    const found = await tx<
      Array<{
        oid: string;
        name: string;
        kind: string;
        description: string | null;
        estimated_rows: number | null;
      }>
    >`
      SELECT c.oid::int8::text AS oid, c.relname::text AS name, ${tx.unsafe(KIND)} AS kind,
             obj_description(c.oid, 'pg_class') AS description,
             CASE WHEN c.reltuples < 0 THEN NULL ELSE c.reltuples::float8 END AS estimated_rows
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = ${schema ?? "public"} AND c.relname IN (${name ?? ""}, lower(${name ?? ""}))
         AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND has_any_column_privilege(c.oid, 'SELECT')
       ORDER BY c.relname = ${name ?? ""} DESC LIMIT 1`;
    const [rel] = found;
    if (!rel) return undefined;
    const oid = rel.oid;

    const columns = await tx<ColumnInfo[]>`
      SELECT a.attname::text AS name, format_type(a.atttypid, a.atttypmod) AS type,
             NOT a.attnotnull AS nullable, pg_get_expr(d.adbin, d.adrelid) AS default,
             col_description(a.attrelid, a.attnum) AS description
        FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE a.attrelid = ${oid}::int8::oid AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY a.attnum`;

    const constraints = await tx<
      Array<{
        name: string;
        type: string;
        columns: string[];
        ref_table: string | null;
        ref_columns: string[];
        definition: string;
      }>
    >`
      SELECT con.conname::text AS name, con.contype::text AS type,
             ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                     JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                    ORDER BY k.ord) AS columns,
             CASE WHEN fc.oid IS NULL THEN NULL ELSE fn.nspname || '.' || fc.relname END AS ref_table,
             ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                     JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
                    ORDER BY k.ord) AS ref_columns,
             pg_get_constraintdef(con.oid) AS definition
        FROM pg_constraint con
        LEFT JOIN pg_class fc ON fc.oid = con.confrelid
        LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
       WHERE con.conrelid = ${oid}::int8::oid
       ORDER BY con.contype, con.conname`;

    const indexes = await tx<TableSchema["indexes"]>`
      SELECT i.relname::text AS name, am.amname::text AS method, ix.indisunique AS unique,
             ix.indisprimary AS primary, pg_get_indexdef(ix.indexrelid) AS definition
        FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_am am ON am.oid = i.relam
       WHERE ix.indrelid = ${oid}::int8::oid
       ORDER BY i.relname`;

    return {
      table: `${schema}.${rel.name}`,
      kind: rel.kind,
      description: rel.description,
      estimated_rows: rel.estimated_rows ?? (await countIfTable(tx, schema ?? "public", rel.name, rel.kind)),
      columns: columns.map((c) => ({ ...c })),
      primary_key: constraints.find((c) => c.type === "p")?.columns ?? [],
      foreign_keys: constraints
        .filter((c) => c.type === "f")
        .map((c) => ({
          name: c.name,
          columns: c.columns,
          references: { table: c.ref_table ?? "", columns: c.ref_columns },
        })),
      unique_constraints: constraints
        .filter((c) => c.type === "u")
        .map((c) => ({ name: c.name, columns: c.columns })),
      check_constraints: constraints
        .filter((c) => c.type === "c")
        .map((c) => ({ name: c.name, definition: c.definition })),
      indexes: indexes.map((i) => ({ ...i })),
    };
  });
}
