/**
 * The semantic response cache, keyed on the resolved request (references to the session and the
 * clock replaced by what they point at). A request that `language/` reads completely is keyed on
 * what it reads as (`requestKeys`), so every wording of it meets on one exact lookup; any other
 * on its normalised text and entity signature. Then the nearest cached requests above the
 * threshold, each served only when the entities match exactly and, when both requests were read
 * completely, their canonical keys too. Only scopes the asker may see are searched (shared, and
 * the asker's own), so no answer crosses customers.
 */
import { hash } from "node:crypto";
import type { Logger } from "../../core/logger.js";
import { memoRead, memoReadShared } from "../../core/memo.js";
import {
  type Entities,
  entitySignature,
  readRequest,
  resolveRequest,
  type SessionFacts,
  sameEntities,
} from "../../language/index.js";
import type { Embedder } from "../../memory/embeddings/types.js";
import {
  actorSource,
  type CacheScope,
  type Neighbour,
  type RecordedCall,
  type ResponseCacheStore,
} from "../../memory/response-cache.js";
import { requestKeys } from "./canonical.js";
import type { AnswerCachePolicy } from "./policy.js";

export interface CacheHit {
  hit: true;
  kind: "exact" | "semantic";
  similarity: number;
  /** The cached request, only when the entry is in the asker's own scope. */
  matched_prompt?: string;
  /** Otherwise the entry's id: another customer's words are never shown. */
  entry_id?: string;
  response: string;
  category: string;
  /** The entry's dependency tags. */
  sources?: string[];
  /** The tool calls the entry was computed from (what an audit compares). */
  calls?: RecordedCall[];
}

export interface CacheMiss {
  hit: false;
  /** Reused when the fresh answer is stored; undefined means the answer is not stored. */
  embedding: Float32Array | undefined;
  entities: Entities;
  hash: string;
  /** The resolved request the answer is stored under. */
  text: string;
  /** Its canonical key, when it was read completely, and what its reading did not cover. */
  canonical?: string | undefined;
  residue?: string | undefined;
  /** Why nothing matched (`missReason`), and the nearest entry's similarity when one was searched. */
  reason?: "no entry" | "below threshold" | "entity differs";
  nearest?: number;
}

/** A request with its references resolved: what the cache keys, matches and stores. */
export interface KeyedRequest {
  text: string;
  entities: Entities;
  /** What the request reads as, when it was read completely (`requestKeys`). */
  canonical?: string | undefined;
  /** What its reading did not cover (`residue`): equal on both sides of a similarity hit. */
  residue?: string | undefined;
  /** Its exact key (`requestHash`), once computed. */
  hash?: string;
}

/** The request with its canonical and exact keys computed (once). */
function withCanonical(r: KeyedRequest, now: Date): KeyedRequest {
  if ("canonical" in r && r.hash !== undefined) return r;
  const keyed = "canonical" in r ? r : { ...r, ...requestKeys(r.text, r.entities, now) };
  return { ...keyed, hash: requestHash(keyed) };
}

/**
 * How the first lookup reads a message, once per text and clock minute: whether it refers to the
 * session, and otherwise its keys (null when it does not resolve on its own). A repeated
 * self-contained question costs one memo read and one Valkey round trip.
 */
export const selfContainedKey = memoReadShared(
  (prompt: string, now: Date): { needsSession: boolean; keyed: KeyedRequest | null } => {
    const reading = readRequest(prompt, now);
    if (reading.needsSession) return { needsSession: true, keyed: null };
    const r = resolveRequest(reading, now);
    return {
      needsSession: false,
      keyed: r.resolved ? withCanonical({ text: r.text, entities: r.entities }, now) : null,
    };
  },
);

/** Reads a message that needs no session; null when it refers to one. A repeated message is read once. */
const keyedFromText = memoRead(
  (prompt: string, now: Date): KeyedRequest | null => keyForSession(prompt, now) ?? null,
);

/** Reads a message against a session's facts (`{}` for a new session); undefined when unresolved. */
export function keyForSession(prompt: string, now: Date, session?: SessionFacts): KeyedRequest | undefined {
  const r = resolveRequest(readRequest(prompt, now), now, session);
  return r.resolved ? withCanonical({ text: r.text, entities: r.entities }, now) : undefined;
}

/**
 * Whether an entry stored for `candidate` answers `query`: the same exact key, or a similarity
 * at or above the threshold with equal entities, unless both were read completely and read
 * differently. Both requests come through `withCanonical`.
 */
