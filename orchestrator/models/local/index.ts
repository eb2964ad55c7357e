/**
 * The `local` model provider: a deterministic offline planner, and the pieces it is built from.
 * It reads messages with `language/` (gazetteer, slots, text folding).
 */
export { type Flight, type PlannerContext, readContext, readConversation } from "./context.js";
export { detectIntents, INTENTS, type Intent, type IntentResult } from "./intents.js";
export { type Decision, LocalPlanner, type LocalPlannerOptions } from "./planner.js";
export { fitInput } from "./schema.js";
