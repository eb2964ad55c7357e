/**
 * Slot extraction for the local planner: places, dates, party, budget, airlines, emails,
 * booking references, seat, sort and selection, read from one user message.
 *
 * Extractors run in a fixed order over one scan of the text; each blanks the characters it
 * used so a later extractor cannot read them again (the 4 and 8 of "kids aged 4 and 8" are
 * ages, never a date or a party size). Dates are calendar days in UTC relative to `now`.
 */
import {
  type AirlineMention,
  defaultGazetteer,
  foldText,
  type Gazetteer,
  type PlaceMention,
} from "./gazetteer.js";

export interface Place {
  /** The airport to search from or to (the first of `airports`). */
  iata: string;
  /** Every airport the words can mean ("Tokyo" → NRT, HND). */
  airports: string[];
  city: string;
  /** How the user named it ("Maui", "Vegas"), for weather and destination look-ups. */
  label: string;
}

export interface DateRange {
  from: string;
  to: string;
}

/** `unspecified`: a cap such as "under $800" whose unit depends on what is searched. */
export type BudgetPer = "night" | "person" | "total" | "unspecified";

export interface Budget {
  amountUsd: number;
  per: BudgetPer;
}

export type Selection =
  | { by: "cheapest" | "earliest" | "fastest" | "latest" }
  /** Zero-based position in the previous list; -1 is the last one. */
  | { by: "index"; index: number };

export interface Slots {
  origin?: Place;
  /** Destination candidates in the order named ("Honolulu or Maui" → HNL, OGG). */
  destinations: Place[];
  /** A single day, YYYY-MM-DD (departure or check-in). */
  date?: string;
  returnDate?: string;
  /** A span to search in ("in June", "next month"). */
  dateRange?: DateRange;
  nights?: number;
  adults?: number;
  children?: number;
  childrenAges: number[];
  /** Everyone travelling, when it can be told. */
  passengers?: number;
  budget?: Budget;
  avoidAirlines: string[];
  preferredAirline?: string;
  emails: string[];
  bookingRefs: string[];
  seat?: "window" | "aisle";
  sort?: "price" | "departure" | "duration";
  selection?: Selection;
  cardLast4?: string;
}

/** The text being read, with used spans blanked (same length, so offsets stay valid). */
class Scan {
  text: string;
  lower: string;

  constructor(raw: string) {
    this.text = foldText(raw);
    this.lower = this.text.replace(/[A-Z]/g, (c) => c.toLowerCase());
  }

  take(start: number, end: number): void {
    const blank = " ".repeat(Math.max(0, end - start));
    this.text = this.text.slice(0, start) + blank + this.text.slice(end);
    this.lower = this.lower.slice(0, start) + blank + this.lower.slice(end);
  }

