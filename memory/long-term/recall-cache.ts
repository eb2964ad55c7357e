/**
 * Recall answered in this process for actors with few memories: the actor's memories of the kinds
 * asked for are read once, with their vectors, and ranked here by exact cosine similarity until a
 * write changes them. Every write of an actor's memories replaces the actor's generation token in
 * the short-term store (`touchMemories`); a turn reads the token with its session (one command in
 * the same pipeline) and an entry read under another token is read again. Tokens are random, so a
 * token that expired or was lost never matches an old entry; an entry also lapses after `ttlMs`,
 * which bounds what a write that could not reach the store leaves stale. An actor with more than
 * `maxMemories` such memories is searched in pgvector as before.
 */
import { randomUUID } from "node:crypto";
import { fromVector } from "../db/vector.js";
import { keys } from "../store/keys.js";
import type { ShortTermStore } from "../store/types.js";
import type { MemoryKind } from "./namespaces.js";

/** How long a generation token lives without writes (a missing token only costs one read). */
const GENERATION_TTL_MS = 7 * 24 * 3600 * 1000;

/** Marks the actor's long-term memories as changed: every process reads them again. */
export async function touchMemories(store: ShortTermStore, actorId: string): Promise<void> {
  await store.set(keys.memoryGeneration(actorId), randomUUID(), { ttlMs: GENERATION_TTL_MS });
}

export interface CachedMemory<M> {
  memory: M;
  /** The memory's vector, normalized; null for a zero vector (no direction: never recalled). */
  unit: Float32Array | null;
  content: string;
  id: string;
}

interface Entry<M> {
  generation: string;
  kinds: string;
  until: number;
  /** Null: too many to rank here. */
  memories: CachedMemory<M>[] | null;
}

export interface RecallCacheOptions {
  /** Actors kept (least recently used dropped first; default 1,000). */
  maxActors?: number;
  /** Actors with more memories of the asked kinds are searched in pgvector (default 32). */
  maxMemories?: number;
  /** Longest life of an entry, ms (default 60 s). */
  ttlMs?: number;
}

function unit(v: ArrayLike<number>): Float32Array | null {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  if (!(n > 0) || !Number.isFinite(n)) return null;
  const out = new Float32Array(v.length);
  const s = 1 / Math.sqrt(n);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * s;
  return out;
}

/** Bigint ids in numeric order. */
const byId = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

export class RecallCache<M> {
  readonly #entries = new Map<string, Entry<M>>();
  readonly #loading = new Map<string, Promise<Entry<M>>>();
  readonly #maxActors: number;
  readonly maxMemories: number;
  readonly #ttlMs: number;

  constructor(options: RecallCacheOptions = {}) {
    this.#maxActors = options.maxActors ?? 1_000;
    this.maxMemories = options.maxMemories ?? 32;
    this.#ttlMs = options.ttlMs ?? 60_000;
  }

  /** Forgets the actor here (a write in this process; other processes see the new token). */
  drop(actorId: string): void {
    this.#entries.delete(actorId);
  }

  /**
   * The actor's memories under `generation`, read with `load` (at most `maxMemories + 1` rows,
   * vectors in pgvector text form) when not held; null when there are too many to rank here.
   */
  async memories(
    actorId: string,
    generation: string,
    kinds: readonly MemoryKind[],
    load: () => Promise<Array<{ memory: M; id: string; content: string; vector: string }>>,
  ): Promise<CachedMemory<M>[] | null> {
    const kindKey = [...kinds].sort().join(",");
    const held = this.#entries.get(actorId);
    if (held && held.generation === generation && held.kinds === kindKey && held.until > Date.now()) {
      // Most recently used last.
      this.#entries.delete(actorId);
      this.#entries.set(actorId, held);
      return held.memories;
    }
    const flight = `${actorId}\u0000${generation}\u0000${kindKey}`;
    let loading = this.#loading.get(flight);
    if (!loading) {
      loading = load()
        .then((rows): Entry<M> => {
          const memories =
            rows.length > this.maxMemories
              ? null
              : rows.map((r) => ({
                  memory: r.memory,
                  id: r.id,
                  content: r.content,
                  unit: unit(fromVector(r.vector)),
                }));
          const entry = { generation, kinds: kindKey, until: Date.now() + this.#ttlMs, memories };
          this.#entries.delete(actorId);
          this.#entries.set(actorId, entry);
          if (this.#entries.size > this.#maxActors) this.#entries.delete(this.#entries.keys().next().value!);
          return entry;
        })
        .finally(() => this.#loading.delete(flight));
      this.#loading.set(flight, loading);
    }
    return (await loading).memories;
  }
}

/**
 * The memories nearest to `vector` with at least `minSimilarity`, best first, one per content
 * (the nearest), at most `k`: what the pgvector search returns, computed exactly.
 */
export function rankMemories<M>(
  memories: readonly CachedMemory<M>[],
  vector: ArrayLike<number>,
  o: { k: number; minSimilarity?: number; contentKey: (content: string) => string },
): Array<{ memory: M; similarity: number }> {
  const q = unit(vector);
  if (!q) return [];
  const maxDistance = o.minSimilarity === undefined ? 2 : 1 - o.minSimilarity;
  const scored: Array<{ m: CachedMemory<M>; distance: number }> = [];
  for (const m of memories) {
    const u = m.unit;
    if (!u || u.length !== q.length) continue;
    let dot = 0;
    for (let i = 0; i < q.length; i++) dot += q[i]! * u[i]!;
    const distance = 1 - dot;
    if (distance <= maxDistance) scored.push({ m, distance });
  }
  scored.sort((a, b) => a.distance - b.distance || byId(a.m.id, b.m.id));
  const seen = new Set<string>();
  const out: Array<{ memory: M; similarity: number }> = [];
  for (const { m, distance } of scored) {
    const key = o.contentKey(m.content);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ memory: m.memory, similarity: 1 - distance });
    if (out.length >= o.k) break;
  }
  return out;
}
