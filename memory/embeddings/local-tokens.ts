/** The local embedder's tokenizer and entity tagger, and the entity and negation features it reads. */
import {
  AIRLINE_CONTEXT,
  AIRLINE_SET,
  AIRPORT_CODES,
  ALIASES,
  AMBIGUOUS_AIRLINES,
  AMBIGUOUS_PLACES,
  CONTRACTIONS,
  CURRENCIES,
  DATE_MODIFIERS,
  DAY_PARTS,
  DETERMINERS,
  HOLIDAYS,
  MONTH_CONTEXT,
  MONTHS,
  NEGATED_WORDS,
  NEGATIONS,
  NOT_CODES,
  NOT_NEGATED,
  NUMBER_WORDS,
  PERIODS,
  PHRASES,
  PLACE_SET,
  RELATIVE_DAYS,
  ROLE_FROM,
  ROLE_NOUNS,
  ROLE_TO,
  SUFFIXES,
  SYNONYMS,
  WEEKDAYS,
} from "./local-lexicon.js";
import type { Vocabulary } from "./local-vocabulary.js";

export type Kind = "word" | "number" | "currency" | "place" | "airline" | "code" | "proper";

export interface Token {
  /** Folded text ("new york" for a phrase, "200" for "$200"'s number). */
  text: string;
  /** The words that make it up, for the semantic block. */
  parts: string[];
  kind: Kind;
  /** Written with a capital (or all capitals) somewhere other than a sentence start. */
  capital: boolean;
  upper: boolean;
  /** For numbers: the canonical value; a time suffix (`am`/`pm`) when there is one. */
  value?: string;
  suffix?: string;
}