  /** Matches of a global pattern on the lower-case text; each match is taken unless `keep` says no. */
  *each(re: RegExp): Generator<RegExpExecArray> {
    const global = new RegExp(re.source, re.flags.includes("g") ? re.flags : `${re.flags}g`);
    for (const m of [...this.lower.matchAll(global)]) {
      const start = m.index ?? 0;
      if (this.lower.slice(start, start + m[0].length) !== m[0]) continue; // taken meanwhile
      yield m as RegExpExecArray;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// numbers

const NUMBER_WORDS: Readonly<Record<string, number>> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
};
const NUM = "(\\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)";
const NUM_OR_A = "(\\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)";

function toNumber(word: string | undefined): number | undefined {
  if (word === undefined) return undefined;
  if (/^\d+$/.test(word)) return Number(word);
  return NUMBER_WORDS[word];
}

// ---------------------------------------------------------------------------------------------
// dates (UTC calendar days)

const DAY_MS = 86_400_000;
const MONTH =
  "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const MONTH_KEYS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const ORD = "(?:st|nd|rd|th)?";

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
    // "March 3", "Mar 3rd, 2027"
    re: new RegExp(`\\b${MONTH}\\.?\\s+(\\d{1,2})${ORD}\\b(?!\\s*(?::|am\\b|pm\\b))(?:,?\\s*(\\d{4}))?`),
    read: (m, today) => day(m.index, upcoming(monthIndex(m[1]!), Number(m[2]), today, year(m[3]))),
  },
  {
    // "3 March", "3rd of March 2027"
    re: new RegExp(`\\b(\\d{1,2})${ORD}\\s+(?:of\\s+)?${MONTH}\\b(?:,?\\s*(\\d{4}))?`),
    read: (m, today) => day(m.index, upcoming(monthIndex(m[2]!), Number(m[1]), today, year(m[3]))),
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

function extractDates(scan: Scan, now: Date, out: Slots): void {
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

// ---------------------------------------------------------------------------------------------
// contact details, references, card

function extractEmails(scan: Scan, out: Slots): void {
  for (const m of scan.each(/[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/)) {
    const email = scan.text.slice(m.index, m.index + m[0].length);
    if (!out.emails.some((e) => e.toLowerCase() === m[0])) out.emails.push(email);
    scan.take(m.index, m.index + m[0].length);
  }
}

function extractRefs(scan: Scan, out: Slots): void {
  for (const m of scan.each(/\bfl-[a-z0-9]{6}\b/)) {
    const ref = m[0].toUpperCase();
    if (!out.bookingRefs.includes(ref)) out.bookingRefs.push(ref);
    scan.take(m.index, m.index + m[0].length);
  }
}

function extractCard(scan: Scan, out: Slots): void {
  const re =
    /\b(?:card|visa|mastercard|amex|debit|credit)\b[^.\n]{0,25}?(?:ending(?:\s+in)?|last\s+(?:4|four)(?:\s+digits)?(?:\s+(?:are|is))?|x{2,}|\*{2,})\s*(\d{4})\b/;
  for (const m of scan.each(re)) {
    out.cardLast4 ??= m[1]!;
    scan.take(m.index, m.index + m[0].length);
  }
}

// ---------------------------------------------------------------------------------------------
// budget

const AMOUNT = "(\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.(\\d{1,2}))?(?:\\s*(k)\\b)?";
const MONEY_PATTERNS: readonly RegExp[] = [
  new RegExp(`(?:\\$|\\busd\\s*|\\bus\\$\\s*)\\s*${AMOUNT}(?:\\s*(?:usd|dollars|bucks)\\b)?`),
  new RegExp(`\\b${AMOUNT}\\s*(?:usd|dollars|bucks)\\b`),
  new RegExp(`\\bbudget\\s*(?:of|is|around|about|:)?\\s*${AMOUNT}\\b`),
  new RegExp(`\\b${AMOUNT}\\s*(?=(?:a|per|/)\\s*night)`),
];
const PER_NIGHT_AFTER = /^\s*(?:a|per|\/|each|every)\s*night|^\s*nightly/;
const PER_NIGHT_BEFORE = /\bnightly(?:\s+(?:rate|budget|price))?\s*(?:of|is|around|about|:)?\s*$/;
const PER_PERSON_AFTER =
  /^\s*(?:(?:a|per|\/|each)\s*(?:person|head|ticket|passenger|traveller|traveler|seat)|pp\b|each\b)/;
const TOTAL_BEFORE = /\b(?:budget|total|spend|spending|altogether|overall)\b[^.$]{0,20}$/;
const TOTAL_AFTER = /^\s*(?:total|in total|all in|altogether|budget|overall)\b/;
const CAP_BEFORE =
  /(?:\b(?:under|below|less than|max(?:imum)?|up to|no more than|at most|cheaper than|within|around|about)|<)\s*$/;

function amountOf(m: RegExpExecArray): number {
  const whole = Number((m[1] ?? "0").replace(/,/g, ""));
  const cents = m[2] ? Number(`0.${m[2]}`) : 0;
  return (whole + cents) * (m[3] ? 1000 : 1);
}

function extractBudget(scan: Scan, out: Slots): void {
  const found: Array<{ at: number; end: number; budget: Budget }> = [];
  for (const re of MONEY_PATTERNS) {
    for (const m of scan.each(re)) {
      const start = m.index;
      const end = start + m[0].length;
      const before = scan.lower.slice(Math.max(0, start - 40), start);
      const after = scan.lower.slice(end, end + 24);
      const amountUsd = amountOf(m);
      let per: BudgetPer | undefined;
      if (PER_NIGHT_AFTER.test(after) || PER_NIGHT_BEFORE.test(before)) per = "night";
      else if (PER_PERSON_AFTER.test(after)) per = "person";
      else if (/^budget/.test(m[0]) || TOTAL_BEFORE.test(before) || TOTAL_AFTER.test(after)) per = "total";
      else if (CAP_BEFORE.test(before)) per = "unspecified";
      if (per === undefined || amountUsd <= 0) continue;
      const suffix =
        per === "night"
          ? PER_NIGHT_AFTER.exec(after)
          : per === "person"
            ? PER_PERSON_AFTER.exec(after)
            : null;
      found.push({ at: start, end: end + (suffix?.[0].length ?? 0), budget: { amountUsd, per } });
      scan.take(start, end + (suffix?.[0].length ?? 0));
    }
  }
  found.sort((a, b) => a.at - b.at);
  if (found[0]) out.budget = found[0].budget;
}

// ---------------------------------------------------------------------------------------------
// party

const CHILD =
  "(?:kids?|children|child|sons?|daughters?|boys?|girls?|toddlers?|teens?|teenagers?|little ones)";
const AGE_LIST = "(\\d{1,2}(?:\\s*(?:,|and|&|\\+)\\s*(?:and\\s+)?\\d{1,2})*)";
const AGE_SUFFIX =
  "(?:\\s*(?:years?\\s*old|yrs?(?:\\s*old)?|y/?o))?(?!\\s*(?:adults?|people|persons|passengers|grown|travell?ers|guests|nights?|days?))";

interface PartyFacts {
  adults?: number;
  childCount?: number;
  total?: number;
  ages: number[];
}

interface PartyRule {
  re: RegExp;
  read(m: RegExpExecArray, facts: PartyFacts): void;
}

const ages = (list: string): number[] =>
  (list.match(/\d{1,2}/g) ?? []).map(Number).filter((n) => n >= 0 && n <= 17);

const PARTY_RULES: readonly PartyRule[] = [
  {
    // "kids aged 4 and 8", "two kids (4 and 8)", "children ages 4, 8", "kids 4 and 8"
    re: new RegExp(
      `\\b(?:${NUM}\\s+)?${CHILD}\\b\\s*[(,:-]?\\s*(?:(?:who\\s+are|are|aged|ages?|of\\s+ages?)\\s+)?${AGE_LIST}${AGE_SUFFIX}\\)?`,
    ),
    read: (m, f) => {
      f.ages.push(...ages(m[2]!));
      const n = toNumber(m[1]);
      if (n !== undefined) f.childCount = Math.max(f.childCount ?? 0, n);
    },
  },
  {
    re: new RegExp(`\\b(?:aged?|ages)\\s+${AGE_LIST}${AGE_SUFFIX}`),
    read: (m, f) => {
      f.ages.push(...ages(m[1]!));
    },
  },
  {
    // "a 4-year-old and an 8-year-old", "my 6 year old"
    re: /\b(\d{1,2})[\s-]*(?:years?|yrs?)[\s-]*old\b|\b(\d{1,2})\s*y\/?o\b/,
    read: (m, f) => {
      f.ages.push(...ages(m[1] ?? m[2] ?? ""));
    },
  },
  {
    re: /\b(?:a|our|my|one|an)\s+(?:baby|infant|newborn)\b/,
    read: (_m, f) => {
      f.ages.push(0);
    },
  },
  {
    re: new RegExp(`\\b${NUM_OR_A}\\s+(?:adults?|grown[- ]?ups|parents)\\b`),
    read: (m, f) => {
      const n = toNumber(m[1]);
      if (n !== undefined) f.adults = n;
    },
  },
  {
    re: new RegExp(`\\b${NUM}\\s+${CHILD}\\b`),
    read: (m, f) => {
      f.childCount = Math.max(f.childCount ?? 0, toNumber(m[1]) ?? 0);
    },
  },
  {
    re: new RegExp(
      `\\b(?:family|party|group|team)\\s+of\\s+${NUM}\\b|\\b${NUM}\\s+(?:people|persons|passengers|travell?ers|guests|pax|tickets|seats|of us)\\b|\\bwe\\s+are\\s+${NUM}\\b|\\b(?:table|room)\\s+for\\s+${NUM}\\b`,
    ),
    read: (m, f) => {
      const n = toNumber(m[1] ?? m[2] ?? m[3] ?? m[4]);
      if (n !== undefined) f.total = n;
    },
  },
  {
    re: /\b(?:my\s+(?:wife|husband|partner|spouse|girlfriend|boyfriend|fiancee?)|a\s+couple|the\s+two\s+of\s+us|both\s+of\s+us)\b/,
    read: (_m, f) => {
      f.adults ??= 2;
    },
  },
  {
    re: /\b(?:just\s+me|only\s+me|by\s+myself|solo|travell?ing\s+alone|on\s+my\s+own)\b/,
    read: (_m, f) => {
      f.adults ??= 1;
    },
  },
];

function extractParty(scan: Scan, out: Slots): void {
  const facts: PartyFacts = { ages: [] };
  for (const rule of PARTY_RULES) {
    for (const m of scan.each(rule.re)) {
      rule.read(m, facts);
      scan.take(m.index, m.index + m[0].length);
    }
  }
  if (facts.ages.length > 0) out.childrenAges = facts.ages;
  const children = Math.max(facts.ages.length, facts.childCount ?? 0);
  if (children > 0) out.children = children;
  const adults =
    facts.adults ?? (facts.total !== undefined ? Math.max(1, facts.total - children) : undefined);
  if (adults !== undefined) {
    out.adults = adults;
    out.passengers = Math.max(adults + children, facts.total ?? 0);
  } else if (facts.total !== undefined) {
    out.passengers = facts.total;
  }
}

// ---------------------------------------------------------------------------------------------
// airlines

const PREFER_BEFORE =
  /\b(?:don't mind|dont mind|do not mind|fine with|ok with|okay with|happy with|prefer(?:ably)?|only|love)\b(?:\s+(?:fly(?:ing)?|on|with|the|any))*\s*$/;
const AVOID_BEFORE =
  /\b(?:not|no|avoid(?:ing)?|except|excluding|exclude|without|other than|never|anything but|nothing on|rather not|instead of|skip|hate|don't|dont|do not|won't|wont)\b(?:\s+(?:fly(?:ing)?|on|with|book(?:ing)?|take|taking|use|using|want|like|the|any|again|an?))*\s*$/;
const SAME_POLARITY_GAP = /^\s*(?:,|or|and|nor|\/|&)?\s*(?:or|nor|and)?\s*$/;

function extractAirlines(scan: Scan, gazetteer: Gazetteer, out: Slots): void {
  const mentions: AirlineMention[] = gazetteer.findAirlines(scan.text);
  let previous: { end: number; avoid: boolean } | undefined;
  for (const m of mentions) {
    const name = m.airline?.name ?? m.text.replace(/\s+/g, " ");
    const gap = previous ? scan.lower.slice(previous.end, m.start) : undefined;
    const clause =
      scan.lower
        .slice(0, m.start)
        .split(/[.;!?]/)
        .pop() ?? "";
    let avoid: boolean;
    if (previous && gap !== undefined && SAME_POLARITY_GAP.test(gap)) avoid = previous.avoid;
    else if (PREFER_BEFORE.test(clause)) avoid = false;
    else avoid = AVOID_BEFORE.test(clause);
    if (avoid) {
      if (!out.avoidAirlines.includes(name)) out.avoidAirlines.push(name);
    } else {
      out.preferredAirline ??= name;
    }
    previous = { end: m.end, avoid };
    scan.take(m.start, m.end);
  }
}

// ---------------------------------------------------------------------------------------------
// places

type Role = "origin" | "destination" | "via";

const ROLE_MARKERS: ReadonlyArray<{ re: RegExp; role: Role }> = [
  {
    re: /\b(?:via|through|connecting (?:in|through)|connect in|layover in|stopover in|stop in)\s*$/,
    role: "via",
  },
  {
    re: /\b(?:from|out of|leaving|leave|departing|depart|based in|live in|living in|home is|i'm in|i am in|starting in|starting from|flying out of)\s*$/,
    role: "origin",
  },
  {
    re: /\b(?:to|into|toward|towards|for|visit|visiting|in|at|destination|around|near|see|explore|about|over)\s*$/,
    role: "destination",
  },
];
const CONNECTOR_GAP = /^\s*(?:,|or|and|\/|&|vs\.?|versus)?\s*(?:or|and)?\s*(?:maybe|perhaps)?\s*$/;
const ARROW_GAP = /^\s*(?:-|->|→|>|=>)\s*$/;

function titleCase(text: string): string {
  return /[A-Z]/.test(text) ? text : text.replace(/\b[a-z]/g, (c) => c.toUpperCase());
}

function toPlace(m: PlaceMention): Place {
  const first = m.airports[0]!;
  return {
    iata: first.iata,
    airports: m.airports.map((a) => a.iata),
    city: first.city,
    label: m.via === "iata" ? first.city : titleCase(m.text.replace(/\s+/g, " ")),
  };
}

function extractPlaces(scan: Scan, gazetteer: Gazetteer, out: Slots): void {
  const groups: Array<{ role: Role | undefined; members: PlaceMention[] }> = [];
  let prev: PlaceMention | undefined;
  for (const m of gazetteer.findPlaces(scan.text)) {
    const gap = prev ? scan.lower.slice(prev.end, m.start) : "";
    const last = groups[groups.length - 1];
    if (prev && last && ARROW_GAP.test(gap)) {
      last.role ??= "origin";
      groups.push({ role: "destination", members: [m] });
    } else if (prev && last && CONNECTOR_GAP.test(gap) && gap.length < 16) {
      last.members.push(m);
    } else {
      const before = scan.lower.slice(Math.max(0, m.start - 40), m.start);
      groups.push({ role: ROLE_MARKERS.find((r) => r.re.test(before))?.role, members: [m] });
    }
    prev = m;
  }
  const hasRole = (role: Role): boolean => groups.some((g) => g.role === role);
  for (const [i, g] of groups.entries()) {
    if (g.role !== undefined) continue;
    const destinationLater = groups.slice(i + 1).some((later) => later.role === "destination");
    if (destinationLater && !hasRole("origin")) g.role = "origin";
    else if (!hasRole("destination")) g.role = "destination";
    else if (!hasRole("origin")) g.role = "origin";
  }
  const origin = groups.find((g) => g.role === "origin")?.members[0];
  if (origin) out.origin = toPlace(origin);
  for (const g of groups) {
    if (g.role !== "destination") continue;
    for (const m of g.members) {
      const place = toPlace(m);
      if (place.iata === out.origin?.iata || out.destinations.some((d) => d.iata === place.iata)) continue;
      out.destinations.push(place);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// preferences: seat, sort, selection

const SORTS: ReadonlyArray<{ re: RegExp; sort: NonNullable<Slots["sort"]> }> = [
  {
    re: /\b(?:cheapest|cheaper|cheap|lowest (?:price|fare|cost)|least expensive|best price|budget option)\b/,
    sort: "price",
  },
  { re: /\b(?:earliest|soonest|first (?:flight|departure)|leave (?:as )?early)\b/, sort: "departure" },
  { re: /\b(?:fastest|shortest|quickest)\b/, sort: "duration" },
];

const ORDINALS: Readonly<Record<string, number>> = {
  first: 0,
  "1st": 0,
  second: 1,
  "2nd": 1,
  third: 2,
  "3rd": 2,
  fourth: 3,
  "4th": 3,
  fifth: 4,
  "5th": 4,
  last: -1,
};

function extractPreferences(scan: Scan, out: Slots): void {
  const seat = /\b(window|aisle)\b/.exec(scan.lower);
  if (seat) out.seat = seat[1] as "window" | "aisle";

  const sorts = SORTS.map((s) => ({ at: s.re.exec(scan.lower)?.index, sort: s.sort }))
    .filter((s): s is { at: number; sort: NonNullable<Slots["sort"]> } => s.at !== undefined)
    .sort((a, b) => a.at - b.at);
  if (sorts[0]) out.sort = sorts[0].sort;

  const the =
    /\b(?:the|that)\s+(cheapest|earliest|fastest|latest|first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th|last)\b(?!\s+(?:week|weekend|half|day|days|of|time|thing|night|nights))/.exec(
      scan.lower,
    );
  const numbered = /\b(?:option|number|choice|no\.|#)\s*(\d)\b/.exec(scan.lower);
  if (the) {
    const word = the[1]!;
    const index = ORDINALS[word];
    out.selection =
      index !== undefined
        ? { by: "index", index }
        : { by: word as "cheapest" | "earliest" | "fastest" | "latest" };
  } else if (numbered) {
    out.selection = { by: "index", index: Number(numbered[1]) - 1 };
  }
}

// ---------------------------------------------------------------------------------------------

/**
 * Reads the slots of one message. `now` anchors relative dates ("tomorrow", "next month"): days
 * are UTC calendar days, a month or day without a year is the next one to come.
 */
export function extractSlots(text: string, now: Date, gazetteer: Gazetteer = defaultGazetteer()): Slots {
  const out: Slots = { destinations: [], childrenAges: [], avoidAirlines: [], emails: [], bookingRefs: [] };
  const scan = new Scan(text);
  extractEmails(scan, out);
  extractRefs(scan, out);
  extractCard(scan, out);
  extractBudget(scan, out);
  extractDates(scan, now, out);
  extractParty(scan, out);
  extractAirlines(scan, gazetteer, out);
  extractPlaces(scan, gazetteer, out);
  extractPreferences(scan, out);
  return out;
}
