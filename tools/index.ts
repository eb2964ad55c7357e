/**
 * The custom tools, built once from the services, with the read tools cached by their policies.
 */
import type { Config } from "../core/config.js";
import type { Logger } from "../core/logger.js";
import type { Sql } from "../memory/db/index.js";
import type { Embedder } from "../memory/embeddings/types.js";
import type { ShortTermStore } from "../memory/store/types.js";
import { createToolCache, type ToolCache } from "./cache.js";
import type { ToolDeps } from "./common.js";
import { type PaymentProcessor, SimulatedProcessor } from "./payments-processor.js";
import { buildTools } from "./registry.js";
import type { Tool } from "./types.js";

export interface CreateToolsDeps {
  sql: Sql;
  store: ShortTermStore;
  embedder: Embedder;
  config: Config;
  logger: Logger;
  /** Share one cache (and its stats) with other callers; by default one is made over `store`. */
  cache?: ToolCache;
  /** The card processor; by default the simulated one with its test cards. */
  processor?: PaymentProcessor;
}

/** Every custom tool by name. Reads are cached per their policy; writes invalidate what they change. */
// biome-ignore lint/suspicious/noExplicitAny: tools of different inputs share one map, as the runner expects
export function createTools(deps: CreateToolsDeps): Record<string, Tool<any>> {
  const cache = deps.cache ?? createToolCache(deps.store, { logger: deps.logger });
  const d: ToolDeps = {
    sql: deps.sql,
    embedder: deps.embedder,
    config: deps.config,
    logger: deps.logger,
    cache,
    processor: deps.processor ?? new SimulatedProcessor(),
  };
  return buildTools(d, cache);
}

export type { ToolCache } from "./cache.js";
export type { PaymentProcessor } from "./payments-processor.js";
export type { Tool } from "./types.js";