export function cacheDecision(
  query: KeyedRequest,
  candidate: KeyedRequest,
  similarity: number,
  threshold: number,
): "exact" | "semantic" | undefined {
  if (requestHash(query) === requestHash(candidate)) return "exact";
  if (similarity < threshold || !sameEntities(query.entities, candidate.entities)) return undefined;
  if (query.canonical !== undefined && candidate.canonical !== undefined) return undefined;
  if (query.residue === undefined || query.residue !== candidate.residue) return undefined;
  return "semantic";
}

export const normalise = (text: string): string =>
  trimTrailingDots(
    text
      .normalize("NFKC")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}$%@.\s-]/gu, " "),
  )
    .replace(/\s+/g, " ")
    .trim();

/** Drops trailing dots and spaces in one backward pass (a `[.\s]+$` pattern is quadratic on long runs). */
function trimTrailingDots(text: string): string {
  let end = text.length;
  while (end > 0 && /[.\s]/u.test(text[end - 1]!)) end--;
  return text.slice(0, end);
}

export interface SemanticCacheOptions {
  storage: ResponseCacheStore;
  embedder: Embedder;
  /** Lookup embeddings kept in process, by digest of the text (default 1,024; 0: none). */
  keptEmbeddings?: number;
  threshold: number;
  logger: Logger;
}

/** The exact key: the canonical key, else the resolved text's normal form and the entity signature. */
const requestHash = (r: KeyedRequest): string =>
  r.hash ??
  hash(
    "sha256",
    r.canonical !== undefined
      ? `canonical\u0000${r.canonical}`
      : `${normalise(r.text)}\u0000${entitySignature(r.entities)}`,
    "hex",
  ).slice(0, 32);

/** What an entry keeps for the check: the entities, and the canonical key (null: not read completely). */
type StoredEntities = Entities & { canonical?: string | null; residue?: string | null };

/**
 * What an entry must share with a request to answer it by similarity (`cacheDecision`): what the
 * reading did not cover, and the entities. Undefined for an entry no similarity can serve.
 */
export function semanticMatchKey(entities: unknown): string | undefined {
  const e = entities as StoredEntities | null | undefined;
  if (!e || typeof e.residue !== "string") return undefined;
  return `${e.residue}\u0000${entitySignature(e)}`;
}

export class SemanticCache {
  /** A repeated paraphrase is embedded once: by digest of the text (not kept); never changed by callers. */
  readonly #embeddings = new Map<string, Float32Array>();

  constructor(private readonly o: SemanticCacheOptions) {}

