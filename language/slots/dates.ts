/**
 * Dates read from a message: calendar days in UTC relative to `now`, ranges and lengths of stay.
 *
 * Days are read by chrono-node (absolute, numeric and relative dates, weekdays, ranges) after a
 * pre-pass writes spelled day numbers as digits; this file decides what a day means for a trip:
 * a month and day without a year, or with a year already gone, is the next one to come; a weekday
 * ("on Tuesdays") is the next such day; a day of the month alone ("the 23rd") is the next one;
 * of alternatives ("the 3rd or the 4th") the first counts; a later day joined by a return word
 * ("returning", "back", "until") or a range is the return. Spans chrono reads as one day ("next
 * week", "in June") and lengths of stay ("5 nights") are read here as ranges and nights.
 */
import type { ParsedComponents } from "chrono-node";
// The English locale alone: the package's root entry loads every locale (about 530 modules).
import * as chrono from "chrono-node/en";
import { digitDays } from "../ordinals.js";
import { NUM_OR_A, type Scan, toNumber } from "./scan.js";
import type { Slots } from "./types.js";

const DAY_MS = 86_400_000;
const MONTH =
  "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const MONTH_KEYS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH_WORD = new RegExp(`\\b${MONTH}\\b`);
/** The full month names, for readings where a short form would be another word. */
const FULL_MONTH = "(january|february|march|april|june|july|august|september|october|november|december)";
/** What is said of a month as a time to go ("a good time", "too rainy", "worth it"). */
const MONTH_VERDICT =
  "(?:a|an|the|any|too|very|good|bad|best|better|worse|ok|okay|nice|busy|quiet|cheap|expensive|warm|hot|cold|rainy|wet|dry|worth)\\b";

const monthIndex = (word: string): number => MONTH_KEYS.indexOf(word.slice(0, 3));
const isoDay = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const dayOf = (d: Date): number => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
const endOfMonth = (year: number, month: number): number => Date.UTC(year, month + 1, 0);

/** A valid calendar day or undefined (no 31 February). */
function makeDay(year: number, month: number, day: number): number | undefined {
  const ms = Date.UTC(year, month, day);
  const d = new Date(ms);
  return d.getUTCMonth() === month && d.getUTCDate() === day ? ms : undefined;
}

/** Month and day: in `year` when given, else this year, or next year when that day has passed. */
function upcoming(month: number, day: number, today: number, year?: number): number | undefined {
  if (year !== undefined) return makeDay(year, month, day);
  const thisYear = new Date(today).getUTCFullYear();
  const ms = makeDay(thisYear, month, day);
  if (ms === undefined) return makeDay(thisYear + 1, month, day);
  return ms < today ? makeDay(thisYear + 1, month, day) : ms;
}

/** A day of the month alone: this month, or the next month that has that day. */
function upcomingDay(day: number, today: number): number | undefined {
  const now = new Date(today);
  for (let ahead = 0; ahead < 3; ahead++) {
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + ahead, 1));
    const ms = makeDay(month.getUTCFullYear(), month.getUTCMonth(), day);
    if (ms !== undefined && ms >= today) return ms;
  }
  return undefined;
}

/** First day on or after `from` that falls on `weekday` (0 = Sunday). */
function nextWeekday(from: number, weekday: number): number {
  const delta = (weekday - new Date(from).getUTCDay() + 7) % 7;
  return from + delta * DAY_MS;
}

type DatePart =
  | {
      kind: "day";
      at: number;
      end: number;
      ms: number;
      /** The end of a range read as one ("June 3-10"). */
      back?: number;
      weekdayOnly?: boolean;
      /** The day again, counted from a later day: a return's "the 10th" follows its departure. */
      from?: (after: number) => number | undefined;
    }
  | { kind: "range"; at: number; from: number; to: number }
  | { kind: "nights"; at: number; nights: number };

interface SpanRule {
  re: RegExp;
  read(m: RegExpExecArray, today: number): DatePart[] | undefined;
}

const range = (at: number, from: number, to: number): DatePart[] => [{ kind: "range", at, from, to }];

