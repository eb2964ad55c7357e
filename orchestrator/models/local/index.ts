/**
 * The `local` model provider: a deterministic offline planner, and the pieces it is built from.
 * It reads messages with `language/` (gazetteer, slots, text folding).
 */
export { detectIntents, type Intent } from "./intents.js";
export { LocalPlanner } from "./planner.js";
