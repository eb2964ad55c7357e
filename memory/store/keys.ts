/**
 * Key names (DESIGN §8). Everything lives under `flightly:`; per-session keys share the hash tag
 * `{s:<session>}` and per-actor keys `{a:<actor>}`, so multi-key work stays in one cluster slot.
 * Ids are encoded so that no caller-supplied string can break out of its tag or namespace.
 */
const safe = (id: string): string =>
  encodeURIComponent(id).replace(/[{}]/g, (c) => (c === "{" ? "%7B" : "%7D"));

export const keys = {
  history: (session: string) => `flightly:{s:${safe(session)}}:history`,
  sessionState: (session: string) => `flightly:{s:${safe(session)}}:state`,
  checkpoint: (session: string) => `flightly:{s:${safe(session)}}:checkpoint`,
  sessionLock: (session: string) => `flightly:{s:${safe(session)}}:lock`,
  profile: (actor: string) => `flightly:{a:${safe(actor)}}:profile`,
  /** Replaced by every write of the actor's long-term memories (see memory/long-term/recall-cache.ts). */
  memoryGeneration: (actor: string) => `flightly:{a:${safe(actor)}}:memgen`,
  actorCache: (actor: string, hash: string) => `flightly:{a:${safe(actor)}}:cache:${hash}`,
  toolCache: (hash: string) => `flightly:tool:${hash}`,
  toolLock: (hash: string) => `flightly:tool:${hash}:lock`,
  toolTag: (tag: string) => `flightly:tooltag:${safe(tag)}`,
  embedding: (model: string, dims: number, hash: string) => `flightly:emb:${safe(model)}:${dims}:${hash}`,
  responseCache: (hash: string) => `flightly:resp:${hash}`,
  /** Set when a drop of exact entries older than `version` finished (see `dropLegacyEntries`). */
  legacyDropped: (version: string) => `flightly:respdropped:${safe(version)}`,
  /** Changes to the response cache's entries, read by every process's in-process index. */
  responseFeed: (namespace: string) => `flightly:respfeed:${safe(namespace)}`,
  /** The pub/sub channel of the response cache's drops (see `response-feed.ts`). */
  responseDrops: (namespace: string) => `flightly:respdrops:${safe(namespace)}`,
  events: () => "flightly:events",
  deadLetters: () => "flightly:events:dead",
  idempotency: (scope: string, key: string) => `flightly:idem:${safe(scope)}:${safe(key)}`,
} as const;
