/** The tool cache's interface: policies, options and counters (the implementation is `cache.ts`). */
import type { Logger } from "../core/logger.js";
import type { Tool } from "./types.js";

export interface ToolCachePolicy<I> {
  /** Time to live of an entry, milliseconds. */
  readonly ttlMs: number;
  /** Fraction of the TTL added or removed at random (default 0.1), so entries do not expire together. */
  readonly jitter?: number;
  /** `global`: one entry for every caller; `actor`: one per `ctx.actor.id` (personal data). */
  readonly scope: "global" | "actor";
  /** Invalidation tags of an entry; writes that change the answer call `invalidate(tag)`. */
  readonly tags?: (input: I) => readonly string[];
}

export interface CacheCounts {
  /** Answered from the store. */
  hits: number;
  /** Computed by this caller (and stored when cacheable). */
  misses: number;
  /** Waited for another caller's computation (in this process or another one) instead of computing. */
  coalesced: number;
  /** Ran uncached because the store failed or was marked down. */
  bypassed: number;
}

export interface CacheStats extends CacheCounts {
  /** Tags invalidated. */
  invalidations: number;
  /** Counts per tool name (or per `wrap` name). */
  byName: Record<string, CacheCounts>;
}

export interface ToolCacheOptions {
  logger?: Logger;
  /**
   * Partition of every key and tag, e.g. a deployment or data version; tests use a unique one so
   * that suites sharing one server never see each other's entries.
   */
  namespace?: string;
  /** How long a computing caller holds the cross-process lock (default 10 s). */
  lockTtlMs?: number;
  /** How often a waiting caller polls for the value (default 5 ms). */
  pollMs?: number;
  /** A store call slower than this counts as a failure (default 250 ms). */
  opTimeoutMs?: number;
  /** After a store failure the cache is bypassed for this long (default 1 s). */
  retryAfterMs?: number;
  /**
   * Told of every invalidation, so what else was built on those tags (cached answers) goes too.
   * Its failures are logged, never thrown to the writer.
   */
  onInvalidate?: (tags: readonly string[]) => Promise<void>;
}

export interface WrapOptions<T> {
  /** Name under which the counts appear in `stats().byName` (default `wrap`). */
  name?: string;
  tags?: readonly string[];
  jitter?: number;
  /** Whether a value may be stored (default: every value). */
  cacheIf?: (value: T) => boolean;
  /** Absolute deadline, epoch ms, for waiting on another caller's computation. */
  deadline?: number;
}

export interface ToolCache {
  /** The tool with its successful results cached by `policy`; side-effecting tools are refused. */
  cached<I>(tool: Tool<I>, policy: ToolCachePolicy<I>): Tool<I>;
  /**
   * Generic read-through cache for non-tool callers (e.g. weather forecasts): `fn` runs once per
   * `key` and TTL, concurrent callers share it, and its JSON-serialisable value is stored.
   */
  wrap<T>(key: string, ttlMs: number, fn: () => Promise<T>, options?: WrapOptions<T>): Promise<T>;
  /** Drops every entry stored under these tags. Never throws. */
  invalidate(...tags: string[]): Promise<void>;
  stats(): CacheStats;
}
