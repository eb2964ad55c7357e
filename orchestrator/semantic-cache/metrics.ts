/**
 * The response cache's counters for `/metrics`: hits by kind, misses by reason (every decision
 * the lookup stages make, from the hooks), answers stored or not, and what the storage and the
 * audit count themselves (evictions, expiries, invalidations; audits and their mismatches).
 */
import type { ResponseCacheStats } from "../../memory/response-cache.js";
import type { HookRegistry } from "../hooks.js";
import type { AuditStats } from "./audit.js";

export interface CacheMetrics {
  hits: { exact: number; semantic: number };
  /** Lookups that served nothing, by `CacheReason`. */
  misses: Record<string, number>;
  stored: number;
  /** Fresh answers not stored, by reason (`not cacheable: action`, `store failed`…). */
  notStored: Record<string, number>;
  storage: ResponseCacheStats | null;
  audit: AuditStats | null;
}

export class CacheCounters {
  readonly #hits = { exact: 0, semantic: 0 };
  readonly #misses: Record<string, number> = {};
  readonly #notStored: Record<string, number> = {};
  #stored = 0;

  constructor(
    hooks: HookRegistry,
    private readonly sources: { storage?: () => ResponseCacheStats; audit?: () => AuditStats } = {},
  ) {
    hooks.on("cacheDecision", ({ decision }) => {
      if (decision.store) {
        if (decision.store.stored) this.#stored++;
        else bump(this.#notStored, decision.store.reason);
      } else if (decision.hit && decision.kind) this.#hits[decision.kind]++;
      else bump(this.#misses, decision.reason);
    });
  }

  snapshot(): CacheMetrics {
    return {
      hits: { ...this.#hits },
      misses: { ...this.#misses },
      stored: this.#stored,
      notStored: { ...this.#notStored },
      storage: this.sources.storage?.() ?? null,
      audit: this.sources.audit?.() ?? null,
    };
  }
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
