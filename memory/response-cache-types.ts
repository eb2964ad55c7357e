/** What the semantic response cache stores and how an in-process index of it is told (see `response-cache.ts`). */

/** A tool call an answer was built from: its canonical input and a digest of its result (for the audit). */
export interface RecordedCall {
  tool: string;
  input: string;
  result: string;
  /**
   * A call with inputs in the asker's words (a search query): its other inputs, and a digest of
   * what it found, whatever the words (absent for other tools and in entries of earlier versions).
   */
  meaning?: { input: string; found: string };
}

export interface CachedAnswer {
  prompt: string;
  response: string;
  entities: unknown;
  category: string;
  sources: string[];
  /** The calls the answer was computed from, in order (absent in entries of earlier versions). */
  calls?: RecordedCall[];
}

/** The source every answer kept for one actor depends on: their context (profile, memories, bookings). */
export const actorSource = (actorId: string): string => `actor:${actorId}`;

export interface Neighbour extends CachedAnswer {
  similarity: number;
  /** The row's id in `semantic_cache`, and the scope it was stored in. */
  id: string;
  scope: CacheScope;
  /** Its exact key hash, when an in-process index found it (see `nearest`). */
  hash?: string | null;
}

/** `shared`, or `actor:<id>`. */
export type CacheScope = string;

/** A stored answer as an index holds it: its row id, scope, embedding and expiry (epoch ms). */
export interface IndexedEntry extends CachedAnswer {
  id: string;
  /** The entry's exact key hash (null for rows written before it was kept). */
  hash: string | null;
  scope: CacheScope;
  embedding: Float32Array;
  expiresAt: number;
}

/** An in-process index of the entries (`response-index.ts`), told of every put and invalidation. */
export interface EntryIndex {
  /** Whether `nearest` may answer (otherwise pgvector does). */
  readonly ready: boolean;
  /** With `matchKey`, entries of another match key (`ResponseIndexOptions.matchKeyOf`) are skipped. */
  nearest(embedding: Float32Array, scopes: readonly CacheScope[], k: number, matchKey?: string): Neighbour[];
  added(entry: IndexedEntry): Promise<void>;
  droppedSource(source: string): Promise<void>;
  droppedIds(ids: readonly string[]): Promise<void>;
}
