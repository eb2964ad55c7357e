/** The text the slot readers scan, with used spans blanked, and the number words they share. */
import { foldText } from "../fold.js";

/**
 * Bounds that keep slot reading linear in the input: only the first `MAX_SCAN_CHARS` characters
 * are read, and a run of non-space characters longer than `MAX_RUN_CHARS` (longer than any
 * e-mail address) is cut to that length before any pattern runs.
 */
const MAX_SCAN_CHARS = 20_000;
const MAX_RUN_CHARS = 256;

function bounded(raw: string): string {
  const text = raw.length > MAX_SCAN_CHARS ? raw.slice(0, MAX_SCAN_CHARS) : raw;
  return text.replace(/\S+/g, (run) => (run.length > MAX_RUN_CHARS ? run.slice(0, MAX_RUN_CHARS) : run));
}

/**
 * The text being read, with used spans blanked (same length, so offsets stay valid). Blanking
 * touches only the span; the whole text is rebuilt at most once per reader that asks for it.
 */
export class Scan {
  readonly #text: string[];
  readonly #lower: string[];
  #textCache: string | undefined;
  #lowerCache: string | undefined;

  /** The folded text before anything was blanked. */
  readonly original: string;

  constructor(raw: string) {
    const text = foldText(bounded(raw));
    this.original = text;
    this.#textCache = text;
    this.#lowerCache = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
    this.#text = text.split("");
    this.#lower = this.#lowerCache.split("");
  }

  get text(): string {
    this.#textCache ??= this.#text.join("");
    return this.#textCache;
  }

  get lower(): string {
    this.#lowerCache ??= this.#lower.join("");
    return this.#lowerCache;
  }

  /** `text.slice(start, end)` without rebuilding the text. */
  slice(start: number, end?: number): string {
    return this.#text.slice(start, end).join("");
  }

  /** `lower.slice(start, end)` without rebuilding the text. */
  sliceLower(start: number, end?: number): string {
    return this.#lower.slice(start, end).join("");
  }

  take(start: number, end: number): void {
    const to = Math.min(end, this.#text.length);
    for (let i = Math.max(0, start); i < to; i++) {
      this.#text[i] = " ";
      this.#lower[i] = " ";
    }
    this.#textCache = undefined;
    this.#lowerCache = undefined;
  }

  /** Matches of a global pattern on the lower-case text; each match is taken unless `keep` says no. */
  *each(re: RegExp): Generator<RegExpExecArray> {
    const global = new RegExp(re.source, re.flags.includes("g") ? re.flags : `${re.flags}g`);
    for (const m of [...this.lower.matchAll(global)]) {
      const start = m.index ?? 0;
      if (this.sliceLower(start, start + m[0].length) !== m[0]) continue; // taken meanwhile
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