/** A month on its own ("in June", "late March", "next July"), as a range of days still to come. */
function monthRange(at: number, today: number, word: string, part?: string, y?: string): DatePart[] {
  const month = monthIndex(word);
  const now = new Date(today);
  const yr =
    y !== undefined ? Number(y) : month < now.getUTCMonth() ? now.getUTCFullYear() + 1 : now.getUTCFullYear();
  const last = new Date(endOfMonth(yr, month)).getUTCDate();
  const [lo, hi] =
    part === "early" ? [1, 10] : part === "mid" ? [11, 20] : part === "late" ? [21, last] : [1, last];
  const from = Math.max(Date.UTC(yr, month, lo), today);
  const to = Date.UTC(yr, month, hi);
  return range(at, Math.min(from, to), to);
}

/** Spans the day parser would read as one day; read first. */
const SPAN_RULES: readonly SpanRule[] = [
  {
    re: /\b(this|next|the)?\s*weekend\b/,
    read: (m, today) => {
      const weekday = new Date(today).getUTCDay();
      const saturday = weekday === 0 ? today - DAY_MS : nextWeekday(today, 6);
      const sat = m[1] === "next" ? saturday + 7 * DAY_MS : saturday;
      return range(m.index, Math.max(sat, today), sat + DAY_MS);
    },
  },
  {
    re: /\b(next|this)\s+week\b/,
    read: (m, today) => {
      const nextMonday = nextWeekday(today + DAY_MS, 1);
      return m[1] === "next"
        ? range(m.index, nextMonday, nextMonday + 6 * DAY_MS)
        : range(m.index, today, nextMonday - DAY_MS);
    },
  },
  {
    // Not "the 15th of next month": that is a day (the date reader's).
    re: /(?<!\b\d{1,2}(?:st|nd|rd|th)?\s+of\s+)\b(next|this)\s+month\b/,
    read: (m, today) => {
      const d = new Date(today);
      if (m[1] === "this") return range(m.index, today, endOfMonth(d.getUTCFullYear(), d.getUTCMonth()));
      const first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      const f = new Date(first);
      return range(m.index, first, endOfMonth(f.getUTCFullYear(), f.getUTCMonth()));
    },
  },
];

/** Months and stays, read after the days so "June 3" is a day and "in 2 weeks" a date. */
const AFTER_DAY_RULES: readonly SpanRule[] = [
  {
    re: new RegExp(
      `\\b(?:(?:in|during|for|this|next|around|until|by|over|of|through)\\s+)(?:(early|mid|late)[\\s-]+)?${MONTH}\\b(?:\\s+(\\d{4}))?`,
    ),
    read: (m, today) => monthRange(m.index, today, m[2]!, m[1], m[3]),
  },
  {
    re: new RegExp(`\\b(early|mid|late)[\\s-]+${MONTH}\\b(?:\\s+(\\d{4}))?`),
    read: (m, today) => monthRange(m.index, today, m[2]!, m[1], m[3]),
  },
  {
    re: new RegExp(`\\b${MONTH}\\s+(\\d{4})\\b`),
    read: (m, today) => monthRange(m.index, today, m[1]!, undefined, m[2]),
  },
  // A month spoken of as a time to go: "is March a good time", "October is too rainy". The full
  // name only: a short form ("mar", "may") is too often another word here.
  {
    re: new RegExp(
      `\\b(?:is|was|isn't)\\s+${FULL_MONTH}\\b(?=\\s+${MONTH_VERDICT})|\\b${FULL_MONTH}\\s+(?:is|was|would be)\\s+${MONTH_VERDICT}`,
    ),
    read: (m, today) => monthRange(m.index, today, m[1] ?? m[2]!),
  },
  {
    re: new RegExp(`\\b${NUM_OR_A}\\s+nights?\\b`),
    read: (m) => {
      const nights = toNumber(m[1]);
      return nights === undefined ? undefined : [{ kind: "nights", at: m.index, nights }];
    },
  },
  {
    re: new RegExp(`\\b(?:for\\s+)?${NUM_OR_A}\\s+weeks?\\b`),
    read: (m) => {
      const weeks = toNumber(m[1]);
      return weeks === undefined ? undefined : [{ kind: "nights", at: m.index, nights: weeks * 7 }];
    },
  },
];

