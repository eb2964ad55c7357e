/**
 * The entity guard: what must match exactly between a request and a cached answer, however
 * close the vectors are — places with their direction, dates (words, days of the month and, given
 * `now`, absolute days), amounts and other numbers, airlines by name and code, what is excluded,
 * times of day, trip type, cabin, currencies, contrast words and negation.
 */

import { memoRead } from "../core/memo.js";
import { readCarriers } from "./carriers.js";
import { daysOfMonth, readTimes } from "./entity-readers.js";
import { foldText } from "./fold.js";
import { defaultGazetteer, nameKey } from "./gazetteer.js";
import { extractSlots } from "./slots/extract.js";
import { findUnservedCities } from "./unserved.js";

/**
 * Words that flip an answer while barely moving a sentence vector (join / leave, carry-on /
 * checked, arrival / departure): whichever of them a request uses must match too.
 */
const CONTRASTS =
  /\b(join|leave|quit|add|remove|upgrade|downgrade|increase|decrease|before|after|arriv\w*|depart\w*|earliest|latest|cheapest|most expensive|window|aisle|domestic|international|adults?|child(?:ren)?|kids?|infants?|checked|carry-on|cabin|hold|refundable|non-refundable|outbound|return|nonstop|non-stop|direct|connecting|layovers?|stops?)\b/g;

/** The entity set's format; entries of another version never match. */
const ENTITIES_VERSION = 3;

export interface Entities {
  v?: number;
  /**
   * `role:IATA|IATA` in order of appearance, `role:?name` for a city Flightly does not serve; role
   * is the preposition before the place.
   */
  places: string[];
  /** Two-letter codes (or the name as written for an unknown airline), sorted. */
  airlines: string[];
  /** What an exclusion word applies to: `airline:XX`, `place:IATA` or `word:<word>`. */
  excluded: string[];
  numbers: string[];
  dates: string[];
  /** Days of the month, however written: `apr-1` ("april first", "1st of April", "April 1"). */
  days: string[];
  /** Absolute days and ranges read with the clock (`2026-06-01..2026-06-07`); empty without one. */
  when: string[];
  /** Parts of the day and clock times with their relation: `morning`, `before@10:00`. */
  times: string[];
  trip: string[];
  cabin: string[];
  currencies: string[];
  contrasts: string[];
  /** What the request was resolved against (session results, defaulted origin or dates). */
  context: string[];
  negated: boolean;
}

const DATE_WORDS =
  /\b(today|tonight|tomorrow|yesterday|weekend|next\s+\w+|this\s+(?:week|month|year|weekend)|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|spring|summer|autumn|fall|winter|christmas|easter|new year)\b/g;
