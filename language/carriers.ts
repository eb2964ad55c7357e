/**
 * Airlines named in a message, sold by Flightly or not: Flightly's carriers (`data/airlines.json`,
 * through the gazetteer) and the real airlines of `data/reference/airlines.json` (OpenFlights),
 * by name, alias, short form and IATA code.
 *
 * A name with an airline word ("Delta Air Lines", "us air", "Air Canada") and an official name of
 * several words ("Cathay Pacific") count anywhere. Any other name, short form or alias ("delta",
 * "twa", "trans world") and a two-letter code ("dl") count only in a carrier position: after
 * "on", "aboard", "airline", "carrier" (names also after "with", "fly", "avoid", "except"),
 * before "flight(s)", "fares", "airline(s)", a verb it is the subject of ("does X have"), or
 * before a flight number. Codes and short names that are frequent English words ("co", "me")
 * need "on"/"airline" with the phrase ending, or a flight number. A bare name is never read where
 * the language layer reads the same word otherwise: a place, an ordinal, a number word.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { memoText } from "../core/memo.js";
import { DATA } from "../core/paths.js";
import { CLOCK_RELATIONS } from "./entity-readers.js";
import { foldText } from "./fold.js";
import { defaultGazetteer, type Gazetteer } from "./gazetteer.js";
import { dayOfMonth } from "./ordinals.js";
import { toNumber } from "./slots/scan.js";

/** An airline named in a message. */
export interface CarrierMention {
  start: number;
  end: number;
  /** Flightly's name for a sold carrier, the reference name for another real one, else as written. */
  name: string;
  /** IATA code; undefined for a name shaped like an airline that no list knows ("Foo Airlines"). */
  code: string | undefined;
  /** True when Flightly sells this carrier. */
  sold: boolean;
}

interface ReferenceAirline {
  name: string;
  iata: string;
  aliases: string[];
  active: boolean;
  /** Its code and short aliases that are frequent English words. */
  common?: string[];
}

interface Entry {
  airline: ReferenceAirline;
  /** A bare name needs a carrier position. */
  bare: boolean;
}

interface Reference {
  byKey: Map<string, Entry>;
  byCode: Map<string, ReferenceAirline>;
  common: Set<string>;
  longest: number;
}

const AIRLINE_WORD = /\b(?:air|airlines?|airways|aviation|aero)\b/;
/** Words that may follow a name as part of it ("delta airlines", "us air"). */
const SUFFIX = /^\s+(?:air\s+lines|airlines|airline|airways|air)\b/;

const keyOf = (text: string): string =>
  foldText(text)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();

let reference: Reference | undefined;

function referenceTable(): Reference {
  if (reference) return reference;
  const list = JSON.parse(
    readFileSync(join(DATA, "reference", "airlines.json"), "utf8"),
  ) as ReferenceAirline[];
  // Active carriers first: a name or code two carriers share means the one flying today.
  const ordered = [...list].sort((a, b) => Number(b.active) - Number(a.active));
  const byKey = new Map<string, Entry>();
  const byCode = new Map<string, ReferenceAirline>();
  const common = new Set<string>();
  let longest = 1;
  for (const airline of ordered) {
    for (const word of airline.common ?? []) common.add(word);
    if (!byCode.has(airline.iata)) byCode.set(airline.iata, airline);
    for (const [i, written] of [airline.name, ...airline.aliases].entries()) {
      const key = keyOf(written);
      if (key === "" || byKey.has(key)) continue;
      const words = key.split(" ").length;
      // An official name of several words (none a single letter) counts anywhere; other names need an airline word.
      const bare = !AIRLINE_WORD.test(key) && (i > 0 || words === 1 || /\b[a-z0-9]\b/.test(key));
      byKey.set(key, { airline, bare });
      longest = Math.max(longest, words);
    }
  }
  reference = { byKey, byCode, common, longest };
  return reference;
}

/** A real carrier of the reference list by IATA code or name ("UA", "united airlines"), active ones first. */
export function referenceCarrier(
  nameOrCode: string,
): { name: string; code: string; active: boolean } | undefined {
  const table = referenceTable();
  const k = keyOf(nameOrCode);
  const airline =
    (/^[a-z0-9]{2}$/.test(k) ? table.byCode.get(k.toUpperCase()) : undefined) ??
    table.byKey.get(k)?.airline ??
    table.byKey.get(k.replace(SUFFIX_WORDS, ""))?.airline;
  return airline ? { name: airline.name, code: airline.iata, active: airline.active } : undefined;
}

/** Trailing airline words dropped to find a short name ("delta airlines" → "delta"). */
const SUFFIX_WORDS = /\s+(?:air lines|airlines|airline|airways|air)$/;

