/** The `local` model provider: a deterministic offline planner, and the pieces it is built from. */
export { type Flight, type PlannerContext, readContext, readConversation } from "./context.js";
export {
  type Airline,
  type AirlineMention,
  type Airport,
  defaultGazetteer,
  Gazetteer,
  type PlaceMention,
} from "./gazetteer.js";
export { detectIntents, INTENTS, type Intent, type IntentResult } from "./intents.js";
export { type Decision, LocalPlanner, type LocalPlannerOptions } from "./planner.js";
export { fitInput } from "./schema.js";
export {
  type Budget,
  type BudgetPer,
  type DateRange,
  extractSlots,
  type Place,
  type Selection,
  type Slots,
} from "./slots.js";
