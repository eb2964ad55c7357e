export {
  type ConsolidationAction,
  type ConsolidationOptions,
  type ConsolidationResult,
  consolidate,
  lockActor,
  nextSummary,
  renderSummary,
  type SummaryState,
  upsertSessionSummary,
} from "./consolidate.js";
export {
  type AppendOptions,
  appendTurnEvent,
  parseTurnEvent,
  type TurnEvent,
  type TurnRole,
} from "./events.js";
export {
  EXTRACTION_PROMPT,
  type Extraction,
  extractionSchema,
  extractWithModel,
  extractWithRules,
  type MemoryCandidate,
} from "./extract.js";
export { type OutboxOptions, type OutboxTurn, TurnOutbox } from "./outbox.js";
export {
  Worker,
  type WorkerOptions,
  type WorkerStats,
} from "./worker.js";