/** "airline XX", "carrier code XX": a carrier whatever the word. */
const AIRLINE_CUE = /\b(?:airline|carrier)(?:\s{1,2}code)?\s{1,2}$/;
/** "on XX", "aboard XX" (names also "with X", "fly X", "avoid X"), where the phrase then ends or the route begins. */
const TRAVEL_CUE = /\b(?:on|aboard)\s{1,2}(?:the\s{1,2})?$/;
const NAME_TRAVEL_CUE =
  /\b(?:on|aboard|with|fly|flying|flies|flew|avoid(?:ing)?|except|excluding|anything\s+but|other\s+than|rather\s+than|instead\s+of)\s{1,2}(?:the\s{1,2})?$/;
/** A flight word earlier in the same clause: "on XX" then speaks of travel, not of any object ("put cover on it"). */
const FLIGHT_CLAUSE =
  /\b(?:flights?|fly|flying|flies|flew|fares?|tickets?|seats?|planes?)\b(?:(?!\b(?:and|but|then|so)\b)[^.,;!?]){0,48}$/;
const ROUTE_NEXT = /^\s{1,2}(?:from|between|out of|leaving|departing)\b/;
const PHRASE_END =
  /^(?:\s*$|\s*[,.;:!?)]|\s+(?:from|to|between|out|leaving|departing|arriving|going|for|on|in|and|or|only|please|instead|which|that|with|flights?|\d))/;
/** The carrier as the subject: "does X have", "X flies". */
const CARRIER_VERB =
  /^\s{1,2}(?:has|have|had|flies|fly|offers?|serves?|operates?|runs?|departs?|leaves|charges?)\b/;