const NUMBER = /\d[\d,]*(?:\.\d+)?/g;
const NEGATION =
  /\b(not|no|never|without|except|excluding|exclude|avoid|avoiding|neither|nor|none|cannot|can't|won't|don't|doesn't|isn't|aren't|didn't|shouldn't|wouldn't|other than|anything but|instead of|apart from|but not)\b|n't\b/;
/** An exclusion word; what follows it (within a few words) is excluded. */
const EXCLUSION =
  /\b(?:excluding|exclude|except(?:\s+for)?|other\s+than|anything\s+but|instead\s+of|apart\s+from|but\s+not|not|no|never|avoid(?:ing)?|without|skip(?:ping)?|besides)\s+/g;
const FILLER = new Set([
  "a",
  "an",
  "the",
  "any",
  "on",
  "with",
  "by",
  "via",
  "flying",
  "fly",
  "in",
  "to",
  "from",
]);
const ROLE = /\b(from|to|in|into|out of|via|near|at|around|leaving|departing|arriving)\s*$/;
const TRIP: ReadonlyArray<[RegExp, string]> = [
  [/\bone[\s-]?way\b/, "one-way"],
  [/\b(?:round[\s-]?trip|return\s+(?:ticket|flight|fare)s?|there\s+and\s+back)\b/, "round-trip"],
  [/\bmulti[\s-]?city\b/, "multi-city"],
];
const CABIN: ReadonlyArray<[RegExp, string]> = [
  [/\bpremium\s+economy\b/, "premium-economy"],
  [/\b(?:economy|coach|main\s+cabin)\b/, "economy"],
  [/\bbusiness(?:\s+class|\s+(?:seat|fare|cabin|ticket)s?)\b|\bbusiness-class\b/, "business"],
  [/\bfirst[\s-]class\b/, "first"],
];
/** A change made by the airline, not the customer ("the airline cancels", "cancelled by the airline"). */
const BY_AIRLINE =
  /\b(?:airline|carrier|flightly|you)\s+(?:cancel|chang|delay|reschedul|mov|overbook|bump)\w*|\b(?:cancel|chang|delay|reschedul|mov|overbook|bump)\w*\s+by\s+(?:the\s+)?(?:airline|carrier|flightly|you)\b/;
const CURRENCY =
  /\b(euros?|eur|dollars?|usd|pounds?(?:\s+sterling)?|gbp|yen|jpy|pesos?|rupees?|francs?|yuan|rmb|won|baht|rand|krona|kronor|krone|dirhams?|reais|real|rubles?|roubles?|lira|zloty|ringgit|dong|shekels?|bitcoin)\b/g;

interface Mention {
  value: string;
  start: number;
  end: number;
}

export function extractEntities(text: string, now?: Date): Entities {
  return now === undefined ? readEntities(text) : readEntitiesAt(text, now);
}

const readEntitiesAt = memoRead((text: string, now: Date) => readEntities(text, now));

function readEntities(text: string, now?: Date): Entities {
  const folded = foldText(text);
  const lower = folded.toLowerCase();
  const gaz = defaultGazetteer();
  const roleBefore = (start: number): string => {
    const role = ROLE.exec(lower.slice(Math.max(0, start - 12), start))?.[1]?.replace(/\s+/g, " ") ?? "";
    return role === "into" ? "to" : role === "leaving" || role === "departing" ? "from" : role;
  };
  const placeMentions: Mention[] = [
    ...gaz.findPlaces(folded).map((m) => {
      const codes = m.airports.map((a) => a.iata).sort();
      return { value: `${roleBefore(m.start)}:${codes.join("|")}`, start: m.start, end: m.end };
    }),
    ...findUnservedCities(gaz, folded).map((m) => ({
      value: `${roleBefore(m.start)}:?${nameKey(m.city.name)}`,
      start: m.start,
      end: m.end,
    })),
  ].sort((a, b) => a.start - b.start);
  // Sold carriers and other real ones by code; a real carrier whose code Flightly uses for its own by name.
  const airlineMentions: Mention[] = readCarriers(folded, gaz).map((c) => ({
    value:
      c.code === undefined
        ? c.name.toLowerCase()
        : c.sold || gaz.airline(c.code) === undefined
          ? c.code
          : c.name.toLowerCase(),
    start: c.start,
    end: c.end,
  }));
  airlineMentions.sort((a, b) => a.start - b.start);
  const numbers = (lower.match(NUMBER) ?? []).map((n) => n.replace(/,/g, "").replace(/\.0+$/, "")).sort();
  const dates = (lower.match(DATE_WORDS) ?? []).map((d) => d.replace(/\s+/g, " ")).sort();
  const contrasts = [
    ...new Set([...(lower.match(CONTRASTS) ?? []), ...(BY_AIRLINE.test(lower) ? ["by-airline"] : [])]),
  ].sort();
  return {
    v: ENTITIES_VERSION,
    places: placeMentions.map((p) => p.value),
    airlines: [...new Set(airlineMentions.map((a) => a.value))].sort(),
    excluded: exclusions(lower, placeMentions, airlineMentions),
    numbers,
    dates,
    days: daysOfMonth(lower),
    when: now ? absoluteDays(text, now) : [],
    times: readTimes(lower),
    trip: TRIP.filter(([re]) => re.test(lower)).map(([, v]) => v),
    cabin: CABIN.filter(([re]) => re.test(lower)).map(([, v]) => v),
    currencies: currencies(lower),
    contrasts,
    context: [],
    negated: NEGATION.test(lower),
  };
}

/** Currencies named, "$" read as dollars. */
function currencies(lower: string): string[] {
  const words = (lower.match(CURRENCY) ?? []).map((c) => c.replace(/s$/, "").replace(/^usd$/, "dollar"));
  if (lower.includes("$")) words.push("dollar");
  return [...new Set(words)].sort();
}

/** What each exclusion word applies to: the airline or place right after it, else the next word. */
function exclusions(lower: string, places: readonly Mention[], airlines: readonly Mention[]): string[] {
  const out = new Set<string>();
  // Exclusion words come in reading order, so each list is walked once.
  let ai = 0;
  let pi = 0;
  for (const m of lower.matchAll(EXCLUSION)) {
    const from = (m.index ?? 0) + m[0].length;
    while (ai < airlines.length && airlines[ai]!.start < from) ai++;
    while (pi < places.length && places[pi]!.start < from) pi++;
    const near = (x: Mention | undefined): Mention | undefined => (x && x.start <= from + 24 ? x : undefined);
    const airline = near(airlines[ai]);
    const place = near(places[pi]);
    if (airline && (!place || airline.start <= place.start)) out.add(`airline:${airline.value}`);
    else if (place) out.add(`place:${place.value.slice(place.value.indexOf(":") + 1)}`);
    else {
      const words = lower.slice(from, from + 40).match(/[a-z0-9'-]+/g) ?? [];
      const word = words.find((w) => !FILLER.has(w));
      if (word) out.add(`word:${word}`);
    }
  }
  return [...out].sort();
}

/** The message's days and ranges as absolute dates, read with the slot reader's clock. */
function absoluteDays(text: string, now: Date): string[] {
  const s = extractSlots(text, now);
  const out: string[] = [];
  if (s.date) out.push(`day:${s.date}`);
  if (s.returnDate) out.push(`return:${s.returnDate}`);
  if (s.dateRange) out.push(`range:${s.dateRange.from}..${s.dateRange.to}`);
  if (s.nights !== undefined) out.push(`nights:${s.nights}`);
  return out;
}

const LISTS = [
  "places",
  "airlines",
  "excluded",
  "numbers",
  "dates",
  "days",
  "when",
  "times",
  "trip",
  "cabin",
  "currencies",
  "contrasts",
  "context",
] as const;

/** One string for the whole set, equal exactly when `sameEntities` holds. */
export function entitySignature(e: Entities): string {
  return JSON.stringify([e.v ?? 1, e.negated, ...LISTS.map((k) => e[k] ?? [])]);
}

export function sameEntities(a: Entities, b: Entities): boolean {
  return entitySignature(a) === entitySignature(b);
}
