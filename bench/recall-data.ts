/**
 * The long-term recall stage's data (`recall.ts`): synthetic travel memories and the questions
 * recalled against them, deterministic so that every run and every kept data dir holds the same rows.
 */
import { MONTHS } from "../mcp-servers/weather/climate.js";
import { prng } from "../memory/db/world.js";

const CITIES = [
  "Tokyo",
  "Honolulu",
  "Maui",
  "Paris",
  "London",
  "Seattle",
  "Los Angeles",
  "San Francisco",
  "Sydney",
  "Singapore",
  "Rome",
  "Barcelona",
  "Lisbon",
  "Vancouver",
  "New York",
  "Chicago",
  "Denver",
  "Cancun",
  "Reykjavik",
  "Bangkok",
  "Seoul",
  "Osaka",
  "Kyoto",
  "Amsterdam",
  "Berlin",
  "Dublin",
  "Boston",
  "Miami",
];
const AIRLINES = ["Northwind", "Pacific Crest", "Skyline", "Aurora Air", "Bluejay", "Coastal", "Summit"];
const SEATS = ["window", "aisle", "exit row", "bulkhead", "front row"];
const FOODS = ["vegetarian", "vegan", "gluten free", "kosher", "halal", "nut free", "dairy free"];
const PARTY = ["alone", "with a partner", "with two children", "with elderly parents", "with colleagues"];
const HOTELS = ["beach resort", "boutique hotel", "business hotel", "family suite", "ryokan", "hostel"];
const TOPICS = [
  "baggage fees",
  "visa rules",
  "seat upgrades",
  "refunds",
  "pet travel",
  "lounge access",
  "travel insurance",
  "wheelchair assistance",
  "infant fares",
  "name changes",
  "missed connections",
  "carry-on size",
];
const SIGHTS = [
  "the beach",
  "museums",
  "the old town",
  "the harbour",
  "ski slopes",
  "night markets",
  "hiking trails",
];
const OCCASIONS = ["an anniversary", "a birthday", "a honeymoon", "a conference", "a wedding", "a reunion"];
const CABINS = ["economy", "premium economy", "business", "first class"];
const TIERS = ["silver", "gold", "platinum", "diamond"];
const CARS = ["compact car", "minivan", "convertible", "SUV", "electric car"];
const NAMES = [
  "Alice",
  "Bruno",
  "Chen",
  "Dana",
  "Emeka",
  "Fatima",
  "Goran",
  "Hana",
  "Ivan",
  "Julia",
  "Kenji",
  "Leila",
  "Marco",
  "Nadia",
  "Omar",
  "Priya",
  "Quinn",
  "Rosa",
  "Sven",
  "Tariq",
  "Uma",
  "Victor",
  "Wen",
  "Yusuf",
];

/**
 * Synthetic memories in the shapes the tiering worker writes (preferences, facts, episodes):
 * a template with several slots and a qualifying clause, so that rows are distinct (exact
 * duplicates would be an unrealistic worst case for an HNSW graph).
 */
export function memoryTexts(n: number, seed = 7): string[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const templates: Array<() => string> = [
    () => `Prefers ${pick(SEATS)} seats on ${pick(AIRLINES)} flights to ${pick(CITIES)}`,
    () => `Travelling to ${pick(CITIES)} in ${pick(MONTHS)} ${pick(PARTY)} for ${int(2, 21)} days`,
    () => `Hotel budget is about $${int(8, 60) * 10} per night in ${pick(CITIES)} near ${pick(SIGHTS)}`,
    () => `Needs ${pick(FOODS)} meals on flights longer than ${int(2, 14)} hours to ${pick(CITIES)}`,
    () =>
      `Avoids flying with ${pick(AIRLINES)} after a ${int(2, 12)} hour delay in ${pick(CITIES)} in ${pick(MONTHS)}`,
    () => `Booked a ${int(1, 14)} night stay at a ${pick(HOTELS)} in ${pick(CITIES)} for ${pick(OCCASIONS)}`,
    () => `Asked about ${pick(TOPICS)} for a trip from ${pick(CITIES)} to ${pick(CITIES)} in ${pick(MONTHS)}`,
    () => `Home airport is ${pick(CITIES)}; usually flies ${pick(CABINS)} and checks ${int(0, 3)} bags`,
    () => `Celebrating ${pick(OCCASIONS)} in ${pick(CITIES)} in ${pick(MONTHS)} and wants a ${pick(HOTELS)}`,
    () => `Children are ${int(1, 16)} and ${int(1, 16)} years old and like ${pick(SIGHTS)}`,
    () => `Loyalty member of ${pick(AIRLINES)} at ${pick(TIERS)} tier since ${int(2008, 2026)}`,
    () => `Rented a ${pick(CARS)} in ${pick(CITIES)} and returned it ${int(1, 5)} hours late`,
  ];
  const qualifiers: Array<() => string> = [
    () => "",
    () => `, mentioned in ${pick(MONTHS)} ${int(2019, 2026)}`,
    () => `, for ${pick(NAMES)}`,
    () => `, travelling with ${pick(NAMES)} and ${pick(NAMES)}`,
    () => `, unless the fare is over $${int(2, 40) * 50}`,
    () => `; confirmed by phone on day ${int(1, 28)}`,
  ];
  return Array.from({ length: n }, () => `${pick(templates)()}${pick(qualifiers)()}`);
}

/** Questions an agent recalls memories for. */
export function recallQueries(n: number, seed = 11): string[] {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const templates: Array<() => string> = [
    () => `which seat does the customer like on the way to ${pick(CITIES)}?`,
    () => `what hotel budget do they have in ${pick(CITIES)}?`,
    () => `any dietary needs for the flight?`,
    () => `which airlines should we avoid?`,
    () => `who is travelling to ${pick(CITIES)} and when?`,
    () => `how old are the children?`,
    () => `what did they ask about ${pick(TOPICS)}?`,
    () => `past stays in ${pick(CITIES)}`,
  ];
  return Array.from({ length: n }, () => pick(templates)());
}
