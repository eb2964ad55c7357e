/**
 * Places and airlines: loads `data/airports.json` and `data/airlines.json`
 * and finds mentions of them in free text (IATA codes, city names, airport names, aliases;
 * case-insensitive, multi-word, longest match first).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { DATA } from "../core/paths.js";
import { foldText } from "./fold.js";
import { JOINABLE_GAP, MAX_NAME_TOKENS, nameKey, type Token, tokenize } from "./names.js";
import { type Coordinates, greatCircleKm, PlaceReference } from "./reference.js";

export { nameKey } from "./names.js";

const airportSchema = z.object({
  iata: z.string().regex(/^[A-Z]{3}$/),
  name: z.string().min(1),
  city: z.string().min(1),
  country: z.string().length(2),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  tz: z.string().min(1),
  aliases: z.array(z.string()).default([]),
});
const airlineSchema = z.object({
  code: z.string().regex(/^[A-Z0-9]{2}$/),
  name: z.string().min(1),
  hubs: z.array(z.string()).default([]),
  aliases: z.array(z.string()).default([]),
});

export type Airport = z.infer<typeof airportSchema>;
export type Airline = z.infer<typeof airlineSchema>;

/** A place named in the text; `airports` lists every airport the words can mean (Tokyo → NRT, HND). */
export interface PlaceMention {
  start: number;
  end: number;
  /** The words as written. */
  text: string;
  airports: Airport[];
  via: "iata" | "name";
}

export interface AirlineMention {
  start: number;
  end: number;
  text: string;
  /** Undefined for an airline we do not know ("Delta Air Lines"), kept by its written name. */
  airline: Airline | undefined;
}

/** Names that are also everyday words: matched only capitalised and after a place word. */
const EVERYDAY_NAMES = new Set(["nice"]);
/** What joins two airport codes written as a route: a hyphen or dash, an arrow, "to". */
const ROUTE_JOIN = /^\s*(?:-|–|—|->|→|>|to)\s*$/;

/** IATA codes that are words; written in lower case they are words, never airports. */
const WORD_CODES = new Set([
  "sea",
  "mad",
  "den",
  "lax",
  "nan",
  "gum",
  "sin",
  "san",
  "mel",
  "doh",
  "aus",
  "vie",
  "dub",
  "bom",
  "arn",
  "oka",
  "ito",
  "fra",
  "hel",
  "per",
]);
const PLACE_WORDS = new Set([
  "to",
  "from",
  "in",
  "into",
  "at",
  "near",
  "visit",
  "visiting",
  "or",
  "and",
  "via",
]);
const GENERIC_AIRLINE = /\b(?:[A-Z][a-z]+\s+){1,2}(?:Air(?:\s+Lines)?|Airlines|Airways|Airline)\b/g;
const NOT_NAME_WORDS = new Set([
  "not",
  "no",
  "avoid",
  "book",
  "fly",
  "the",
  "on",
  "with",
  "but",
  "except",
  "anything",
  "prefer",
  "only",
  "never",
  "and",
  "or",
  "please",
  "any",
  "skip",
]);

export class Gazetteer {
  readonly airports: readonly Airport[];
  readonly airlines: readonly Airline[];
  readonly #byIata = new Map<string, Airport>();
  readonly #byName = new Map<string, Airport[]>();
  readonly #airlineByKey = new Map<string, Airline>();
  readonly #airlineByCode = new Map<string, Airline>();

  /** Cities of the world with airports, served or not; absent in a gazetteer built without it. */
  readonly reference: PlaceReference | undefined;

  constructor(airports: readonly Airport[], airlines: readonly Airline[], reference?: PlaceReference) {
    this.airports = airports;
    this.airlines = airlines;
    this.reference = reference;
    for (const a of airports) {
      this.#byIata.set(a.iata, a);
      for (const name of [a.city, a.name, ...a.aliases]) this.#addName(nameKey(name), a);
    }
    for (const al of airlines) {
      this.#airlineByCode.set(al.code.toUpperCase(), al);
      for (const name of [al.name, ...al.aliases]) this.#airlineByKey.set(nameKey(name), al);
    }
  }

