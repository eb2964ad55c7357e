/**
 * The response cache's part of a turn: looking the request up (a hit answers it, a miss is kept
 * for the store stage) and putting each decision on the trail, for the hooks and a watching client.
 */

import { CacheDecisionEvent, type HookRegistry } from "./hooks.js";
import type { Turn } from "./pipeline.js";
import type { CacheAudit } from "./semantic-cache/audit.js";
import type { KeyedRequest, SemanticCache } from "./semantic-cache/cache.js";
import { type CacheTrail, cacheMiss } from "./trail.js";

/** What the cache stages use of the orchestrator's parts. */
export interface CacheDeps {
  cache: SemanticCache | undefined;
  audit?: CacheAudit | undefined;
  hooks: HookRegistry;
}

/**
 * Looks the resolved request up; a hit answers the turn, a miss is kept for the store stage.
 * Either way the decision and its reason go on the trail.
 */
export async function lookup(
  deps: CacheDeps,
  t: Turn,
  request: KeyedRequest,
  fromContext = false,
): Promise<void> {
  const cache: SemanticCache = deps.cache!;
  const looked = await cache.lookup(request, t.actor!.id, t.now).catch((err) => {
    t.log.warn({ err }, "semantic cache unavailable; answering without it");
    return undefined;
  });
  if (looked?.hit) {
    const { kind, similarity, matched_prompt, entry_id } = looked;
    const entry =
      matched_prompt !== undefined ? { matched_prompt } : entry_id !== undefined ? { entry_id } : {};
    t.answer = { response: looked.response, by: "cache", cache: { kind, similarity, ...entry } };
    deps.audit?.sample(
      { prompt: t.req.prompt, sessionId: t.req.sessionId, actorId: t.actor!.id },
      { response: looked.response, calls: looked.calls, kind, entry: entry_id ?? matched_prompt },
    );
    await decided(deps, t, {
      hit: true,
      kind,
      similarity,
      ...entry,
      reason: kind === "exact" ? "exact match" : "semantic match",
      nearest: similarity,
      depends_on: looked.sources ?? [],
      store: null,
    });
    return;
  }
  t.miss = looked;
  if (!looked) return decided(deps, t, cacheMiss("cache unavailable"));
  // Entities that came from the session or memory: the words matched, what they point at did not.
  const reason = looked.reason === "entity differs" && fromContext ? "context differs" : looked.reason;
  await decided(deps, t, cacheMiss(reason ?? "no entry", looked.nearest ?? null));
}

/** Keeps the decision for the answer and tells the hooks (and a watching client, for a lookup). */
export async function decided(deps: CacheDeps, t: Turn, decision: CacheTrail, stream = true): Promise<void> {
  t.cacheTrail = decision;
  if (stream) t.req.sink?.({ event: "cache", data: decision });
  await deps.hooks.emit(new CacheDecisionEvent({ invocationId: t.id, decision }), () => t.log);
}
