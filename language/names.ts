/** Words of a name: the tokens the gazetteer and the place reference match names on. */
import { foldText } from "./fold.js";

export interface Token {
  word: string;
  raw: string;
  start: number;
  end: number;
}

const TOKEN = /[A-Za-z0-9]+(?:'[A-Za-z]+)?/g;

/** Tokens may join into one name only across spaces, hyphens, slashes or a dot ("St. Paul"). */
export const JOINABLE_GAP = /^[\s\-/.]*$/;
/** At most this many tokens make one name. */
export const MAX_NAME_TOKENS = 5;

export function tokenize(folded: string): Token[] {
  const tokens: Token[] = [];
  for (const m of folded.matchAll(TOKEN)) {
    const start = m.index ?? 0;
    tokens.push({ word: m[0].toLowerCase(), raw: m[0], start, end: start + m[0].length });
  }
  return tokens;
}

/** The lookup key for a name: lower-case tokens joined by one space ("Sea-Tac" → "sea tac"). */
export function nameKey(name: string): string {
  return tokenize(foldText(name))
    .map((t) => t.word)
    .join(" ");
}

/** The key of the `n` tokens from `i`, or undefined when they do not join into one name. */
export function spanKey(folded: string, tokens: readonly Token[], i: number, n: number): string | undefined {
  const span = tokens.slice(i, i + n);
  if (span.length < n) return undefined;
  if (!span.every((t, k) => k === 0 || JOINABLE_GAP.test(folded.slice(span[k - 1]!.end, t.start))))
    return undefined;
  return span.map((t) => t.word).join(" ");
}

/** Words that end a place name: function words, travel words, calendar and number words. */
export const BOUNDARY = new Set(
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
    "november december am pm early late latest earliest cheapest cheap lowest either neither"
  ).split(" "),
);
