/**
 * Reading travel language: text folding, the gazetteer of airports and airlines, slots (places,
 * dates, party, budget, airlines, contact details, preferences) and the entities that the response
 * cache's equivalence check compares. The only entry point; depends on `core/` alone.
 */

export { airlineKey, carrierShortForm } from "./airline-names.js";
export { type CarrierMention, findCarriers, readCarriers, referenceCarrier } from "./carriers.js";
export { expandChatSpeak } from "./chat-speak.js";
export { type Entities, entitySignature, extractEntities, sameEntities } from "./entities.js";
export { foldText } from "./fold.js";
export {
  type Airline,
  type AirlineMention,
  type Airport,
  defaultGazetteer,
  Gazetteer,
  nameKey,
  type PlaceMention,
} from "./gazetteer.js";
export {
  asksAnything,
  asksLeave,
  asksWhen,
  continuesConversation,
  isRulesQuestion,
  speakerStatements,
} from "./question-form.js";
export type {
  MemoryFacts,
  MemoryRecord,
  PlaceReferent,
  ReferentSource,
  SessionFacts,
} from "./referents.js";
export {
  needsMemory,
  type Reference,
  type ReferenceKind,
  type RequestReading,
  type ResolvedRequest,
  readRequest,
  resolveRequest,
} from "./request.js";
export {
  type Budget,
  type BudgetPer,
  type DateRange,
  extractSlots,
  type Place,
  readSlots,
  type Selection,
  type Slots,
  type UnknownPlace,
  withoutCalendarDays,
} from "./slots/extract.js";
export { type SmallTalk, smallTalkOf } from "./small-talk.js";
export { editDistance, Speller } from "./spelling.js";
export type { NearbyAirport, UnservedCity } from "./unserved.js";
export {
  ASKS_WHAT_TO_WEAR,
  asksWhatToWear,
  TEMPERATURE_WORD,
  TEMPERATURE_WORDS,
  WEATHER_GEAR_WORDS,
} from "./weather-words.js";