/** Currency signs, numbers (with suffixes: 3rd, 9am, 23kg), words, then any other script's words. */
const TOKEN = /[$€£¥]|\d+(?:[.,]\d+)*[a-z]*|[a-z][a-z0-9]*(?:['-][a-z0-9]+)*|[\p{L}\p{N}]+/giu;
/** `.` `?` `!` `:` `;` — a capital after one of these starts a sentence. */
const SENTENCE_END = new Set([0x2e, 0x3f, 0x21, 0x3a, 0x3b]);
const ASCII = /^[\x20-\x7e\t\n\r]*$/;
/**
 * Bounds that keep embedding linear in the input: only the first `MAX_TEXT_CHARS` characters are
 * read, and a token longer than `MAX_TOKEN_CHARS` is cut to that length before any per-character
 * work (typo correction, trigrams). No vocabulary word comes near the token cap.
 */
const MAX_TEXT_CHARS = 32_768;
export const MAX_TOKEN_CHARS = 64;

function canonicalNumber(raw: string): string {
  const plain = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(raw) ? raw.replace(/,/g, "") : raw.replace(/,/g, ".");
  const n = Number(plain);
  return Number.isFinite(n) ? String(n) : plain;
}

export function rawTokens(input: string): Token[] {
  const text = input.length > MAX_TEXT_CHARS ? input.slice(0, MAX_TEXT_CHARS) : input;
  const src = ASCII.test(text)
    ? text.replace(/`/g, "'")
    : text
        .normalize("NFKD")
        .replace(/\p{M}+/gu, "")
        .replace(/[\u2018\u2019\u02bc`]/g, "'");
  const out: Token[] = [];
  const matches = [...src.matchAll(TOKEN)];
  // Capitals mark names only in ordinary sentence case; Title Case or SHOUTING carries no signal.
  let words = 0;
  let capitalised = 0;
  for (const m of matches) {
    const c = m[0].charCodeAt(0);
    if (c >= 65 && c <= 122 && m[0].length > 1) {
      words++;
      if (c <= 90) capitalised++;
    }
  }
  const caseSignal = words < 4 || capitalised / words <= 0.6;
  let last = 0;
  for (const m of matches) {
    const raw = m[0].length > MAX_TOKEN_CHARS ? m[0].slice(0, MAX_TOKEN_CHARS) : m[0];
    const at = m.index;
    let sentenceStart = out.length === 0;
    for (let i = last; i < at && !sentenceStart; i++) sentenceStart = SENTENCE_END.has(src.charCodeAt(i));
    last = at + m[0].length;
    const lower = raw.toLowerCase();
    const first = raw.charCodeAt(0);
    const capital = caseSignal && !sentenceStart && first >= 65 && first <= 90 && lower !== "i";
    const upper = caseSignal && raw.length >= 2 && raw === raw.toUpperCase() && /[A-Z]/.test(raw);
    const base = { capital: capital || upper, upper };
    const cur = CURRENCIES[lower];
    if (cur !== undefined && lower.length === 1) {
      out.push({ ...base, text: cur, parts: [], kind: "currency" });
      continue;
    }
    if (/^\d/.test(lower)) {
      const m2 = /^([\d.,]+?)(st|nd|rd|th|am|pm|k|[a-z]+)?$/.exec(lower);
      const num = canonicalNumber(m2?.[1] ?? lower);
      const suffix = m2?.[2];
      const value = suffix === "k" ? String(Number(num) * 1000) : num;
      const t: Token = { ...base, text: value, parts: [], kind: "number", value };
      if (suffix === "am" || suffix === "pm") t.suffix = suffix;
      out.push(t);
      if (suffix && !/^(st|nd|rd|th|am|pm|k)$/.test(suffix)) {
        out.push({ ...base, text: suffix, parts: [suffix], kind: CURRENCIES[suffix] ? "currency" : "word" });
        if (CURRENCIES[suffix]) out[out.length - 1]!.text = CURRENCIES[suffix]!;
      }
      continue;
    }
    if (lower.includes("'")) {
      const whole = CONTRACTIONS[lower];
      if (whole) {
        for (const w of whole) out.push({ ...base, text: w, parts: [w], kind: "word" });
        continue;
      }
      const suffix = SUFFIXES.find(([s]) => lower.endsWith(s));
      if (suffix) {
        const stem = lower.slice(0, -suffix[0].length);
        if (stem) out.push({ ...base, text: stem, parts: [stem], kind: "word" });
        out.push({ ...base, text: suffix[1], parts: [suffix[1]], kind: "word" });
        continue;
      }
      const stripped = lower.endsWith("'s") ? lower.slice(0, -2) : lower.replace(/'/g, "");
      out.push({ ...base, text: stripped, parts: [stripped], kind: "word" });
      continue;
    }
    out.push({ ...base, text: lower, parts: [lower], kind: "word" });
  }
  return out;
}

/** Merges phrases, tags entities, resolves aliases and number words. */
export function tag(tokens: Token[], vocab: Vocabulary): Token[] {
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const candidates = t.kind === "word" ? PHRASES.get(t.text) : undefined;
    let merged: Token | undefined;
    if (candidates) {
      for (const parts of candidates) {
        if (parts.every((p, k) => tokens[i + k]?.kind === "word" && tokens[i + k]!.text === p)) {
          const phrase = parts.join(" ");
          const canon = ALIASES[phrase] ?? phrase;
          const span = tokens.slice(i, i + parts.length);
          merged = {
            text: canon,
            parts: canon.split(" "),
            // Aliased phrases that are neither ("this evening" → "tonight") stay words.
            kind: PLACE_SET.has(canon)
              ? "place"
              : AIRLINE_SET.has(phrase) || AIRLINE_SET.has(canon)
                ? "airline"
                : "word",
            capital: span.some((s) => s.capital),
            upper: false,
          };
          i += parts.length - 1;
          break;
        }
      }
    }
    if (merged) {
      out.push(merged);
      continue;
    }
    if (t.kind !== "word") {
      out.push(t);
      continue;
    }
    const alias = ALIASES[t.text];
    const w = alias ?? t.text;
    const next = tokens[i + 1];
    if (PLACE_SET.has(w)) {
      out.push({ ...t, text: w, parts: w.split(" "), kind: "place" });
    } else if (AMBIGUOUS_PLACES.has(w) && t.capital) {
      out.push({ ...t, kind: "place" });
    } else if (AIRLINE_SET.has(t.text) || AIRLINE_SET.has(w)) {
      out.push({ ...t, text: w, parts: w.split(" "), kind: "airline" });
    } else if (
      AMBIGUOUS_AIRLINES.has(w) &&
      (t.capital || (next !== undefined && next.kind === "word" && AIRLINE_CONTEXT.has(next.text)))
    ) {
      out.push({ ...t, kind: "airline" });
    } else if (w.length === 3 && ((t.upper && !NOT_CODES.has(w)) || AIRPORT_CODES.has(w))) {
      out.push({ ...t, kind: "code" });
    } else if (NUMBER_WORDS.has(w) && w !== "one") {
      const value = String(NUMBER_WORDS.get(w));
      out.push({ ...t, kind: "number", value });
    } else if (CURRENCIES[w] !== undefined && out.at(-1)?.kind === "number") {
      out.push({ ...t, text: CURRENCIES[w]!, kind: "currency" });
    } else if (t.capital && !t.upper && !MONTHS.has(w) && !WEEKDAYS.has(w) && !HOLIDAYS.has(w)) {
      const index = vocab.lookup(w);
      out.push(index >= 0 && vocab.rank(index) < PROPER_MIN_RANK ? t : { ...t, kind: "proper" });
    } else {
      const canon = SYNONYMS.get(w);
      out.push(canon ? { ...t, text: canon, parts: [canon] } : { ...t, text: w });
    }
  }
  return out;
}

/** Capitalised words more frequent than this are ordinary words ("Can", "Book", "Hotels"). */
const PROPER_MIN_RANK = 3000;

export function negated(tokens: readonly Token[]): boolean {
  return tokens.some(
    (t) =>
      t.kind === "word" &&
      !NOT_NEGATED.has(t.text) &&
      (NEGATIONS.has(t.text) || t.text.startsWith("non-") || NEGATED_WORDS.has(t.text)),
  );
}

const isPlace = (t: Token | undefined): boolean =>
  t !== undefined && (t.kind === "place" || t.kind === "code" || t.kind === "proper");

/** Entity features with weights: places/airlines/codes, numbers, amounts, dates, times, roles. */
export function entityFeatures(tokens: readonly Token[], roleWeight: number): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  const roled = new Set<number>();
  const roles: Array<[string, number]> = [];
  let origin = false;
  const role = (i: number, r: "from" | "to", name: string): void => {
    if (roled.has(i)) return;
    roled.add(i);
    origin ||= r === "from";
    roles.push([`${r}:${name}`, roleWeight]);
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    switch (t.kind) {
      case "place":
      case "code":
      case "proper":
      case "airline":
        out.push([`e:${t.text}`, 1]);
        break;
      case "currency":
        out.push([`c:${t.text}`, 0.7]);
        break;
      case "number": {
        const cur =
          (prev?.kind === "currency" && prev.text) || (next?.kind === "currency" && next.text) || undefined;
        if (t.suffix) out.push([`t:${t.value}${t.suffix}`, 1]);
        else if (next?.kind === "word" && (next.text === "am" || next.text === "pm")) {
          out.push([`t:${t.value}${next.text}`, 1]);
        } else out.push([cur ? `a:${t.value}${cur}` : `n:${t.value}`, 1]);
        break;
      }
      case "word": {
        const w = t.text;
        const month = MONTHS.get(w);
        const nearNumber = prev?.kind === "number" || next?.kind === "number";
        let isMonth = false;
        if (month !== undefined) {
          if (w === "may")
            isMonth = t.capital || nearNumber || (prev !== undefined && MONTH_CONTEXT.has(prev.text));
          else if (w.length <= 4 && w !== "june" && w !== "july") isMonth = nearNumber;
          else isMonth = true;
        }
        const modifier = prev && DATE_MODIFIERS.has(prev.text) ? prev.text : undefined;
        if (isMonth) {
          out.push([`d:${month}`, 1]);
        } else if (WEEKDAYS.has(w) || RELATIVE_DAYS.has(w) || HOLIDAYS.has(w)) {
          out.push([`d:${w}`, 1]);
          if (modifier) out.push([`d:${modifier} ${w}`, 1]);
        } else if (PERIODS.has(w) && modifier) {
          out.push([`d:${modifier} ${w}`, 1]);
        } else if (DAY_PARTS.has(w) && prev && (RELATIVE_DAYS.has(prev.text) || WEEKDAYS.has(prev.text))) {
          out.push([`d:${prev.text} ${w}`, 1]);
        } else if (w === "new" && next?.text === "year") {
          out.push(["d:new year", 1]);
        }
        break;
      }
    }
  }
  // Roles: "from X", "to X", "X to Y", "between X and Y"; X a place or a place-like noun.
  // afterDeterminers[i]: the first index from i on that is not a determiner (one pass, not one per word).
  const afterDeterminers = new Int32Array(tokens.length + 1).fill(tokens.length);
  for (let i = tokens.length - 1; i >= 0; i--)
    afterDeterminers[i] = DETERMINERS.has(tokens[i]!.text) ? afterDeterminers[i + 1]! : i;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== "word") continue;
    const j = afterDeterminers[i + 1]!;
    const target = tokens[j];
    if (!target) continue;
    const placeLike = isPlace(target) || (target.kind === "word" && ROLE_NOUNS.has(target.text));
    if (!placeLike) continue;
    if (ROLE_FROM.has(t.text)) role(j, "from", target.text);
    else if (ROLE_TO.has(t.text)) role(j, "to", target.text);
    else if (t.text === "between" && tokens[j + 1]?.text === "and" && isPlace(tokens[j + 2])) {
      role(j, "from", target.text);
      role(j + 2, "to", tokens[j + 2]!.text);
    }
  }
  for (let i = 0; i + 2 < tokens.length; i++) {
    const t = tokens[i]!;
    if (isPlace(t) && !roled.has(i) && tokens[i + 1]!.text === "to" && isPlace(tokens[i + 2]))
      role(i, "from", t.text);
  }
  // A destination alone ("travel to Japan") is just a place; roles matter once there is an origin.
  if (origin) out.push(...roles);
  return out;
}
