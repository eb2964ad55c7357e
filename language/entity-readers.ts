/** Readers for the entity guard: days of the month in words or digits, and times of day. */
import { dayOfMonth } from "./ordinals.js";

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH =
  "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

const ORD_WORD = "(?:(?:twenty|thirty)[\\s-]+)?[a-z]+(?:st|nd|rd|th)";
const DAY = `(\\d{1,2})(?:st|nd|rd|th)?\\b|(${ORD_WORD})\\b`;
const MONTH_DAY = new RegExp(`\\b${MONTH}\\.?\\s+(?:the\\s+)?(?:${DAY})`, "g");
const DAY_MONTH = new RegExp(
  `\\b(?:the\\s+)?(?:(\\d{1,2})(?:st|nd|rd|th)?|(${ORD_WORD}))\\s+(?:of\\s+)?${MONTH}\\b`,
  "g",
);
/** A day without its month: "on the twenty third", "on the 5th". */
const ON_THE_DAY = new RegExp(`\\bon\\s+the\\s+(?:(\\d{1,2})(?:st|nd|rd|th)|(${ORD_WORD}))\\b`, "g");

const dayNumber = (digits: string | undefined, word: string | undefined): number | undefined =>
  dayOfMonth(digits ?? word ?? "");

/** Days of the month named in `lower`: `apr-1`, or `day-23` when no month is attached. */
export function daysOfMonth(lower: string): string[] {
  const out = new Set<string>();
  const spans: Array<[number, number]> = [];
  const add = (month: string | undefined, n: number | undefined, m: RegExpExecArray | RegExpMatchArray) => {
    if (n === undefined) return;
    const start = m.index ?? 0;
    if (spans.some(([s, e]) => s < start + m[0].length && start < e)) return;
    spans.push([start, start + m[0].length]);
    out.add(`${month ? MONTHS[MONTHS.indexOf(month.slice(0, 3))] : "day"}-${n}`);
  };
  for (const m of lower.matchAll(MONTH_DAY)) add(m[1], dayNumber(m[2], m[3]), m);
  for (const m of lower.matchAll(DAY_MONTH)) add(m[3], dayNumber(m[1], m[2]), m);
  for (const m of lower.matchAll(ON_THE_DAY)) add(undefined, dayNumber(m[1], m[2]), m);
  return [...out].sort();
}

const PARTS =
  /\b(early|late|mid)?[\s-]*(morning|afternoon|evening|night|overnight|noon|midday|midnight|red[\s-]?eye|dawn|lunch\s*time|dinner\s*time)s?\b/g;
/** Words that set a clock time in relation ("before 10 am", "at 5 pm"). */
export const CLOCK_RELATIONS = [
  "before",
  "after",
  "by",
  "around",
  "about",
  "at",
  "until",
  "till",
  "from",
  "between",
  "earlier than",
  "later than",
  "no later than",
] as const;
const CLOCK = new RegExp(
  `\\b(?:(${CLOCK_RELATIONS.join("|")})\\s+)?(\\d{1,2})(?::?(\\d{2}))?\\s*(a\\.?m\\.?|p\\.?m\\.?|o'?clock)(?![a-z])`,
  "g",
);
const RELATION: Readonly<Record<string, string>> = {
  by: "before",
  until: "before",
  till: "before",
  "earlier than": "before",
  "no later than": "before",
  "later than": "after",
  about: "around",
  from: "after",
};

/** Parts of the day and clock times: `morning`, `early-morning`, `before@10:00`, `at@20:30`. */
export function readTimes(lower: string): string[] {
  const out = new Set<string>();
  for (const m of lower.matchAll(PARTS)) {
    const part = m[2]!.replace(/[\s-]+/g, "");
    out.add(m[1] ? `${m[1]}-${part}` : part);
  }
  for (const m of lower.matchAll(CLOCK)) {
    let h = Number(m[2]);
    const min = m[3] ?? "00";
    const suffix = m[4]!.replace(/\./g, "");
    if (h > 24 || Number(min) > 59) continue;
    if (suffix === "pm" && h < 12) h += 12;
    if (suffix === "am" && h === 12) h = 0;
    const rel = m[1] ? (RELATION[m[1]] ?? m[1]) : "at";
    out.add(`${rel}@${String(h).padStart(2, "0")}:${min}`);
  }
  return [...out].sort();
}