  #addName(key: string, airport: Airport): void {
    if (!key) return;
    const list = this.#byName.get(key) ?? [];
    if (!list.includes(airport)) list.push(airport);
    this.#byName.set(key, list);
  }

  /** Loads the shipped data files (validated; a malformed file fails with the reason). */
  static load(dir: string = DATA): Gazetteer {
    const read = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), "utf8"));
    const airports = z.array(airportSchema).parse(read("airports.json"));
    const airlines = z.array(airlineSchema).parse(read("airlines.json"));
    const reference = existsSync(join(dir, "reference", "cities.json"))
      ? PlaceReference.load(dir)
      : undefined;
    return new Gazetteer(airports, airlines, reference);
  }

  airport(iata: string): Airport | undefined {
    return this.#byIata.get(iata.toUpperCase());
  }

  /** Airports a name or code stands for ("maui" → [OGG], "Tokyo" → [NRT, HND], "sea" → [SEA]). */
  resolve(nameOrCode: string): Airport[] {
    const byCode = /^[A-Za-z]{3}$/.test(nameOrCode.trim()) ? this.airport(nameOrCode.trim()) : undefined;
    if (byCode) return [byCode];
    return [...(this.#byName.get(nameKey(nameOrCode)) ?? [])];
  }

  /** True when a name key ("st paul") names an airport Flightly serves. */
  isServedName(key: string): boolean {
    return this.#byName.has(key);
  }

  /** The `n` served airports nearest to a point, nearest first, with their distance in km. */
  nearestServed(point: Coordinates, n: number): Array<{ airport: Airport; km: number }> {
    return this.airports
      .map((airport) => ({ airport, km: Math.round(greatCircleKm(point, airport)) }))
      .sort((a, b) => a.km - b.km || a.airport.iata.localeCompare(b.airport.iata))
      .slice(0, n);
  }

  /** Known airline by name, alias or two-letter code. */
  airline(nameOrCode: string): Airline | undefined {
    return (
      this.#airlineByCode.get(nameOrCode.trim().toUpperCase()) ?? this.#airlineByKey.get(nameKey(nameOrCode))
    );
  }

  /** True when a flight's airline name or code is the airline a user named. */
  sameAirline(flight: { airline?: string; airline_code?: string }, named: string): boolean {
    const known = this.airline(named);
    const key = nameKey(named);
    const names = new Set([key, ...(known ? [nameKey(known.name), ...known.aliases.map(nameKey)] : [])]);
    const code = known?.code ?? named.trim().toUpperCase();
    return (
      (flight.airline !== undefined && names.has(nameKey(flight.airline))) ||
      (flight.airline_code !== undefined && flight.airline_code.toUpperCase() === code)
    );
  }

  /**
   * The airports of the one name spelled closest to `words` (a typo: at most one edit for names
   * of up to 7 letters, two for longer ones; names under 5 letters are never guessed). Undefined
   * when none is that close or two names are equally close. Linear in the number of names.
   */
  closestPlace(words: string): Airport[] | undefined {
    const target = nameKey(words);
    if (target.length < 5 || target.length > 40) return undefined;
    const limit = target.length <= 7 ? 1 : 2;
    let best: { distance: number; airports: Airport[] } | undefined;
    let tie = false;
    for (const [name, airports] of this.#byName) {
      if (name.length < 5 || Math.abs(name.length - target.length) > limit) continue;
      const distance = editDistance(target, name, limit);
      if (distance > limit) continue;
      if (best && distance === best.distance && best.airports[0] !== airports[0]) tie = true;
      if (!best || distance < best.distance) {
        best = { distance, airports };
        tie = false;
      }
    }
    return best && !tie ? [...best.airports] : undefined;
  }

  /** Place mentions in reading order; longest name wins, names never overlap. */
  findPlaces(text: string): PlaceMention[] {
    const folded = foldText(text);
    const tokens = tokenize(folded);
    const found: PlaceMention[] = [];
    let i = 0;
    while (i < tokens.length) {
      const hit = this.#nameAt(folded, tokens, i) ?? this.#codeAt(folded, tokens, i);
      if (hit) {
        found.push(hit.mention);
        i += hit.length;
        // A state or country right after a city qualifies it ("Portland, Oregon"): not a place.
        if (hit.mention.via === "name" && /^[\s,]*$/.test(folded.slice(hit.mention.end, tokens[i]?.start)))
          i += this.reference?.regionAt(folded, tokens, i) ?? 0;
      } else {
        i += 1;
      }
    }
    return found;
  }

  #nameAt(folded: string, tokens: Token[], i: number): { mention: PlaceMention; length: number } | undefined {
    for (let n = Math.min(MAX_NAME_TOKENS, tokens.length - i); n >= 1; n--) {
      const span = tokens.slice(i, i + n);
      if (!span.every((t, k) => k === 0 || JOINABLE_GAP.test(folded.slice(span[k - 1]!.end, t.start))))
        continue;
      const key = span.map((t) => t.word).join(" ");
      const airports = this.#byName.get(key);
      if (!airports) continue;
      const first = span[0]!;
      const last = span[n - 1]!;
      if (
        EVERYDAY_NAMES.has(key) &&
        !(/^[A-Z]/.test(first.raw) && PLACE_WORDS.has(tokens[i - 1]?.word ?? ""))
      ) {
        continue;
      }
      const mention: PlaceMention = {
        start: first.start,
        end: last.end,
        text: folded.slice(first.start, last.end),
        airports: [...airports],
        via: "name",
      };
      return { mention, length: n };
    }
    return undefined;
  }

  #codeAt(folded: string, tokens: Token[], i: number): { mention: PlaceMention; length: number } | undefined {
    const t = tokens[i]!;
    if (t.raw.length !== 3) return undefined;
    const airport = this.#byIata.get(t.raw.toUpperCase());
    if (!airport) return undefined;
    const upper = t.raw === t.raw.toUpperCase();
    const routeWord = ["from", "to", "into"].includes(tokens[i - 1]?.word ?? "");
    // Two codes written as a route, in any case ("lax-jfk", "bos > mia"): each is an airport.
    const paired = (j: number, from: number, to: number): boolean =>
      tokens[j] !== undefined &&
      tokens[j]!.raw.length === 3 &&
      this.#byIata.has(tokens[j]!.raw.toUpperCase()) &&
      ROUTE_JOIN.test(folded.slice(from, to));
    const route =
      paired(i + 1, t.end, tokens[i + 1]?.start ?? t.end) || paired(i - 1, tokens[i - 1]?.end ?? 0, t.start);
    if (!upper && !route && !(routeWord && !WORD_CODES.has(t.word))) return undefined;
    return {
      mention: { start: t.start, end: t.end, text: t.raw, airports: [airport], via: "iata" },
      length: 1,
    };
  }

  /**
   * Airline mentions: known names and aliases (any case), and unknown names shaped like one
   * ("Delta Air Lines", "Alaska Airlines") so that they are not read as places.
   */
  findAirlines(text: string): AirlineMention[] {
    const folded = foldText(text);
    const tokens = tokenize(folded);
    const found: AirlineMention[] = [];
    let i = 0;
    while (i < tokens.length) {
      let matched = 0;
      for (let n = Math.min(4, tokens.length - i); n >= 1 && matched === 0; n--) {
        const span = tokens.slice(i, i + n);
        if (!span.every((t, k) => k === 0 || JOINABLE_GAP.test(folded.slice(span[k - 1]!.end, t.start))))
          continue;
        const airline = this.#airlineByKey.get(span.map((t) => t.word).join(" "));
        if (!airline) continue;
        const start = span[0]!.start;
        const end = span[n - 1]!.end;
        found.push({ start, end, text: folded.slice(start, end), airline });
        matched = n;
      }
      i += matched || 1;
    }
    for (const m of folded.matchAll(GENERIC_AIRLINE)) {
      const end = (m.index ?? 0) + m[0].length;
      // Drop sentence words caught by the capital-letter pattern ("Not Delta Air Lines").
      const words = m[0].split(/\s+/);
      let start = m.index ?? 0;
      while (words.length > 1 && NOT_NAME_WORDS.has(words[0]!.toLowerCase())) {
        start = folded.indexOf(words[1]!, start + words[0]!.length);
        words.shift();
      }
      if (/^(?:air|airlines|airways|airline)$/i.test(words[0]!)) continue;
      if (found.some((f) => f.start < end && start < f.end)) continue;
      found.push({ start, end, text: folded.slice(start, end), airline: undefined });
    }
    return found.sort((a, b) => a.start - b.start);
  }
}

/** Levenshtein distance of two short strings, or `limit + 1` as soon as it must exceed `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let smallest = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      row.push(value);
      smallest = Math.min(smallest, value);
    }
    if (smallest > limit) return limit + 1;
    prev = row;
  }
  return prev[b.length]!;
}

let shared: Gazetteer | undefined;

/** The gazetteer built from the shipped data files, loaded once on first use. */
export function defaultGazetteer(): Gazetteer {
  shared ??= Gazetteer.load();
  return shared;
}
