/**
 * Times of the day a flight should leave or arrive ("in the morning", "before 10am", "arrive by
 * 5 pm", "after noon"), as local "HH:MM" bounds, and the trip's shape: round trip or one way,
 * nonstop. A time belongs to the arrival when an arrival word comes after the last departure word
 * before it in the same clause.
 */
import type { Scan } from "./scan.js";
import type { Slots } from "./types.js";

/** Periods of the day as [after, before) in hours; an open end is undefined. */
const PERIODS: Readonly<Record<string, [number | undefined, number | undefined]>> = {
  "early morning": [0, 8],
  "late morning": [10, 12],
  morning: [5, 12],
  "early afternoon": [12, 15],
  "late afternoon": [15, 18],
  afternoon: [12, 18],
  "early evening": [17, 20],
  "late evening": [21, undefined],
  evening: [18, undefined],
  "late night": [21, undefined],
  night: [18, undefined],
};

const BEFORE = /^(?:before|by|no later than|not after|earlier than|until|till)$/;
const CLOCK =
  /\b(before|by|no later than|not after|earlier than|until|till|after|later than|not before|no earlier than|from)\s+(?:(noon|midnight)|(\d{1,2})(?::(\d{2})|(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.|o'?clock)?)(?![\d:])/;
/** "early Tuesday morning": the weekday between is left for the date reader. */
const PERIOD =
  /\b(?:(early|late)\s+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day\s+)?)?(morning|afternoon|evening|night)(?:s(?<!nights)|time)?\b/d;
/** A period right after a clock time says which half of the day it is ("after 2 in the afternoon"). */
const QUALIFIER =
  /^\s*(?:(?:in|on)\s+the\s+|this\s+|tomorrow\s+|at\s+|(?:on\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day\s+)?(morning|afternoon|evening|night)\b/d;
const ROUND_TRIP =
  /\bround[- ]?trips?\b|\breturn (?:flight|trip|ticket|leg|date)s?\b|\bthere and back\b|\b(?:coming|flying|fly|heading) back\b|\breturning (?:on|the|home)\b/;
const ARRIVAL_CUE =
  /\b(?:arriv\w*|land\w*|get(?:ting)? (?:there|in)|gets? in|reach\w*|touch(?:es|ing)? down|be (?:there|in|at))\b/g;
const DEPARTURE_CUE = /\b(?:leav\w*|depart\w*|take off|taking off|fly(?:ing)? out|flights?)\b/g;

const hhmm = (minutes: number): string =>
  `${String(Math.floor(minutes / 60) % 24).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

/** The last index of a global pattern in `text`, or -1. */
function lastIndex(re: RegExp, text: string): number {
  let at = -1;
  for (const m of text.matchAll(re)) at = m.index ?? at;
  return at;
}

function legAt(scan: Scan, at: number): "depart" | "arrive" {
  const before =
    scan
      .sliceLower(Math.max(0, at - 80), at)
      .split(/[.;!?]/)
      .pop() ?? "";
  return lastIndex(ARRIVAL_CUE, before) > lastIndex(DEPARTURE_CUE, before) ? "arrive" : "depart";
}

function minutesOf(m: RegExpExecArray, period: string | undefined): number | undefined {
  if (m[2] === "noon") return 12 * 60;
  if (m[2] === "midnight") return 0;
  let hour = Number(m[3]);
  const minute = Number(m[4] ?? m[5] ?? 0);
  const suffix = (m[6] ?? "").replace(/\./g, "");
  if (hour > 23 || minute > 59) return undefined;
  // A bare number is a time only after a clear cue word ("before 10"), never "by 2".
  if (
    !suffix &&
    !period &&
    m[4] === undefined &&
    m[5] === undefined &&
    /^(?:by|until|till|from)$/.test(m[1]!)
  )
    return undefined;
  const pm = suffix === "pm" || (!suffix && period !== undefined && period !== "morning" && hour >= 1);
  if (pm && hour < 12) hour += 12;
  else if ((suffix === "am" || period === "morning") && hour === 12) hour = 0;
  else if (!suffix && !period && hour >= 1 && hour <= 6) hour += 12; // "after 5": the afternoon
  return hour * 60 + minute;
}

function setBound(out: Slots, leg: "depart" | "arrive", side: "After" | "Before", minutes: number): void {
  const field = `${leg}${side}` as "departAfter" | "departBefore" | "arriveAfter" | "arriveBefore";
  out[field] ??= hhmm(minutes);
}

export function extractTimes(scan: Scan, out: Slots): void {
  for (const m of scan.each(CLOCK)) {
    const end = m.index + m[0].length;
    const qualifier = QUALIFIER.exec(scan.sliceLower(end, end + 32));
    const minutes = minutesOf(m, qualifier?.[1]);
    if (minutes === undefined || (m[1] === "from" && !m[6] && !qualifier)) continue;
    setBound(out, legAt(scan, m.index), BEFORE.test(m[1]!) ? "Before" : "After", minutes);
    scan.take(m.index, end);
    const word = qualifier?.indices?.[1];
    if (word) scan.take(end + word[0], end + word[1]);
  }
  for (const m of scan.each(PERIOD)) {
    if (/\bgood\s*$/.test(scan.sliceLower(Math.max(0, m.index - 6), m.index))) continue;
    const [after, before] = PERIODS[m[1] ? `${m[1]} ${m[2]}` : m[2]!] ?? [undefined, undefined];
    const leg = legAt(scan, m.index);
    if (after !== undefined) setBound(out, leg, "After", after * 60);
    if (before !== undefined) setBound(out, leg, "Before", before * 60);
    // the words of the period only: a weekday inside ("early Tuesday morning") is a date
    for (const span of [m.indices?.[1], m.indices?.[2]]) if (span) scan.take(span[0], span[1]);
  }
  if (ROUND_TRIP.test(scan.lower)) out.roundTrip = true;
  else if (/\bone[- ]way\b/.test(scan.lower)) out.roundTrip = false;
  if (/\bnon[- ]?stops?\b|\bdirect flights?\b|\bwithout (?:any |a )?stops?\b/.test(scan.lower))
    out.nonstop = true;
}
