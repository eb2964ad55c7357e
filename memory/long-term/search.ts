/**
 * The nearest-memories search of one actor: its statement (HNSW or exact), its filters and the
 * one-memory-per-content rule of `LongTermMemory.recallByVector`.
 */
import type { ISql, TransactionSql } from "postgres";
import { toVector } from "../db/vector.js";
import { likeBelow, type MemoryKind, namespaces } from "./namespaces.js";
import { COLUMNS, type RecalledMemory, type Row, toRecalled } from "./rows.js";

export type Tx = TransactionSql;
/** A transaction or a reserved connection: what the statements are built on. */
export type Q = ISql;

export interface SearchOptions {
  k: number;
  /** A resolved namespace prefix (`resolveNamespace`); the actor's root when absent. */
  prefix?: string;
  minSimilarity?: number;
  kinds?: readonly MemoryKind[];
}

/** Rows one search may scan for `recallByVector` to fill `k` distinct contents (the HNSW `ef_search` cap). */
export const MAX_POOL = 1_000;

/** `namespace` is `prefix` or below it; nothing for the actor's root (actor_id already scopes). */
export function namespaceFilter(tx: Q, actorId: string, prefix: string | undefined) {
  if (prefix === undefined || prefix === namespaces.root(actorId)) return tx``;
  return tx`AND (namespace = ${prefix} OR namespace LIKE ${likeBelow(prefix)} ESCAPE '\\')`;
}

export function kindFilter(tx: Q, kinds: readonly MemoryKind[] | undefined) {
  return kinds && kinds.length > 0 ? tx`AND kind IN ${tx([...kinds])}` : tx``;
}

/** A string as an SQL literal, read the same whatever `standard_conforming_strings` says. */
export function literal(value: string): string {
  return `E'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/**
 * The nearest-rows statement, with its values written in as literals (`literal`, and numbers the
 * search computes): one text for a statement of its own (`searchMemories`) and for the
 * simple-protocol query that carries the transaction and its settings too
 * (`LongTermMemory.recallByVector`). Besides `actor_id` it requires the transaction's actor
 * setting (a one-time filter, as the row-level security policy is): run anywhere but after
 * `withActor`'s settings in the same transaction, it returns nothing.
 */
export function nearestText(
  actorId: string,
  vector: Float32Array | readonly number[],
  options: SearchOptions & { exact?: boolean },
): string {
  const k = Math.min(Math.max(1, Math.floor(options.k)), MAX_POOL);
  const q = `${literal(toVector(vector))}::vector`;
  const maxDistance = options.minSimilarity === undefined ? 2 : 1 - options.minSimilarity;
  if (!Number.isFinite(maxDistance)) throw new RangeError("minSimilarity must be a finite number");
  const actor = literal(actorId);
  const prefix = options.prefix;
  const below =
    prefix === undefined || prefix === namespaces.root(actorId)
      ? ""
      : ` AND (namespace = ${literal(prefix)} OR namespace LIKE ${literal(likeBelow(prefix))} ESCAPE ${literal("\\")})`;
  const kinds =
    options.kinds && options.kinds.length > 0
      ? ` AND kind IN (${options.kinds.map(literal).join(", ")})`
      : "";
  // `+ 0` hides the distance from the planner's index matching: an exact scan of the actor's rows.
  const order = options.exact ? `(embedding <=> ${q}) + 0` : `embedding <=> ${q}`;
  return `WITH nearest AS MATERIALIZED (
      SELECT ${COLUMNS}, embedding <=> ${q} AS distance
      FROM memories
      WHERE actor_id = ${actor}${below}${kinds}
        AND current_setting('flightly.actor_id', true) = ${actor}
      ORDER BY ${order}
      LIMIT ${k}
    )
    SELECT * FROM nearest WHERE distance <= ${maxDistance} ORDER BY distance, id`;
}

/**
 * Nearest memories of `actorId` to `vector`, best first. Must run inside `withActor(actorId, fn,
 * { searchK })` so the HNSW settings are in place.
 */
export async function searchMemories(
  tx: Tx,
  actorId: string,
  vector: Float32Array | readonly number[],
  options: SearchOptions & { exact?: boolean },
): Promise<RecalledMemory[]> {
  return (await tx.unsafe<Row[]>(nearestText(actorId, vector, options))).map(toRecalled);
}

/** Same words, ignoring case and spacing. */
export const contentKey = (content: string): string => content.trim().replace(/\s+/g, " ").toLowerCase();

/** The first (nearest) row of each content, in order. */
export function distinctContent(rows: readonly RecalledMemory[]): RecalledMemory[] {
  const seen = new Set<string>();
  return rows.filter((m) => {
    const key = contentKey(m.content);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
