/**
 * The semantic response cache: exact match on the normalised text, then the nearest cached
 * request above the threshold whose entities match exactly. Only scopes the asker may see are
 * searched (shared, and the asker's own), so no answer crosses customers.
 */
import { createHash } from "node:crypto";
import type { Logger } from "../../core/logger.js";
import { type Entities, extractEntities, sameEntities } from "../../language/index.js";
import type { Embedder } from "../../memory/embeddings/types.js";
import type { CacheScope, ResponseCacheStore } from "../../memory/response-cache.js";
import type { AnswerCachePolicy } from "./policy.js";

export interface CacheHit {
  hit: true;
  kind: "exact" | "semantic";
  similarity: number;
  matched_prompt: string;
  response: string;
  category: string;
}

export interface CacheMiss {
  hit: false;
  /** Reused when the fresh answer is stored. */
  embedding: Float32Array | undefined;
  entities: Entities;
  hash: string;
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
  threshold: number;
  logger: Logger;
}

export class SemanticCache {
  constructor(private readonly o: SemanticCacheOptions) {}

  #scopes(actorId: string): CacheScope[] {
    return [`actor:${actorId}`, "shared"];
  }

  async lookup(prompt: string, actorId: string): Promise<CacheHit | CacheMiss> {
    const normalised = normalise(prompt);
    const hash = createHash("sha256").update(normalised).digest("hex").slice(0, 32);
    const scopes = this.#scopes(actorId);
    const exact = await this.o.storage.getExact(scopes, hash);
    if (exact) {
      return {
        hit: true,
        kind: "exact",
        similarity: 1,
        matched_prompt: exact.prompt,
        response: exact.response,
        category: exact.category,
      };
    }
    // Entities only matter from here on: an exact hit is the same text.
    const entities = extractEntities(prompt);
    // Embed the text as written: case and punctuation carry entity cues for the embedder.
    const [embedding] = await this.o.embedder.embed([prompt.trim()]);
    if (!embedding) return { hit: false, embedding: undefined, entities, hash };
    const neighbours = await this.o.storage.nearest(embedding, scopes);
    for (const n of neighbours) {
      if (n.similarity < this.o.threshold) break;
      if (!sameEntities(entities, n.entities as Entities)) continue;
      return {
        hit: true,
        kind: "semantic",
        similarity: Math.round(n.similarity * 10_000) / 10_000,
        matched_prompt: n.prompt,
        response: n.response,
        category: n.category,
      };
    }
    return { hit: false, embedding, entities, hash };
  }

  async store(
    prompt: string,
    actorId: string,
    miss: CacheMiss,
    policy: AnswerCachePolicy,
    response: string,
    sources: string[],
  ): Promise<boolean> {
    if (policy.scope === "never" || !miss.embedding) return false;
    const scope: CacheScope = policy.scope === "shared" ? "shared" : `actor:${actorId}`;
    return this.o.storage.put(
      scope,
      miss.hash,
      miss.embedding,
      { prompt, response, entities: miss.entities, category: policy.category, sources },
      policy.ttlMs,
    );
  }

  invalidateSource(source: string): Promise<number> {
    return this.o.storage.invalidateSource(source);
  }
}