function readSpans(scan: Scan, rules: readonly SpanRule[], today: number, parts: DatePart[]): void {
  for (const rule of rules) {
    for (const m of scan.each(rule.re)) {
      const read = rule.read(m, today);
      if (!read) continue;
      parts.push(...read);
      scan.take(m.index, m.index + m[0].length);
    }
  }
}

/** chrono-node's casual English reader, plus a day of the month alone and the day after tomorrow. */
const reader: chrono.Chrono = (() => {
  const c = chrono.casual.clone();
  c.parsers.push(
    {
      // "on the 23rd", "Tuesday the 23rd", "late the 25th or early the 26th"; not "the 2nd of May"
      pattern: () =>
        /(?<=\b(?:on|either|for|by|until|till|through|to|from|back|returning|leaving|departing|after|before|late|early|or|and|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\s+)the\s+(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:of\b|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|(?:one|flight|option|result|hotel|fare|choice|stop)\b))/i,
      extract: (_context, match) => {
        const day = Number(match[1]);
        return day >= 1 && day <= 31 ? { day } : null;
      },
    },
    {
      // "the 15th of next month", "the 3rd of this month"
      pattern: () => /\bthe\s+(\d{1,2})(?:st|nd|rd|th)?\s+of\s+(this|next)\s+month\b/i,
      extract: (context, match) => {
        const ref = context.reference.instant;
        const at = new Date(
          Date.UTC(ref.getUTCFullYear(), ref.getUTCMonth() + (match[2]!.toLowerCase() === "next" ? 1 : 0), 1),
        );
        return { day: Number(match[1]), month: at.getUTCMonth() + 1, year: at.getUTCFullYear() };
      },
    },
    {
      // "what about the 12th": a day of the month, where a small ordinal ("the 2nd") would be a
      // pick from a list just shown.
      pattern: () =>
        /(?<=\babout\s+)the\s+(1\d|2\d|3[01])(?:st|nd|rd|th)\b(?!\s+(?:of\b|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|(?:one|flight|option|result|hotel|fare|choice|stop)\b))/i,
      extract: (_context, match) => ({ day: Number(match[1]) }),
    },
    {
      pattern: () => /\b(?:the\s+)?day\s+after\s+tomorrow\b/i,
      extract: (context) => {
        const d = new Date(dayOf(context.reference.instant) + 2 * DAY_MS);
        return { day: d.getUTCDate(), month: d.getUTCMonth() + 1, year: d.getUTCFullYear() };
      },
    },
  );
  return c;
})();

/** The day a parsed date stands for under the trip rules above, or undefined for no day. */
function dayFor(c: ParsedComponents, text: string, today: number, after?: number): number | undefined {
  const thisYear = new Date(today).getUTCFullYear();
  if (c.isCertain("day")) {
    const day = c.get("day")!;
    if (!c.isCertain("month")) return upcomingDay(day, after ?? today);
    const month = c.get("month")! - 1;
    const year = c.isCertain("year") ? c.get("year")! : undefined;
    // A year already gone names no bookable day: the month and day to come.
    const known = year !== undefined && year >= thisYear ? year : undefined;
    if (after !== undefined && known === undefined) return upcoming(month, day, after);
    return upcoming(month, day, today, known);
  }
  if (c.isCertain("weekday")) {
    const from = /^this\b/.test(text) ? today : today + DAY_MS;
    return nextWeekday(after ?? from, c.get("weekday")!);
  }
  // Offsets without a day ("in a month"); a month name alone is a range, read later.
  if (c.isCertain("month") && c.isCertain("year") && !MONTH_WORD.test(text)) return dayOf(c.date());
  return undefined;
}

/** A length ("for 2 weeks", "3 days"), not a date; "in 3 days" and "3 days from now" are dates. */
const STAY =
  /^(?:for\s+)?(?:\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:days?|weeks?|months?)$/;
const FROM_NOW = /^\s+(?:from|after)\s+(?:now|today)\b/;
const FULL_WEEKDAY = /\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b/;

/** Words between two days that make the later one the return, or an alternative. */
const RETURN_CUE = /\b(?:return\w*|back|home)\b|^[\s,]*(?:until|till|through|thru|to|-)\s*$/;
const ALTERNATIVE_CUE = /\bor\b/;

