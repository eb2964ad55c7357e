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

export { type BookingView, getBookingTool, listBookingsTool, releaseExpiredHolds } from "./bookings.js";
export {
  type CacheStats,
  canonicalJson,
  createToolCache,
  type ToolCache,
  type ToolCacheOptions,
  type ToolCachePolicy,
  type WrapOptions,
} from "./cache.js";
export { cancelBookingTool } from "./cancel-booking.js";
export { flightsTag, seatChangeTags, type ToolDeps } from "./common.js";
export { confirmBookingTool } from "./confirm-booking.js";
export {
  type AnswerKind,
  defineTool,
  type JsonObject,
  sharedOutputs,
  type ToolDefinition,
  type ToolMeta,
} from "./definition.js";
export { destinationInfoTool } from "./destination-info.js";
export {
  addInsuranceTool,
  INSURANCE_MINIMUM_CENTS,
  INSURANCE_RATE,
  insurancePremiumCents,
} from "./insurance.js";
export { knowledgeBaseTool } from "./knowledge-base.js";
export {
  type ChargeOutcome,
  type ChargeRequest,
  type PaymentProcessor,
  SimulatedProcessor,
  TEST_CARDS,
} from "./payments-processor.js";
export { processPaymentTool } from "./process-payment.js";
export { type RefundDecision, refundFor } from "./refund.js";
export { type CustomToolName, TOOL_DEFINITIONS, toolDefinition } from "./registry.js";
export { HOLD_MINUTES, reserveFlightTool } from "./reserve-flight.js";
export { searchFlightsTool } from "./search-flights.js";
export { searchHotelsTool } from "./search-hotels.js";
export { supportConversationTool } from "./support-history.js";
export { type Actor, fail, ok, type Tool, type ToolContext, type ToolResult } from "./types.js";
