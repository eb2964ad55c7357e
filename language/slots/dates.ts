/** Dates read from a message: calendar days in UTC relative to `now`, ranges and lengths of stay. */
import { dayOfMonth, ORDINAL_DAY_WORD } from "../ordinals.js";
import { NUM_OR_A, type Scan, toNumber } from "./scan.js";
import type { Slots } from "./types.js";

const DAY_MS = 86_400_000;
const MONTH =
  "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const MONTH_KEYS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const ORD = "(?:st|nd|rd|th)?";
/** A day of the month: "9", "9th", "ninth", "twenty first", "thirtieth". */
const DAY_OF_MONTH = `(\\d{1,2}${ORD}|${ORDINAL_DAY_WORD})`;
const WEEKDAY_PREFIX =
  "(?:(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?,?\\s+(?:the\\s+)?)?";

/** The number of a day of the month as written ("9th" → 9, "twenty first" → 21). */
const dayNumber = (word: string): number => dayOfMonth(word) ?? 0;

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

/** Month and day without a year: this year, or next year when that day has passed. */
function upcoming(month: number, day: number, today: number, year?: number): number | undefined {
  if (year !== undefined) return makeDay(year, month, day);
  const thisYear = new Date(today).getUTCFullYear();
  const ms = makeDay(thisYear, month, day);
  if (ms === undefined) return makeDay(thisYear + 1, month, day);
  return ms < today ? makeDay(thisYear + 1, month, day) : ms;
}

function addMonths(ms: number, n: number): number {
  const d = new Date(ms);
  const target = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1);
  const t = new Date(target);
  const last = new Date(endOfMonth(t.getUTCFullYear(), t.getUTCMonth())).getUTCDate();
  return Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), Math.min(d.getUTCDate(), last));
}

/** First day on or after `from` that falls on `weekday` (0 = Sunday). */
function nextWeekday(from: number, weekday: number): number {
  const delta = (weekday - new Date(from).getUTCDay() + 7) % 7;
  return from + delta * DAY_MS;
}

type DatePart =
  | { kind: "day"; at: number; ms: number }
  | { kind: "range"; at: number; from: number; to: number }
  | { kind: "nights"; at: number; nights: number };

interface DateRule {
  re: RegExp;
  read(m: RegExpExecArray, today: number): DatePart[] | undefined;
}

const day = (at: number, ms: number | undefined): DatePart[] | undefined =>
  ms === undefined ? undefined : [{ kind: "day", at, ms }];
const range = (at: number, from: number, to: number): DatePart[] => [{ kind: "range", at, from, to }];
const year = (y: string | undefined): number | undefined => (y === undefined ? undefined : Number(y));

/** A month on its own ("in June", "late March", "next July"), as a range of days still to come. */
function monthRange(at: number, today: number, word: string, part?: string, y?: string): DatePart[] {
  const month = monthIndex(word);
  const now = new Date(today);
  const yr = year(y) ?? (month < now.getUTCMonth() ? now.getUTCFullYear() + 1 : now.getUTCFullYear());
  const last = new Date(endOfMonth(yr, month)).getUTCDate();
  const [lo, hi] =
    part === "early" ? [1, 10] : part === "mid" ? [11, 20] : part === "late" ? [21, last] : [1, last];
  const from = Math.max(Date.UTC(yr, month, lo), today);
  const to = Date.UTC(yr, month, hi);
  return range(at, Math.min(from, to), to);
}

