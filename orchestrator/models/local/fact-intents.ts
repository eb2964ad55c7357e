/**
 * Intent rules for travel facts answered from Flightly's data: airports, airlines, time zones and
 * ground transport. Kept beside the other rules of `intents.ts`, which lists them in its tables.
 */
import { defaultGazetteer, type Slots } from "../../../language/index.js";
import { askedAirlines, askedCodes } from "./codes.js";

/** The intents these rules score (each one of `intents.ts`, which checks it where it lists them). */
type RuleIntent =
  | "time_zone"
  | "ground_transport"
  | "airport_info"
  | "airline_info"
  | "policy_faq"
  | "flight_search"
  | "payment"
  | "destination_advice";

interface PhraseRule {
  intent: RuleIntent;
  re: RegExp;
  weight: number;
  unless?: RegExp;
}

interface SlotRule {
  intent: RuleIntent;
  weight: number;
  when(slots: Slots, lower: string): boolean;
}

/** Renting or hiring a car is not ground transport Flightly answers (a car-rental desk's job). */
const RENTAL = /\b(?:rent(?:al|als|ed|ing)?|hire)\b/;
const TRANSPORT_WORDS =
  /\b(?:taxis?|cabs?|limo(?:usine)?s?|shuttles?|bus(?:es)?|trains?|subway|metro|light rail|rideshares?|uber|lyft|transit)\b/;
/** Asking how to get somewhere ("how do I get", "best way to get", "getting from … into"). */
const GETTING = /\b(?:get|getting|go|going|travel|head|heading)\b[^.?!]{0,20}\b(?:to|into)\b/;
/** Words that make a sentence about flying rather than about the airport as a place. */
const FLYING = /\bflights?\b|\bfl(?:y|ying|ies)\b|\bfares?\b|\btickets?\b/;

export const FACT_PHRASE_RULES: readonly PhraseRule[] = [
  {
    intent: "time_zone",
    re: /\btime ?zones?\b|\btime difference\b|\bwhat time is it\b|\bcurrent (?:local )?time\b|\blocal time (?:in|there|at|now)\b|\bhours? (?:ahead|behind)\b/,
    weight: 1,
  },
  {
    intent: "ground_transport",
    re: /\bground (?:transport(?:ation)?|service|travel)\b|\b(?:public )?transportation\b/,
    weight: 1,
    unless: RENTAL,
  },
  { intent: "ground_transport", re: TRANSPORT_WORDS, weight: 1, unless: RENTAL },
  {
    intent: "ground_transport",
    re: /\b(?:from|leave|leaving|out of) (?:the )?airport (?:to|into|and get to)\b|\b(?:airport|terminal) (?:to|into) (?:downtown|the city|town|the cent(?:er|re)|my hotel|the hotel)\b|\bget (?:downtown|into (?:the )?(?:city|town))\b/,
    weight: 1,
    unless: RENTAL,
  },
  {
    intent: "airport_info",
    re: /\b(?:what|which|name|list|show me|tell me)\b[^.?!]{0,25}\bairports?\b|\bairports? (?:codes?|names?|in|near|for|serv(?:e|es|ing)|does|do|are)\b|\b(?:what|which) city is\b/,
    weight: 1,
    unless: new RegExp(`${FLYING.source}|${TRANSPORT_WORDS.source}|\\bground\\b|\\bget (?:from|to)\\b`),
  },
];

/**
 * Readings the fact questions share with the older rules: bags in a question are a policy matter
 * (not a flight search, not a payment), and fun, sights and getaways are destination advice.
 */
const BAGS = /\b(?:carry[- ]?ons?|hand luggage|cabin bags?|checked bags?|baggage|luggage|suitcases?)\b/;
export const SHARED_PHRASE_RULES: readonly PhraseRule[] = [
  { intent: "policy_faq", re: /\bcarry[- ]ons?\b/, weight: 1 },
  { intent: "flight_search", re: BAGS, weight: -1 },
  { intent: "payment", re: new RegExp(`\\b(?:pay|charge)\\w*\\b[^.?!]{0,20}${BAGS.source}`), weight: -1 },
  {
    intent: "destination_advice",
    re: /\b(?:fun|things?|something|anything|stuff)\b[^.?!]{0,30}\bto (?:do|see|visit)\b|\bfor fun\b|\btouris(?:t|ts|ty|m)\b|\bsite? ?seeing\b|\bsites? to see\b|\bentertainment\b|\bfestivals?\b|\b(?:travel )?destinations\b|\bget ?away\b|\bplaces? to (?:go|travel|visit)\b|\bwhat (?:can|should|could) (?:i|we|a \w+) do\b|\b(?:can|could|should) (?:i|we) (?:do|see)\b/,
    weight: 1,
  },
];

export const FACT_SLOT_RULES: readonly SlotRule[] = [
  {
    intent: "airport_info",
    weight: 1,
    when: (_s, lower) => askedCodes(lower, defaultGazetteer()).some((c) => c.kind === "airport"),
  },
  {
    intent: "airline_info",
    weight: 1,
    when: (_s, lower) => askedAirlines(lower, defaultGazetteer()).length > 0,
  },
  // Getting from an airport into its own city ("from JFK into Manhattan", "from Narita into the
  // city"): no other airport is the destination, and nothing is said of flying.
  {
    intent: "ground_transport",
    weight: 1,
    when: (s, lower) =>
      s.origin !== undefined &&
      s.destinations.every((d) => d.city === s.origin!.city) &&
      GETTING.test(lower) &&
      !FLYING.test(lower) &&
      !RENTAL.test(lower),
  },
];

/** A fact question is not a flight search, nor the destination advice or policy its words may suggest. */
export const FACT_SUPPRESSIONS: ReadonlyArray<{ intent: RuleIntent; by: RuleIntent }> = [
  { intent: "flight_search", by: "ground_transport" },
  { intent: "flight_search", by: "airport_info" },
  { intent: "flight_search", by: "airline_info" },
  { intent: "flight_search", by: "time_zone" },
  { intent: "destination_advice", by: "ground_transport" },
  { intent: "policy_faq", by: "ground_transport" },
  { intent: "airport_info", by: "ground_transport" },
  { intent: "airport_info", by: "time_zone" },
];
