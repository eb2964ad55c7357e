import type { Config } from "../../core/config.js";
import type { Logger } from "../../core/logger.js";
import type { ShortTermStore } from "../store/types.js";
import { BedrockEmbedder } from "./bedrock.js";
import { CachedEmbedder } from "./cache.js";
import { LocalEmbedder } from "./local.js";
import type { Embedder } from "./types.js";

export type { Embedder } from "./types.js";

export interface CreateEmbedderOptions {
  /** TTL of cached vectors (default 7 days). */
  cacheTtlMs?: number;
  logger?: Logger;
}

/**
 * The embedder `config.embeddings` asks for: the local embedder (384 dimensions, `flightly-local-v1`;
 * the configured model id and dimensions apply to Bedrock only) or Titan V2 on Bedrock, wrapped in
 * the store-backed cache when a store is given and the embedder is remote.
 * @throws FlightlyError `UNAVAILABLE` when the local vocabulary file is missing (fails at start-up,
 *   not on the first request), `CONFIG_INVALID` for unsupported Titan dimensions.
 */
export function createEmbedder(
  config: Config,
  store?: ShortTermStore,
  options: CreateEmbedderOptions = {},
): Embedder {
  const base: Embedder =
    config.embeddings.provider === "bedrock"
      ? new BedrockEmbedder({
          region: config.awsRegion,
          modelId: config.embeddings.modelId,
          dimensions: config.embeddings.dimensions,
        })
      : new LocalEmbedder().load();
  // A local embed (~40 µs) is cheaper than a Valkey round trip: only remote embedders are cached.
  if (!store || config.embeddings.provider === "local") return base;
  return new CachedEmbedder(base, store, {
    ...(options.cacheTtlMs === undefined ? {} : { ttlMs: options.cacheTtlMs }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
}