  async #embed(text: string): Promise<Float32Array | undefined> {
    const key = hash("sha256", text, "base64");
    const kept = this.#embeddings.get(key);
    if (kept) return kept;
    const [v] = await this.o.embedder.embed([text]);
    const max = this.o.keptEmbeddings ?? 1_024;
    if (!v || max <= 0) return v;
    if (this.#embeddings.size >= max) {
      this.#embeddings.delete(this.#embeddings.keys().next().value as string);
    }
    this.#embeddings.set(key, v);
    return v;
  }

  #scopes(actorId: string): CacheScope[] {
    return [`actor:${actorId}`, "shared"];
  }

  /** What a hit may say about the entry it came from: the prompt in the asker's own scope only. */
  #matched(
    actorId: string,
    scope: CacheScope,
    prompt: string,
    entryId: string,
  ): { matched_prompt: string } | { entry_id: string } {
    return scope === `actor:${actorId}` ? { matched_prompt: prompt } : { entry_id: entryId };
  }

  /**
   * `request` is resolved (see `keyedFromText`); a plain message is read against the clock alone,
   * and one that refers to a session is neither looked up nor stored.
   */
  async lookup(
    request: KeyedRequest | string,
    actorId: string,
    now = new Date(),
  ): Promise<CacheHit | CacheMiss> {
    const read = typeof request === "string" ? (keyedFromText(request, now) ?? undefined) : request;
    if (!read) return { hit: false, embedding: undefined, entities: {} as Entities, hash: "", text: "" };
    const keyed = withCanonical(read, now);
    const { text: prompt, entities, canonical, residue: rest } = keyed;
    const hash = requestHash(keyed);
    const scopes = this.#scopes(actorId);
    const exact = await this.o.storage.getExact(scopes, hash);
    if (exact) {
      return {
        hit: true,
        kind: "exact",
        similarity: 1,
        ...this.#matched(actorId, exact.scope, exact.prompt, `exact:${hash.slice(0, 16)}`),
        response: exact.response,
        category: exact.category,
        sources: exact.sources,
        ...(exact.calls ? { calls: exact.calls } : {}),
      };
    }
    // Embed the text as written: case and punctuation carry entity cues for the embedder.
    const embedding = await this.#embed(prompt.trim());
    if (!embedding)
      return { hit: false, embedding: undefined, entities, hash, text: prompt, canonical, residue: rest };
    // Only entries of the request's match key can be served by similarity: those are scanned
    // first; the whole scopes only when none serves, for the miss's reason.
    // The table ignores the key: while the index loads, the keyed scan already is the whole one.
    let whole: Neighbour[] | undefined;
    if (rest !== undefined) {
      const key = semanticMatchKey({ ...entities, residue: rest });
      const narrowed = this.o.storage.narrowsByKey;
      const found = await this.o.storage.nearest(embedding, scopes, 4, key);
      const hit = this.#similar(keyed, actorId, found);
      if (hit) return hit;
      if (!narrowed) whole = found;
    }
    const neighbours = whole ?? (await this.o.storage.nearest(embedding, scopes));
    return {
      hit: false,
      embedding,
      entities,
      hash,
      text: prompt,
      canonical,
      residue: rest,
      ...missReason(neighbours, this.o.threshold),
    };
  }

  /** The first of `neighbours` (most similar first) that answers `keyed` by similarity. */
  #similar(keyed: KeyedRequest, actorId: string, neighbours: readonly Neighbour[]): CacheHit | undefined {
    for (const n of neighbours) {
      if (n.similarity < this.o.threshold) return undefined;
      const stored = n.entities as StoredEntities;
      // The entry's exact key as stored, when the index has it: not derived again per lookup.
      const candidate: KeyedRequest = {
        text: n.prompt,
        entities: stored,
        canonical: stored.canonical ?? undefined,
        residue: stored.residue ?? undefined,
        ...(n.hash ? { hash: n.hash } : {}),
      };
      if (cacheDecision(keyed, candidate, n.similarity, this.o.threshold) !== "semantic") continue;
      return {
        hit: true,
        kind: "semantic",
        similarity: Math.round(n.similarity * 10_000) / 10_000,
        ...this.#matched(actorId, n.scope, n.prompt, `semantic:${n.id}`),
        response: n.response,
        category: n.category,
        sources: n.sources,
        ...(n.calls ? { calls: n.calls } : {}),
      };
    }
    return undefined;
  }

  /**
   * Keeps a fresh answer. An answer for the asker alone also depends on their context (profile,
   * memories, bookings): any write to it drops the answer (`actorSource`). `computedSince` is
   * when the answer's computation began (an invalidation since then keeps it out).
   */
  async store(
    prompt: string,
    actorId: string,
    miss: CacheMiss,
    policy: AnswerCachePolicy,
    response: string,
    dependsOn: string[],
    built: { calls?: RecordedCall[]; computedSince?: number } = {},
  ): Promise<boolean> {
    if (policy.scope === "never" || !miss.embedding) return false;
    // The resolved request is what the answer is for ("weather in Honolulu", not "weather there").
    const stored = miss.text || prompt;
    const scope: CacheScope = policy.scope === "shared" ? "shared" : `actor:${actorId}`;
    const sources =
      policy.scope === "shared" ? dependsOn : [...new Set([...dependsOn, actorSource(actorId)])];
    return this.o.storage.put(
      scope,
      miss.hash,
      miss.embedding,
      {
        prompt: stored,
        response,
        entities: {
          ...miss.entities,
          canonical: miss.canonical ?? null,
          residue: miss.residue ?? null,
        } satisfies StoredEntities,
        category: policy.category,
        sources,
        ...(built.calls ? { calls: built.calls } : {}),
      },
      policy.ttlMs,
      built.computedSince,
    );
  }

  invalidateSource(source: string): Promise<number> {
    return this.o.storage.invalidateSource(source);
  }
}

/** Why a search found nothing to serve: no neighbour, the nearest below the threshold, or entities differ. */
function missReason(
  neighbours: readonly { similarity: number }[],
  threshold: number,
): Pick<CacheMiss, "reason" | "nearest"> {
  const nearest = neighbours[0]?.similarity;
  if (nearest === undefined) return { reason: "no entry" };
  const rounded = Math.round(nearest * 10_000) / 10_000;
  return { reason: nearest < threshold ? "below threshold" : "entity differs", nearest: rounded };
}
