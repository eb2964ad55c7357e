/**
 * The entity guard: what must match exactly between a request and a cached answer, however
 * close the vectors are — places with their direction, dates, amounts and other numbers,
 * airlines, and negation.
 */
import { foldText } from "./fold.js";
import { defaultGazetteer } from "./gazetteer.js";

/**
 * Words that flip an answer while barely moving a sentence vector (join / leave, carry-on /
 * checked, arrival / departure): whichever of them a request uses must match too.
 */
const CONTRASTS =
  /\b(join|leave|quit|add|remove|upgrade|downgrade|increase|decrease|before|after|arriv\w*|depart\w*|earliest|latest|cheapest|most expensive|window|aisle|domestic|international|adults?|child(?:ren)?|kids?|infants?|checked|carry-on|cabin|hold|one-way|round-trip|refundable|non-refundable|economy|business|first class|outbound|return)\b/g;

export interface Entities {
  /** `role:IATA|IATA` in order of appearance; role is the preposition before the place. */
  places: string[];
  airlines: string[];
  numbers: string[];
  dates: string[];
  contrasts: string[];
  negated: boolean;
}

const DATE_WORDS =
  /\b(today|tonight|tomorrow|yesterday|weekend|next\s+\w+|this\s+(?:week|month|year|weekend)|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|spring|summer|autumn|fall|winter|christmas|easter|new year)\b/g;
const NUMBER = /\d[\d,]*(?:\.\d+)?/g;
const NEGATION =
  /\b(not|no|never|without|except|avoid|neither|nor|none|cannot|can't|won't|don't|doesn't|isn't|aren't|didn't|shouldn't|wouldn't)\b|n't\b/;
const ROLE = /\b(from|to|in|into|out of|via|near|at|around|leaving|departing|arriving)\s*$/;

export function extractEntities(text: string): Entities {
  const folded = foldText(text);
  const lower = folded.toLowerCase();
  const gaz = defaultGazetteer();
  const places = gaz.findPlaces(folded).map((m) => {
    const before = lower.slice(Math.max(0, m.start - 12), m.start);
    const role = ROLE.exec(before)?.[1]?.replace(/\s+/g, " ") ?? "";
    const norm = role === "into" ? "to" : role === "leaving" || role === "departing" ? "from" : role;
    return `${norm}:${m.airports
      .map((a) => a.iata)
      .sort()
      .join("|")}`;
  });
  const airlines = gaz
    .findAirlines(folded)
    .map((a) => a.airline?.code ?? a.text.toLowerCase())
    .sort();
  const numbers = (lower.match(NUMBER) ?? []).map((n) => n.replace(/,/g, "").replace(/\.0+$/, "")).sort();
  const dates = (lower.match(DATE_WORDS) ?? []).map((d) => d.replace(/\s+/g, " ")).sort();
  const contrasts = [...new Set(lower.match(CONTRASTS) ?? [])].sort();
  return { places, airlines, numbers, dates, contrasts, negated: NEGATION.test(lower) };
}

export function sameEntities(a: Entities, b: Entities): boolean {
  const eq = (x: string[], y: string[]): boolean => x.length === y.length && x.every((v, i) => v === y[i]);
  return (
    a.negated === b.negated &&
    eq(a.places, b.places) &&
    eq(a.airlines, b.airlines) &&
    eq(a.numbers, b.numbers) &&
    eq(a.dates, b.dates) &&
    eq(a.contrasts ?? [], b.contrasts ?? [])
  );
}
