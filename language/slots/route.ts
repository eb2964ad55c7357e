/**
 * The two ends of a route named with paired markers: "between A and B" (A is the origin) and
 * "from A to B". An end the gazetteer does not know exactly is matched by spelling (a bounded
 * edit distance against its names); an end it cannot place at all is kept as an unknown place,
 * and a known name right after it ("Tacoma Washington") is read as its qualifier, not a city.
 * Runs before `extractPlaces`; the spans it reads are taken.
 */
import type { Gazetteer, PlaceMention } from "../gazetteer.js";
import { toPlace } from "./places.js";
import type { Scan } from "./scan.js";
import type { Slots } from "./types.js";

/** At most this many words name one end of a route. */
const MAX_END_WORDS = 3;

/** Words that end a place name: function words, travel words, calendar and number words. */
const BOUNDARY = new Set(
  (
    "a an the to from and or on in at by for of via with please i me my we us you it that this these " +
    "those next last first second third any all some flight flights fly flying airfare airfares fare fares " +
    "ticket tickets trip trips leaving leave departing depart arriving arrive arrival departure going go " +
    "return returning round one way nonstop non stop direct morning afternoon evening night noon today " +
    "tonight tomorrow week weekend month day days before after around between is are be what which " +
    "show list give find need want would like can could how much cost costs price prices airline " +
    "airlines airport airports then also but if information info class economy business coach first " +
    "monday tuesday wednesday thursday friday saturday sunday mondays tuesdays wednesdays thursdays " +
    "fridays saturdays sundays january february march april may june july august september october " +
    "november december am pm early late latest earliest cheapest cheap lowest"
  ).split(" "),
);
const WORD = /[a-z][a-z'-]*/g;

interface End {
  start: number;
  end: number;
  words: string;
}

/** The words after `at` up to a boundary word, a digit or punctuation (at most `MAX_END_WORDS`). */
function endAt(lower: string, at: number): End | undefined {
  const tail = lower.slice(at, at + 80);
  const words: Array<{ start: number; end: number }> = [];
  WORD.lastIndex = 0;
  for (let m = WORD.exec(tail); m && words.length < MAX_END_WORDS; m = WORD.exec(tail)) {
    const gap = tail.slice(words.at(-1)?.end ?? 0, m.index);
    if (!/^\s*$/.test(gap) || BOUNDARY.has(m[0])) break;
    words.push({ start: m.index, end: m.index + m[0].length });
  }
  const last = words.at(-1);
  if (!words[0] || !last) return undefined;
  return { start: at + words[0].start, end: at + last.end, words: tail.slice(words[0].start, last.end) };
}

type Resolved = { kind: "known"; mention: PlaceMention; exact: boolean } | { kind: "unknown"; name: string };

function resolveEnd(scan: Scan, gazetteer: Gazetteer, end: End): Resolved {
  const found = gazetteer.findPlaces(scan.slice(end.start, end.end));
  const head = found[0];
  if (head && head.start === 0) {
    const mention = { ...head, start: end.start + head.start, end: end.start + head.end };
    return { kind: "known", mention, exact: true };
  }
  const words = head ? end.words.slice(0, head.start).trim() : end.words;
  const close = gazetteer.closestPlace(words);
  if (close) {
    const mention: PlaceMention = {
      start: end.start,
      end: end.start + words.length,
      text: words,
      airports: close,
      via: "name",
    };
    return { kind: "known", mention, exact: false };
  }
  return { kind: "unknown", name: words.replace(/\b[a-z]/g, (c) => c.toUpperCase()) };
}

const PAIRS: readonly RegExp[] = [/\bbetween\s+/g, /\bfrom\s+/g];

export function extractRoute(scan: Scan, gazetteer: Gazetteer, out: Slots): void {
  for (const opener of PAIRS) {
    const lower = scan.lower;
    opener.lastIndex = 0;
    const m = opener.exec(lower);
    if (!m) continue;
    const first = endAt(lower, m.index + m[0].length);
    if (!first) continue;
    const joiner = opener.source.includes("between") ? /^\s*(?:and|&)\s+/ : /^\s*(?:to|into)\s+/;
    const gap = joiner.exec(lower.slice(first.end, first.end + 12));
    const second = gap ? endAt(lower, first.end + gap[0].length) : undefined;
    if (!second) continue;
    const ends = [resolveEnd(scan, gazetteer, first), resolveEnd(scan, gazetteer, second)];
    if (ends.every((e) => e.kind === "known" && e.exact) && opener.source.includes("from")) continue;
    // Codes and short words are read by `extractPlaces`, which knows which codes are words.
    if (ends.some((e) => e.kind === "unknown" && e.name.length < 4)) continue;
    const [from, to] = ends as [Resolved, Resolved];
    if (from.kind === "known") out.origin = toPlace(from.mention);
    else out.unknownPlaces.push(from.name);
    if (to.kind === "known") out.destinations.push(toPlace(to.mention));
    else out.unknownPlaces.push(to.name);
    scan.take(m.index, second.end);
    return;
  }
}