function readDays(scan: Scan, now: Date, today: number, parts: DatePart[]): void {
  const source = scan.lower.replace(/\b(mon|tues|wednes|thurs|fri|satur|sun)days\b/g, "$1day ");
  const rewritten = digitDays(source);
  const results = reader.parse(rewritten.text, { instant: now, timezone: 0 }, { forwardDate: true });
  for (const r of results) {
    const text = r.text.toLowerCase();
    const after = rewritten.text.slice(r.index + r.text.length, r.index + r.text.length + 16);
    if (/^(?:right\s+)?now$/.test(text) || (STAY.test(text) && !FROM_NOW.test(after))) continue;
    // A weekday alone counts when written in full ("sun", "wed" are words too)
    if (!r.start.isCertain("day") && r.start.isCertain("weekday") && !FULL_WEEKDAY.test(text)) continue;
    const ms = dayFor(r.start, text, today);
    if (ms === undefined) continue;
    const [at, end] = rewritten.span(r.index, r.index + r.text.length);
    const back = r.end ? dayFor(r.end, text, today, ms) : undefined;
    const part: DatePart = { kind: "day", at, end, ms, ...(back !== undefined && back > ms ? { back } : {}) };
    // "Tuesday the 23rd", "Friday, 7/9": the date decides, the weekday before it only names it
    const prev = parts.at(-1);
    if (prev?.kind === "day" && prev.weekdayOnly && /^[\s,]*$/.test(scan.sliceLower(prev.end, at)))
      parts.pop();
    const start = r.start;
    const from = !start.isCertain("month") ? (after: number) => dayFor(start, text, today, after) : undefined;
    parts.push({
      ...part,
      weekdayOnly: !start.isCertain("day") && start.isCertain("weekday"),
      ...(from ? { from } : {}),
    });
    scan.take(at, end);
  }
}

/** Words just before a day that make it the return ("coming back on the 20th", "returning May 3"). */
const RETURN_BEFORE = /\b(?:return\w*|back|home)\b[^.;!?]{0,12}$/;

/**
 * The departure day, and the return: a range's end, a day after a return word, or a later day
 * joined to the first by "until", "to" or a dash. Days joined by "or" are alternatives.
 */
function tripDays(
  parts: DatePart[],
  source: string,
): { first: number | undefined; back: number | undefined } {
  const days = parts.flatMap((p) => (p.kind === "day" ? [p] : []));
  let first: (typeof days)[number] | undefined;
  let back: number | undefined;
  let prevEnd = 0;
  for (const d of days) {
    const before = source.slice(prevEnd, d.at);
    prevEnd = d.end;
    const isReturn = RETURN_BEFORE.test(before);
    if (!first) {
      if (isReturn) back ??= d.ms;
      else first = d;
      continue;
    }
    if (ALTERNATIVE_CUE.test(before)) continue;
    const ms = d.from?.(first.ms) ?? d.ms;
    if (back === undefined && ms > first.ms && (isReturn || RETURN_CUE.test(before))) back = ms;
  }
  if (first?.back !== undefined) back = first.back;
  if (first && back !== undefined && back <= first.ms) back = undefined;
  return { first: first?.ms, back };
}

export function extractDates(scan: Scan, now: Date, out: Slots): void {
  const today = dayOf(now);
  const source = scan.lower;
  const parts: DatePart[] = [];
  readSpans(scan, SPAN_RULES, today, parts);
  readDays(scan, now, today, parts);
  readSpans(scan, AFTER_DAY_RULES, today, parts);
  parts.sort((a, b) => a.at - b.at);
  const { first, back } = tripDays(parts, source);
  if (first !== undefined) out.date = isoDay(first);
  if (back !== undefined) out.returnDate = isoDay(back);
  if (first !== undefined && back !== undefined) out.nights = Math.round((back - first) / DAY_MS);
  const span = parts.find((p) => p.kind === "range");
  if (span?.kind === "range") out.dateRange = { from: isoDay(span.from), to: isoDay(span.to) };
  const nights = parts.find((p) => p.kind === "nights");
  if (nights?.kind === "nights") out.nights = nights.nights;
}
