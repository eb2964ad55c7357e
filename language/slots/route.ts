/**
 * The two ends of a route named with paired markers: "between A and B" (A is the origin) and
 * "from A to B". An end the gazetteer does not know exactly is matched by spelling (a bounded
 * edit distance against its names); an end it cannot place at all is kept as an unknown place,
 * and a known name right after it ("Tacoma Washington") is read as its qualifier, not a city.
 * Runs before `extractPlaces`; the spans it reads are taken.
 */
import type { Gazetteer, PlaceMention } from "../gazetteer.js";
import { BOUNDARY } from "../names.js";
import { type UnservedCity, unservedCityIn } from "../unserved.js";
import { toPlace, unknownPlace } from "./places.js";
import type { Scan } from "./scan.js";
import type { Slots } from "./types.js";

/** At most this many words name one end of a route. */
const MAX_END_WORDS = 3;

const WORD = /[a-z][a-z'-]*/g;
const NO_STOPS: ReadonlySet<string> = new Set();
/** Words that end a place's name in the other-language pair: its "to" markers. */
const FOREIGN_TO: ReadonlySet<string> = new Set(["a", "al", "para", "hacia", "vers", "pour", "per"]);

interface End {
  start: number;
  end: number;
  words: string;
}

/** The words after `at` up to a boundary word, a digit or punctuation (at most `MAX_END_WORDS`). */
function endAt(lower: string, at: number, stops: ReadonlySet<string> = NO_STOPS): End | undefined {
  const tail = lower.slice(at, at + 80);
  const words: Array<{ start: number; end: number }> = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(tail); m && words.length < MAX_END_WORDS; m = WORD.exec(tail)) {
    const gap = tail.slice(words.at(-1)?.end ?? 0, m.index);
    // A dot may end an abbreviation inside a name ("st. louis").
    if (!/^\.?\s*$/.test(gap) || BOUNDARY.has(m[0]) || stops.has(m[0])) break;
    words.push({ start: m.index, end: m.index + m[0].length });
  }
  const last = words.at(-1);
  if (!words[0] || !last) return undefined;
  return { start: at + words[0].start, end: at + last.end, words: tail.slice(words[0].start, last.end) };
}

type Resolved =
  | { kind: "known"; mention: PlaceMention; exact: boolean }
  | { kind: "unknown"; name: string; city: UnservedCity | undefined };

function resolveEnd(scan: Scan, gazetteer: Gazetteer, end: End): Resolved {
  const found = gazetteer.findPlaces(scan.slice(end.start, end.end));
  const head = found[0];
  if (head && head.start === 0) {
    const mention = { ...head, start: end.start + head.start, end: end.start + head.end };
    return { kind: "known", mention, exact: true };
  }
  const words = head ? end.words.slice(0, head.start).trim() : end.words;
  const unserved = unservedCityIn(gazetteer, end.words);
  if (unserved) return { kind: "unknown", name: unserved.text, city: unserved.city };
  const close = gazetteer.closestPlace(words);
  if (close) {
    // Said back as the place is named, not as it was misspelt ("Sesttle").
    const mention: PlaceMention = {
      start: end.start,
      end: end.start + words.length,
      text: close[0]!.city,
      airports: close,
      via: "name",
    };
    return { kind: "known", mention, exact: false };
  }
  return { kind: "unknown", name: words.replace(/\b[a-z]/g, (c) => c.toUpperCase()), city: undefined };
}

interface Pair {
  opener: RegExp;
  joiner: RegExp;
  /** "from A to B" with two exact names is left to `extractPlaces`, which reads roles in context. */
  exactToPlaces: boolean;
  /** Both ends must be places Flightly knows (the markers are also ordinary words elsewhere). */
  knownOnly: boolean;
  /** Words that end the first place's name. */
  stops?: ReadonlySet<string>;
}

const PAIRS: readonly Pair[] = [
  {
    opener: /\bbetween\s+/g,
    joiner: /^\s*(?:and|&)\s+(?:either\s+)?/,
    exactToPlaces: false,
    knownOnly: false,
  },
  { opener: /\bfrom\s+/g, joiner: /^\s*(?:to|into)\s+(?:either\s+)?/, exactToPlaces: true, knownOnly: false },
  // Spanish, French, Italian and Portuguese "from A to B" (de/desde/depuis/da … a/à/para/hacia/vers/per).
  {
    opener: /\b(?:de|desde|depuis|da|dal|dalla)\s+/g,
    joiner: /^\s*(?:a|al|para|hacia|vers|pour|per)\s+/,
    exactToPlaces: false,
    knownOnly: true,
    stops: FOREIGN_TO,
  },
];

export function extractRoute(scan: Scan, gazetteer: Gazetteer, out: Slots): void {
  const lower = scan.lower;
  for (const pair of PAIRS) {
    // Every opener is tried: "between 2 and 5 pm between A and B" pairs the second.
    for (const m of lower.matchAll(pair.opener)) {
      if (pairAt(scan, gazetteer, out, pair, m)) return;
    }
  }
}

/** Reads the route whose opener matched at `m`; true when it took one. */
function pairAt(scan: Scan, gazetteer: Gazetteer, out: Slots, pair: Pair, m: RegExpExecArray): boolean {
  const lower = scan.lower;
  {
    const first = endAt(lower, m.index + m[0].length, pair.stops);
    if (!first) return false;
    const gap = pair.joiner.exec(lower.slice(first.end, first.end + 12));
    const second = gap ? endAt(lower, first.end + gap[0].length) : undefined;
    if (!second) return false;
    const ends = [resolveEnd(scan, gazetteer, first), resolveEnd(scan, gazetteer, second)];
    if (pair.knownOnly && ends.some((e) => e.kind !== "known")) return false;
    if (pair.exactToPlaces && ends.every((e) => e.kind === "known" && e.exact)) return false;
    // Codes and short words are read by `extractPlaces`, which knows which codes are words.
    if (ends.some((e) => e.kind === "unknown" && e.name.length < 4)) return false;
    const [from, to] = ends as [Resolved, Resolved];
    if (from.kind === "known") out.origin = toPlace(from.mention);
    else out.unknownPlaces.push(unknownPlace(from.name, "origin", from.city));
    if (to.kind === "known") out.destinations.push(toPlace(to.mention));
    else out.unknownPlaces.push(unknownPlace(to.name, "destination", to.city));
    scan.take(m.index, second.end);
    return true;
  }
}
