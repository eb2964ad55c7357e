/**
 * Days of the month as people write them: "9", "9th", "ninth", "twenty first", "thirtieth", and
 * a pre-pass that writes spelled day numbers as digits for the date parser.
 */

const UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"];
const TEENS = [
  "tenth",
  "eleventh",
  "twelfth",
  "thirteenth",
  "fourteenth",
  "fifteenth",
  "sixteenth",
  "seventeenth",
  "eighteenth",
  "nineteenth",
];
const CARDINAL_UNITS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
const CARDINAL_TEENS = [
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
];

const ORDINAL_WORDS: ReadonlyMap<string, number> = new Map([
  ...UNITS.map((w, i) => [w, i + 1] as const),
  ...TEENS.map((w, i) => [w, i + 10] as const),
  ["twentieth", 20],
  ...UNITS.map((w, i) => [`twenty ${w}`, i + 21] as const),
  ["thirtieth", 30],
  ["thirty first", 31],
]);

const CARDINAL_WORDS: ReadonlyMap<string, number> = new Map([
  ...CARDINAL_UNITS.map((w, i) => [w, i + 1] as const),
  ...CARDINAL_TEENS.map((w, i) => [w, i + 10] as const),
  ["twenty", 20],
  ...CARDINAL_UNITS.map((w, i) => [`twenty ${w}`, i + 21] as const),
  ["thirty", 30],
  ["thirty one", 31],
]);

const words = (list: readonly string[]): string => list.join("|");
const ORDINAL = `(?:(?:twenty|thirty)[\\s-]+(?:${words(UNITS)})|twentieth|thirtieth|${words(TEENS)}|${words(UNITS)})`;
const CARDINAL = `(?:(?:twenty|thirty)[\\s-]+(?:${words(CARDINAL_UNITS)})|${words(CARDINAL_TEENS)}|twenty|thirty|${words(CARDINAL_UNITS)})`;
const MONTH_NAME =
  "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
/** A spelled ordinal anywhere, or a spelled cardinal right after a month name ("april twenty one"). */
const SPELLED_DAY = new RegExp(
  `\\b(?:${ORDINAL}|(?<=\\b${MONTH_NAME}\\.?\\s+(?:the\\s+)?)${CARDINAL}(?!\\s+(?:${CARDINAL}|hundred|thousand)\\b))\\b|(?<=\\b${MONTH_NAME}\\.?\\s+)the\\s+(?=\\d|${ORDINAL}|${CARDINAL})`,
  "gi",
);

const key = (text: string): string => text.toLowerCase().replace(/[\s-]+/g, " ");
const SUFFIX = (n: number): string =>
  n % 10 === 1 && n !== 11 ? "st" : n % 10 === 2 && n !== 12 ? "nd" : n % 10 === 3 && n !== 13 ? "rd" : "th";

/** The day of the month `text` names (digits with or without a suffix, or words), if 1–31. */
export function dayOfMonth(text: string): number | undefined {
  const digits = /^(\d{1,2})(?:st|nd|rd|th)?$/.exec(text);
  const n = digits ? Number(digits[1]) : ORDINAL_WORDS.get(key(text));
  return n !== undefined && n >= 1 && n <= 31 ? n : undefined;
}

/** Text with some words rewritten, and a way back from its offsets to the original's. */
export interface Rewritten {
  text: string;
  /** The original span of `[start, end)` in the rewritten text. */
  span(start: number, end: number): [number, number];
}

/**
 * Spelled days of the month written as digits: "the twenty third" → "the 23rd", "april sixteen" →
 * "april 16", "march the 3rd" → "march 3rd". Cardinals count as days only right after a month name.
 */
export function digitDays(text: string): Rewritten {
  let out = "";
  const starts: number[] = [];
  const ends: number[] = [];
  let last = 0;
  const copy = (to: number): void => {
    for (let i = last; i < to; i++) {
      starts.push(i);
      ends.push(i + 1);
    }
    out += text.slice(last, to);
  };
  for (const m of text.matchAll(SPELLED_DAY)) {
    const at = m.index ?? 0;
    const n = ORDINAL_WORDS.get(key(m[0]));
    const cardinal = CARDINAL_WORDS.get(key(m[0]));
    // "march the third" → "march 3rd": the article between a month and its day is dropped
    const digits =
      n !== undefined
        ? `${n}${SUFFIX(n)}`
        : cardinal !== undefined
          ? String(cardinal)
          : m[0].startsWith("the")
            ? ""
            : m[0];
    copy(at);
    for (let i = 0; i < digits.length; i++) {
      starts.push(at);
      ends.push(at + m[0].length);
    }
    out += digits;
    last = at + m[0].length;
  }
  copy(text.length);
  return {
    text: out,
    span: (start, end) => [starts[start] ?? text.length, ends[end - 1] ?? text.length],
  };
}
