/** The text the slot readers scan, with used spans blanked, and the number words they share. */
import { foldText } from "../fold.js";

/** The text being read, with used spans blanked (same length, so offsets stay valid). */
export class Scan {
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
export const NUM = "(\\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)";
export const NUM_OR_A = "(\\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)";

export function toNumber(word: string | undefined): number | undefined {
  if (word === undefined) return undefined;
  if (/^\d+$/.test(word)) return Number(word);
  return NUMBER_WORDS[word];
}
