/**
 * Cities Flightly does not serve, named in free text: a name of the world reference that is no
 * served city's name, read as a place only in a place position, so that a city whose name is also
 * an everyday word ("Reading", "Hope", "Mobile") is a city only where a place is expected:
 * after a route or motion word ("from", "to", "in", "leaving", "arrive in", "out of"), before
 * "to" and another place ("X to Y"), or joined by "and"/"or" to a place just named.
 */
import { findCarriers } from "./carriers.js";
import { foldText } from "./fold.js";
import type { Gazetteer } from "./gazetteer.js";
import { BOUNDARY, type Token, tokenize } from "./names.js";
import type { ReferenceCity } from "./reference.js";

/** A served airport near an unserved city. */
export interface NearbyAirport {
  iata: string;
  city: string;
  km: number;
}

/** A city Flightly does not serve, as the reference knows it. */
export interface UnservedCity {
  /** The reference's spelling ("St. Louis"). */
  name: string;
  country: string;
  /** Served airports nearest to it, nearest first. */
  nearest: NearbyAirport[];
}

export interface UnservedMention {
  start: number;
  end: number;
  text: string;
  city: UnservedCity;
  /** Where a state or country qualifying it ends ("Tacoma Washington"), else `end`. */
  qualifiedEnd: number;
}

/** Words after which a name stands where a place is expected. */
const PLACE_CUES = new Set(
  (
    "from to into in at between via through toward towards near for leaving leave leaves left depart " +
    "departs departing arriving arrives arrive reach reaching reaches visit visiting either destination"
  ).split(" "),
);
/** Names shorter than this are never read as an unserved city (codes and short words). */
const MIN_NAME_CHARS = 4;
/** How many served airports an unserved city lists. */
const NEAREST = 3;

/** Of several cities with one name, the one nearest to Flightly's network (the likeliest meant). */
function likeliest(gazetteer: Gazetteer, cities: readonly ReferenceCity[]): ReferenceCity {
  const distance = (c: ReferenceCity): number => gazetteer.nearestServed(c, 1)[0]?.km ?? Infinity;
  return [...cities].sort((a, b) => distance(a) - distance(b))[0]!;
}

/** The reference city `cities` stand for, with the served airports nearest to it. */
function unservedCity(gazetteer: Gazetteer, cities: readonly ReferenceCity[]): UnservedCity {
  const city = likeliest(gazetteer, cities);
  const nearest = gazetteer
    .nearestServed(city, NEAREST)
    .map(({ airport, km }) => ({ iata: airport.iata, city: airport.city, km }));
  return { name: city.name, country: city.country, nearest };
}

/** A reference name that may be an unserved city: not served, long enough, not a function word. */
function candidate(gazetteer: Gazetteer, key: string): boolean {
  return (
    key.length >= MIN_NAME_CHARS && !gazetteer.isServedName(key) && !BOUNDARY.has(key.split(" ")[0] ?? "")
  );
}

/**
 * The unserved city whose name starts the words ("boise idaho" → Boise), or undefined. Used for
 * the ends of a route, which are place positions already.
 */
export function unservedCityIn(
  gazetteer: Gazetteer,
  words: string,
): { text: string; city: UnservedCity } | undefined {
  const reference = gazetteer.reference;
  if (!reference) return undefined;
  const folded = foldText(words);
  const tokens = tokenize(folded);
  const hit = reference.cityAt(folded, tokens, 0, (key) => candidate(gazetteer, key));
  if (!hit) return undefined;
  const text = folded.slice(tokens[0]!.start, tokens[hit.length - 1]!.end);
  return { text, city: unservedCity(gazetteer, hit.cities) };
}

/** Unserved cities in reading order; never overlapping a served place. */
export function findUnservedCities(gazetteer: Gazetteer, text: string): UnservedMention[] {
  const reference = gazetteer.reference;
  if (!reference) return [];
  const folded = foldText(text);
  const tokens = tokenize(folded);
  // Served places and airline names ("Delta") are never an unserved city.
  const served = gazetteer.findPlaces(folded);
  const carriers = findCarriers(folded.toLowerCase());
  const within = (spans: ReadonlyArray<{ start: number; end: number }>, t: Token | undefined): boolean =>
    t !== undefined && spans.some((m) => m.start <= t.start && t.end <= m.end);
  const inServed = (t: Token | undefined): boolean => within(served, t);
  const startsPlace = (j: number): boolean => {
    const t = tokens[j];
    if (!t) return false;
    if (served.some((m) => m.start === t.start)) return true;
    return reference.cityAt(folded, tokens, j, (key) => candidate(gazetteer, key)) !== undefined;
  };
  const found: UnservedMention[] = [];
  let lastPlaceEnd = -1;
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (inServed(t) || within(carriers, t)) {
      if (inServed(t)) lastPlaceEnd = i;
      i += 1;
      continue;
    }
    const hit = reference.cityAt(folded, tokens, i, (key) => candidate(gazetteer, key));
    if (!hit) {
      i += 1;
      continue;
    }
    const before = tokens[i - 1]?.word ?? "";
    const next = tokens[i + hit.length];
    const cued =
      PLACE_CUES.has(before) ||
      (before === "of" && tokens[i - 2]?.word === "out") ||
      ((before === "and" || before === "or") && lastPlaceEnd === i - 2) ||
      // A list of places: "Boston, Akron or Denver".
      (i > 0 && lastPlaceEnd === i - 1 && /^\s*,\s*$/.test(folded.slice(tokens[i - 1]!.end, t.start))) ||
      ((next?.word === "to" || next?.word === "into") && startsPlace(i + hit.length + 1));
    if (!cued) {
      i += 1;
      continue;
    }
    const last = tokens[i + hit.length - 1]!;
    i += hit.length;
    lastPlaceEnd = i - 1;
    // A state or country right after the city qualifies it ("Oakland California").
    const region = /^[\s,]*$/.test(folded.slice(last.end, tokens[i]?.start))
      ? reference.regionAt(folded, tokens, i)
      : 0;
    i += region;
    found.push({
      start: t.start,
      end: last.end,
      text: folded.slice(t.start, last.end),
      city: unservedCity(gazetteer, hit.cities),
      qualifiedEnd: region > 0 ? tokens[i - 1]!.end : last.end,
    });
  }
  return found;
}
