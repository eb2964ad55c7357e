/**
 * The nearest-memories search of one actor: its statement (HNSW or exact), its filters and the
 * one-memory-per-content rule of `LongTermMemory.recallByVector`.
 */
import type { ISql, PendingQuery, TransactionSql } from "postgres";
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

/**
 * The nearest-rows statement of `searchMemories`, built but not sent. Besides `actor_id` it
 * requires the transaction's actor setting (a one-time filter, as the row-level security policy
 * is): sent anywhere but after `withActor`'s settings in the same transaction, it returns nothing.
 */
export function nearestStatement(
  tx: Q,
  actorId: string,
  vector: Float32Array | readonly number[],
  options: SearchOptions & { exact?: boolean },
): PendingQuery<Row[]> {
  const k = Math.min(Math.max(1, Math.floor(options.k)), MAX_POOL);
  const q = toVector(vector);
  const maxDistance = options.minSimilarity === undefined ? 2 : 1 - options.minSimilarity;
  // `+ 0` hides the distance from the planner's index matching: an exact scan of the actor's rows.
  const order = options.exact ? tx`(embedding <=> ${q}::vector) + 0` : tx`embedding <=> ${q}::vector`;
  return tx<Row[]>`
    WITH nearest AS MATERIALIZED (
      SELECT ${tx.unsafe(COLUMNS)}, embedding <=> ${q}::vector AS distance
      FROM memories
      WHERE actor_id = ${actorId} ${namespaceFilter(tx, actorId, options.prefix)} ${kindFilter(tx, options.kinds)}
        AND current_setting('flightly.actor_id', true) = ${actorId}
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
  return (await nearestStatement(tx, actorId, vector, options)).map(toRecalled);
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