const FLIGHT_WORD = /^\s{1,2}(?:flights?|planes?|jets?|fares?|airlines?|carrier|service)\b/;
const FLIGHT_NUMBER =
  /^\s{1,2}(?:flight\s+)?(\d{1,4})\b(?!\s*(?:[:.]\d|am\b|pm\b|a\.?m|p\.?m|o'?\s?clock|h\b|hours?|min))/;

/** A number that reads as a clock time: up to two digits, or hhmm with valid hours and minutes. */
function clockLike(digits: string): boolean {
  if (digits.length <= 2) return true;
  return Number(digits.slice(0, -2)) <= 23 && Number(digits.slice(-2)) <= 59;
}

const RELATIONS: ReadonlySet<string> = new Set(CLOCK_RELATIONS);

/**
 * A flight number after the name or code ("dl 450"): a number that cannot be a clock time, or
 * one that can after a word that is not a time relation ("at 1200"), not a frequent word ("an
 * 819 flight") and not after another number ("8 to 10").
 */
function flightNumberAfter(lower: string, s: number, e: number, common: boolean): boolean {
  const number = FLIGHT_NUMBER.exec(lower.slice(e, e + 40));
  if (!number) return false;
  if (!clockLike(number[1]!)) return true;
  return !common && !RELATIONS.has(lower.slice(s, e)) && !/\d\s*$/.test(lower.slice(Math.max(0, s - 8), s));
}

/**
 * How a word must stand to be read as a carrier. `code`: a code or a name of up to three letters;
 * `common`: one that is also a frequent English word ("co", "me"), never read from "XX flights".
 */
interface Form {
  code: boolean;
  common: boolean;
}

function inCarrierPosition(context: string, s: number, e: number, form: Form): boolean {
  const before = context.slice(Math.max(0, s - 24), s);
  const after = context.slice(e, e + 40);
  // A frequent word before "flight" is not a carrier however it is cued ("what airline is flight 12").
  const ends = PHRASE_END.test(after) && !(form.common && FLIGHT_WORD.test(after));
  if (AIRLINE_CUE.test(before) && (!form.common || ends)) return true;
  const travel = (form.code ? TRAVEL_CUE : NAME_TRAVEL_CUE).test(before);
  // A code that is also a frequent word ("it", "me") after "on" counts only in a clause about
  // flights or before the route ("on pc from Seattle").
  const aboutFlights = () =>
    FLIGHT_CLAUSE.test(context.slice(Math.max(0, s - 72), s)) || ROUTE_NEXT.test(after);
  if (travel && ends && (!form.common || aboutFlights())) return true;
  if (!form.common && (FLIGHT_WORD.test(after) || CARRIER_VERB.test(after))) return true;
  return flightNumberAfter(context, s, e, form.common);
}

/** A bare word the language layer reads as something else: a place, an ordinal, a number. */
function readOtherwise(key: string, gazetteer: Gazetteer): boolean {
  return gazetteer.resolve(key).length > 0 || dayOfMonth(key) !== undefined || toNumber(key) !== undefined;
}

/**
 * Airlines named in `text`, in reading order; offsets are into the folded text. `context` is the
 * same text before other readers blanked parts of it (same length): carrier positions are judged
 * on it, so a blanked date between "on" and a word does not make a cue.
 */
export function readCarriers(
  text: string,
  gazetteer: Gazetteer = defaultGazetteer(),
  context: string = text,
): CarrierMention[] {
  const folded = foldText(text);
  const lower = folded.toLowerCase();
  const around = foldText(context).toLowerCase();
  const ref = referenceTable();
  const found: CarrierMention[] = [];
  const guessed: CarrierMention[] = [];
  for (const m of gazetteer.findAirlines(folded)) {
    if (m.airline)
      found.push({ start: m.start, end: m.end, name: m.airline.name, code: m.airline.code, sold: true });
    else
      guessed.push({
        start: m.start,
        end: m.end,
        name: m.text.replace(/\s+/g, " "),
        code: undefined,
        sold: false,
      });
  }
  const overlaps = (s: number, e: number): boolean => found.some((f) => f.start < e && s < f.end);
  const tokens = [...lower.matchAll(/[a-z0-9]+/g)].map((m) => ({ word: m[0], start: m.index ?? 0 }));
  let i = 0;
  while (i < tokens.length) {
    const hit = readAt(lower, around, tokens, i, ref, gazetteer);
    if (!hit || overlaps(hit.start, hit.end)) {
      i++;
      continue;
    }
    found.push(hit.mention);
    i += hit.tokens;
  }
  // A known carrier inside a name only guessed from its shape ("Which United Airlines") is that carrier.
  for (const g of guessed) if (!overlaps(g.start, g.end)) found.push(g);
  return found.sort((a, b) => a.start - b.start);
}

interface Hit {
  start: number;
  end: number;
  tokens: number;
  mention: CarrierMention;
}

function readAt(
  lower: string,
  around: string,
  tokens: ReadonlyArray<{ word: string; start: number }>,
  i: number,
  ref: Reference,
  gazetteer: Gazetteer,
): Hit | undefined {
  for (let n = Math.min(ref.longest, tokens.length - i); n >= 1; n--) {
    const span = tokens.slice(i, i + n);
    const last = span[n - 1]!;
    const start = span[0]!.start;
    let end = last.start + last.word.length;
    // Tokens of one name are separated by spaces, hyphens, dots or ampersands only.
    if (!/^[\s\-.&'/]*$/.test(lower.slice(start, end).replace(/[a-z0-9]+/g, ""))) continue;
    const key = span.map((t) => t.word).join(" ");
    const entry = ref.byKey.get(key);
    if (!entry) continue;
    // A two-letter word that is a code Flightly sells is that carrier, read by the code rule below.
    if (key.length === 2 && gazetteer.airline(key)?.code === key.toUpperCase()) break;
    const suffix = SUFFIX.exec(lower.slice(end));
    if (suffix) end += suffix[0].length;
    const form = { code: key.length <= 3, common: ref.common.has(key) };
    if (entry.bare && !suffix) {
      if (readOtherwise(key, gazetteer) || !inCarrierPosition(around, start, end, form)) continue;
    }
    const tokenCount = n + (suffix ? suffix[0].trim().split(/\s+/).length : 0);
    return {
      start,
      end,
      tokens: tokenCount,
      mention: mentionOf(entry.airline, start, end, false, gazetteer),
    };
  }
  const word = tokens[i]!.word;
  if (word.length !== 2 || !/[a-z]/.test(word)) return undefined;
  const code = word.toUpperCase();
  const sold = gazetteer.airline(code);
  const airline = ref.byCode.get(code);
  const start = tokens[i]!.start;
  if ((!sold || sold.code !== code) && !airline) return undefined;
  if (!inCarrierPosition(around, start, start + 2, { code: true, common: ref.common.has(word) }))
    return undefined;
  const mention: CarrierMention =
    sold && sold.code === code
      ? { start, end: start + 2, name: sold.name, code, sold: true }
      : mentionOf(airline!, start, start + 2, true, gazetteer);
  return { start, end: start + 2, tokens: 1, mention };
}

/** A reference carrier; by name it may be one Flightly sells under the same name, by code only by that code. */
function mentionOf(
  airline: ReferenceAirline,
  start: number,
  end: number,
  byCode: boolean,
  gazetteer: Gazetteer,
): CarrierMention {
  const sold = byCode ? undefined : gazetteer.airline(airline.name);
  return sold
    ? { start, end, name: sold.name, code: sold.code, sold: true }
    : { start, end, name: airline.name, code: airline.iata, sold: false };
}

/** Where airlines are named in `text` (offsets into its folded form): spans no other reader claims. */
export const findCarriers: (text: string) => Array<{ start: number; end: number }> = memoText((text) =>
  readCarriers(text).map(({ start, end }) => ({ start, end })),
);