const DATE_RULES: readonly DateRule[] = [
  {
    re: /\b(\d{4})-(\d{1,2})-(\d{1,2})\b/,
    read: (m) => day(m.index, makeDay(Number(m[1]), Number(m[2]) - 1, Number(m[3]))),
  },
  {
    re: /\b(\d{1,2})\/(\d{1,2})\/(\d{4})\b/,
    read: (m) => day(m.index, makeDay(Number(m[3]), Number(m[1]) - 1, Number(m[2]))),
  },
  {
    // "June 3-10", "March 3 to 8, 2027"
    re: new RegExp(
      `\\b${MONTH}\\.?\\s+(\\d{1,2})${ORD}\\s*(?:-|to|through|thru|until|till)\\s*(\\d{1,2})${ORD}\\b(?:,?\\s*(\\d{4}))?`,
    ),
    read: (m, today) => {
      const month = monthIndex(m[1]!);
      const from = upcoming(month, Number(m[2]), today, year(m[4]));
      if (from === undefined) return undefined;
      const to = makeDay(new Date(from).getUTCFullYear(), month, Number(m[3]));
      if (to === undefined || to <= from) return undefined;
      return [
        { kind: "day", at: m.index, ms: from },
        { kind: "day", at: m.index + 1, ms: to },
      ];
    },
  },
  {
    // "3-10 June", "3rd to 8th of March"
    re: new RegExp(
      `\\b(\\d{1,2})${ORD}\\s*(?:-|to|through|until)\\s*(\\d{1,2})${ORD}\\s+(?:of\\s+)?${MONTH}\\b(?:,?\\s*(\\d{4}))?`,
    ),
    read: (m, today) => {
      const month = monthIndex(m[3]!);
      const from = upcoming(month, Number(m[1]), today, year(m[4]));
      if (from === undefined) return undefined;
      const to = makeDay(new Date(from).getUTCFullYear(), month, Number(m[2]));
      if (to === undefined || to <= from) return undefined;
      return [
        { kind: "day", at: m.index, ms: from },
        { kind: "day", at: m.index + 1, ms: to },
      ];
    },
  },
  {
    // "March 3", "Mar 3rd, 2027", "saturday april ninth": a weekday before the day is part of it
    re: new RegExp(
      `\\b${WEEKDAY_PREFIX}${MONTH}\\.?\\s+(?:the\\s+)?${DAY_OF_MONTH}\\b(?!\\s*(?::|am\\b|pm\\b))(?:,?\\s*(\\d{4}))?`,
    ),
    read: (m, today) => day(m.index, upcoming(monthIndex(m[1]!), dayNumber(m[2]!), today, year(m[3]))),
  },
  {
    // "3 March", "3rd of March 2027", "the fifth of may"
    re: new RegExp(`\\b${WEEKDAY_PREFIX}${DAY_OF_MONTH}\\s+(?:of\\s+)?${MONTH}\\b(?:,?\\s*(\\d{4}))?`),
    read: (m, today) => day(m.index, upcoming(monthIndex(m[2]!), dayNumber(m[1]!), today, year(m[3]))),
  },
  {
    // "7/4": month and day, the next one to come
    re: /\b(\d{1,2})\/(\d{1,2})\b(?!\/)/,
    read: (m, today) => day(m.index, upcoming(Number(m[1]) - 1, Number(m[2]), today)),
  },
  { re: /\bday after tomorrow\b/, read: (m, today) => day(m.index, today + 2 * DAY_MS) },
  { re: /\btomorrow\b/, read: (m, today) => day(m.index, today + DAY_MS) },
  { re: /\b(?:today|tonight)\b/, read: (m, today) => day(m.index, today) },
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
    re: /\b(next|this)\s+month\b/,
    read: (m, today) => {
      const d = new Date(today);
      if (m[1] === "this") return range(m.index, today, endOfMonth(d.getUTCFullYear(), d.getUTCMonth()));
      const first = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
      const f = new Date(first);
      return range(m.index, first, endOfMonth(f.getUTCFullYear(), f.getUTCMonth()));
    },
  },
  {
    re: new RegExp(
      `\\b(?:in\\s+${NUM_OR_A}\\s+(days?|weeks?|months?)|${NUM_OR_A}\\s+(days?|weeks?|months?)\\s+from\\s+(?:now|today))\\b`,
    ),
    read: (m, today) => {
      const n = toNumber(m[1] ?? m[3]);
      const unit = m[2] ?? m[4] ?? "";
      if (n === undefined) return undefined;
      if (unit.startsWith("month")) return day(m.index, addMonths(today, n));
      return day(m.index, today + n * (unit.startsWith("week") ? 7 : 1) * DAY_MS);
    },
  },
  {
    // "next Friday", "on Friday", "this Saturday", "Friday": the next one to come
    re: /\b(?:(next|this|coming|on)\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/,
    read: (m, today) => {
      const weekday = WEEKDAYS.indexOf(m[2]!);
      return day(m.index, nextWeekday(m[1] === "this" ? today : today + DAY_MS, weekday));
    },
  },
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

export function extractDates(scan: Scan, now: Date, out: Slots): void {
  const today = dayOf(now);
  const parts: DatePart[] = [];
  for (const rule of DATE_RULES) {
    for (const m of scan.each(rule.re)) {
      const read = rule.read(m, today);
      if (!read) continue;
      parts.push(...read);
      scan.take(m.index, m.index + m[0].length);
    }
  }
  parts.sort((a, b) => a.at - b.at);
  const days = parts.flatMap((p) => (p.kind === "day" ? [p.ms] : []));
  const first = days[0];
  if (first !== undefined) {
    out.date = isoDay(first);
    const back = days.slice(1).find((d) => d > first);
    if (back !== undefined) {
      out.returnDate = isoDay(back);
      out.nights = Math.round((back - first) / DAY_MS);
    }
  }
  const span = parts.find((p) => p.kind === "range");
  if (span?.kind === "range") out.dateRange = { from: isoDay(span.from), to: isoDay(span.to) };
  const nights = parts.find((p) => p.kind === "nights");
  if (nights?.kind === "nights") out.nights = nights.nights;
}
