/** Days of the month as people write them: "9", "9th", "ninth", "twenty first", "thirtieth". */

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

const ORDINAL_WORDS: ReadonlyMap<string, number> = new Map([
  ...UNITS.map((w, i) => [w, i + 1] as const),
  ...TEENS.map((w, i) => [w, i + 10] as const),
  ["twentieth", 20],
  ...UNITS.map((w, i) => [`twenty ${w}`, i + 21] as const),
  ["thirtieth", 30],
  ["thirty first", 31],
]);

/** A regular-expression source for an ordinal day in words ("ninth", "twenty-first"). */
export const ORDINAL_DAY_WORD = `(?:(?:twenty|thirty)[\\s-]+(?:${UNITS.join("|")})|twentieth|thirtieth|${TEENS.join("|")}|${UNITS.join("|")})`;

/** The day of the month `text` names (digits with or without a suffix, or words), if 1–31. */
export function dayOfMonth(text: string): number | undefined {
  const digits = /^(\d{1,2})(?:st|nd|rd|th)?$/.exec(text);
  const n = digits ? Number(digits[1]) : ORDINAL_WORDS.get(text.toLowerCase().replace(/[\s-]+/g, " "));
  return n !== undefined && n >= 1 && n <= 31 ? n : undefined;
}
