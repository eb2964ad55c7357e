/**
 * The shape of a run_query result that every MCP client can take: the rows once, in
 * `structuredContent`; a short text summary (columns, row count, truncation) for the model and
 * for clients that show text only; pgvector columns left out unless asked for; and whole rows
 * added only while the serialized JSON-RPC message stays under one byte cap.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Column, JsonCell } from "./executor.js";

/** pgvector's types: hundreds of numbers per row that a reader rarely wants. */
const VECTOR_TYPES = new Set(["vector", "halfvec", "sparsevec"]);

/** Room kept for the JSON-RPC envelope and the summary text. */
const ENVELOPE_RESERVE = 2_048;

export interface ShapeInput {
  columns: Column[];
  /** At most `maxRows + 1` rows: one more than asked shows that more exist. */
  rows: Array<Record<string, JsonCell>>;
  maxRows: number;
  includeVectors: boolean;
  /** Cap on the whole serialized response message, in UTF-8 bytes. */
  maxMessageBytes: number;
  elapsedMs: number;
}

const bytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), "utf8");

function summary(
  columns: Column[],
  rowCount: number,
  truncatedBy: string | undefined,
  maxRows: number,
  omitted: string[],
): string {
  const cols = columns.map((c) => `${c.name} (${c.type})`).join(", ");
  const parts = [
    `${rowCount} row${rowCount === 1 ? "" : "s"} in structuredContent.rows; columns: ${cols.length > 600 ? `${cols.slice(0, 600)}…` : cols || "none"}.`,
  ];
  if (truncatedBy === "max_rows") parts.push(`Truncated: more rows exist than max_rows (${maxRows}).`);
  if (truncatedBy === "max_result_size")
    parts.push(
      "Truncated: the remaining rows would pass the result size limit; select fewer columns or rows.",
    );
  if (omitted.length > 0)
    parts.push(`Vector columns left out: ${omitted.join(", ")} (pass include_vectors: true to get them).`);
  return parts.join(" ");
}

export function shapeQueryResult(input: ShapeInput): CallToolResult {
  const omitted = input.includeVectors
    ? []
    : input.columns.filter((c) => VECTOR_TYPES.has(c.type)).map((c) => c.name);
  const columns = input.columns.filter((c) => !omitted.includes(c.name));
  const byRows = input.rows.length > input.maxRows;
  const candidates = input.rows.slice(0, input.maxRows).map((row) => {
    if (omitted.length === 0) return row;
    const kept: Record<string, JsonCell> = {};
    for (const [k, v] of Object.entries(row)) if (!omitted.includes(k)) kept[k] = v;
    return kept;
  });

  const skeleton = {
    columns,
    rows: [] as Array<Record<string, JsonCell>>,
    row_count: 0,
    truncated: true,
    truncated_by: "max_result_size",
    max_rows: input.maxRows,
    elapsed_ms: input.elapsedMs,
    ...(omitted.length > 0 ? { omitted_columns: omitted } : {}),
  };
  // Each row is counted twice only if it were in the text as well; it is not.
  let used = bytes(skeleton) + summary(columns, 0, "max_result_size", input.maxRows, omitted).length * 2;
  used += ENVELOPE_RESERVE;
  const rows: Array<Record<string, JsonCell>> = [];
  let cut = false;
  for (const row of candidates) {
    const size = bytes(row) + 1;
    if (used + size > input.maxMessageBytes) {
      cut = true;
      break;
    }
    used += size;
    rows.push(row);
  }
  const truncatedBy = cut ? "max_result_size" : byRows ? "max_rows" : undefined;
  const structured = {
    columns,
    rows,
    row_count: rows.length,
    truncated: truncatedBy !== undefined,
    ...(truncatedBy ? { truncated_by: truncatedBy } : {}),
    max_rows: input.maxRows,
    elapsed_ms: input.elapsedMs,
    ...(omitted.length > 0 ? { omitted_columns: omitted } : {}),
  };
  return {
    content: [{ type: "text", text: summary(columns, rows.length, truncatedBy, input.maxRows, omitted) }],
    structuredContent: structured,
  };
}
