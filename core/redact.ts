/**
 * The one redactor: scrubs secrets out of free text before it is logged, stored, cached,
 * checkpointed, streamed or remembered. It masks card numbers in any spelling (13–19 digits with
 * spaces, dashes, dots or nothing between them, passing the Luhn check; the last four digits are
 * kept), CVV / CVC / security codes, expiry dates next to card words or a card number, passwords
 * and passcodes in free text and in `key=value` pairs, JWTs, bearer tokens, API keys (`sk-…`,
 * `AKIA…`, `ghp_…`, "api key …") and passwords in connection strings.
 *
 * Every pattern is linear on hostile input: bounded repeats, no nested quantifiers, and each
 * match starts only where its run begins. Text longer than `REDACT_MAX_CHARS` is cut there
 * (the cut is marked), so nothing unscanned is ever kept.
 */
import { createHash } from "node:crypto";
import { memoText } from "./memo.js";

/** Longest text scanned (prompts are capped at 20,000 characters; answers stay far below this). */
const REDACT_MAX_CHARS = 200_000;

// Digit boundaries, not word boundaries: `cc4242…`, `_4242…` and `…4242x` are cards too.
const CARD = /(?<!\d)(?:\d[ .-]?){12,18}\d(?!\d)/g;
// Starts only where no base64url run precedes, so `eyJ-eyJ-…` is scanned once, not once per `eyJ`.
const JWT = /(?<![\w-])eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g;
const BEARER = /\b(Bearer)\s+[\w.~+/=-]{8,}/gi;
// The user may be empty (`redis://:secret@host`, the usual Valkey form) and the password may hold `/`;
// bounded repeats keep every pattern linear on hostile input.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]{0,30}:\/\/[^:/\s@]{0,256}):[^@\s]{1,256}@/gi;
// Prefixed names too: `DB_PASSWORD=`, `client_secret:`, `access_token=`, `x-api-key:`.
const KEY_VALUE =
  /\b([\w-]{0,40}?(?:password|passwd|passcode|pwd|secret|api[_-]?key|token))("?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)/gi;
// Vendor key shapes: OpenAI / Anthropic (`sk-…`), AWS access key ids, GitHub, Slack, Google.
const API_KEY =
  /(?<![\w-])(?:sk-[\w-]{16,200}|(?:AKIA|ASIA)[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,100}|xox[abprs]-[\w-]{10,200}|AIza[\w-]{35})(?![\w-])/g;
// Secrets named in prose: "my password is hunter2", "passcode 7731", "api key abc123…".
const SAID_SECRET =
  /\b(pass(?:word|wd|code|phrase)|pwd|pin(?:\s{1,3}(?:code|number))?|api[\s_-]?key|access[\s_-]?key|secret(?:[\s_-]?key)?|(?:access|auth|api)[\s_-]?token)\b(\s{0,3}(?:is|was|=|:|-)\s{0,3}|\s{1,3})("[^"\n]{1,200}"|'[^'\n]{1,200}'|[^\s"',;]{1,200})/gi;
// A CVV is three or four digits after its name: `cvv 123`, `CVC: 4567`, `security code is 123`.
const CVV =
  /\b(cvv2?|cvc2?|csc|cid|(?:card\s{1,3}|security\s{1,3}|verification\s{1,3})code)\b(\s{0,3}(?:is|was|=|:|#|-)?\s{0,3})\d{3,4}(?!\d)/gi;
// Expiry after a card word: `exp 04/27`, `expires 4/2027`, `expiry date: 04-27`, `valid thru 04/27`.
const EXPIRY =
  /\b(exp(?:iry|ires|ired|iration)?(?:\s{1,3}date)?|valid\s{1,3}(?:thru|through|until))(\.?\s{0,3}(?:is|on|=|:|-)?\s{0,3})(?:0?[1-9]|1[0-2])\s{0,2}[/.-]\s{0,2}(?:\d{4}|\d{2})(?!\d)/gi;
// What follows a masked card: an expiry (`04/27`) and a CVV (`123`), as in `4111… 04/27 123`.
const AFTER_CARD_EXPIRY =
  /(\[CARD \*{4}\d{4}\][\s,;]{1,3})(?:0?[1-9]|1[0-2])\s{0,2}[/-]\s{0,2}(?:\d{4}|\d{2})(?!\d)/g;
const AFTER_CARD_CVV = /(\[CARD \*{4}\d{4}\][\s,;]{1,3}(?:\[EXPIRY\][\s,;]{1,3})?)\d{3,4}(?![\d/.-])/g;

/** The Luhn checksum every real card number passes (ids and timestamps mostly do not). */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Masks the cards in one run of digits and separators. A card starts and ends on a group of
 * digits, has 13–19 digits, one kind of separator (or none) and passes Luhn; the longest such
 * stretch from each group wins. Each group starts at most 19 checks: linear in the run.
 */
function maskCardRun(run: string, found?: (digits: string) => void): string {
  const groups: { at: number; end: number; sep: string }[] = [];
  for (const g of run.matchAll(/\d+/g)) {
    const at = g.index;
    groups.push({ at, end: at + g[0].length, sep: run[at - 1] ?? "" });
  }
  let out = "";
  let copied = 0;
  for (let s = 0; s < groups.length; s++) {
    let digits = "";
    let card = -1;
    let seps = "";
    for (let e = s; e < groups.length && digits.length < 19; e++) {
      if (e > s && !seps.includes(groups[e]!.sep)) seps += groups[e]!.sep;
      if (seps.length > 1) break;
      digits += run.slice(groups[e]!.at, groups[e]!.end);
      if (digits.length >= 13 && digits.length <= 19 && luhn(digits)) card = e;
    }
    if (card < 0) continue;
    const all = run.slice(groups[s]!.at, groups[card]!.end).replace(/\D/g, "");
    found?.(all);
    out += `${run.slice(copied, groups[s]!.at)}[CARD ****${all.slice(-4)}]`;
    copied = groups[card]!.end;
    s = card;
  }
  return out + run.slice(copied);
}

/** The card numbers typed in `text`, digits only, in order (what `redactText` masks as cards). */
export function cardNumbersIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.slice(0, REDACT_MAX_CHARS).matchAll(CARD)) maskCardRun(m[0], (d) => out.push(d));
  return out;
}

/** The last four digits of a card `redactText` masked in `text`, if any. */
export const maskedCardIn = (text: string): string | undefined => /\[CARD \*{4}(\d{4})\]/.exec(text)?.[1];

/** Masks what `SAID_SECRET` found; after bare spaces only a value with a digit or symbol counts. */
function maskSaid(m: string, name: string, sep: string, value: string): string {
  if (!/[=:-]|\b(?:is|was)\b/i.test(sep) && /^[a-z]+$/i.test(value)) return m;
  return `${name}${sep}[REDACTED]`;
}

const redactKept = memoText(redactUncached);

/**
 * Texts redaction returned unchanged (they hold nothing to mask, so keeping them keeps no secret),
 * newest last: a text seen again (a cached answer written to each asker's history) is recognised
 * by its content, without a digest. Bounded; the oldest goes first.
 */
const clean = new Set<string>();
const CLEAN_MAX = 512;
const CLEAN_MAX_CHARS = 16_384;

export function redactText(text: string): string {
  if (clean.has(text)) return text;
  const out = redactKept(text);
  if (out === text && text.length <= CLEAN_MAX_CHARS) {
    if (clean.size >= CLEAN_MAX) clean.delete(clean.values().next().value as string);
    clean.add(text);
  }
  return out;
}

function redactUncached(text: string): string {
  const scanned = text.length > REDACT_MAX_CHARS ? `${text.slice(0, REDACT_MAX_CHARS)}…[TRUNCATED]` : text;
  return scanned
    .replace(JWT, "[REDACTED_JWT]")
    .replace(BEARER, "$1 [REDACTED]")
    .replace(URL_PASSWORD, "$1:[REDACTED]@")
    .replace(API_KEY, "[REDACTED_KEY]")
    .replace(KEY_VALUE, "$1$2[REDACTED]")
    .replace(SAID_SECRET, maskSaid)
    .replace(CVV, "$1$2[REDACTED]")
    .replace(EXPIRY, "$1$2[EXPIRY]")
    .replace(CARD, (run) => maskCardRun(run))
    .replace(AFTER_CARD_EXPIRY, "$1[EXPIRY]")
    .replace(AFTER_CARD_CVV, "$1[REDACTED]");
}

/**
 * A digest of `text` spelled in the letters a–p only. No pattern here matches a run of lowercase
 * letters, so it reads back from storage exactly as written: for identifiers that are compared
 * after a redacted round trip (a client's key may itself look like a card number).
 */
export function unredactableDigest(text: string, length = 20): string {
  const hex = createHash("sha256").update(text).digest("hex").slice(0, length);
  return hex.replace(/\d/g, (d) => String.fromCharCode(103 + Number(d)));
}

/** Whether `text` holds anything `redactText` masks. */
export const hasSecret = (text: string): boolean => redactText(text) !== text;

/** Deep copy of a JSON value with every string (keys kept) scrubbed; for records kept at rest. */
export function redactJson<T>(value: T, depth = 0): T {
  if (typeof value === "string") return redactText(value) as T;
  if (value === null || typeof value !== "object") return value;
  if (depth > 64) return "[Truncated]" as T;
  if (Array.isArray(value)) return value.map((v) => redactJson(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactJson(v, depth + 1);
  return out as T;
}

const SECRET_KEY =
  /^(authorization|cookie|set-cookie|password|passwd|secret|token|access_token|id_token|refresh_token|api_?key|card_?number|cvc|cvv|pan)$/i;
/** Field names that end in a secret's name once case and separators are dropped (`clientSecret`, `x-api-key`, `DB_PASSWORD`, `sessionToken`). */
const SECRET_SUFFIX =
  /(authorization|cookie|password|passwd|secret|token|apikey|cardnumber|privatekey|credentials?)$/;
const isSecretKey = (k: string): boolean =>
  SECRET_KEY.test(k) || SECRET_SUFFIX.test(k.toLowerCase().replace(/[^a-z0-9]/g, ""));

/** Deep copy of a value with secret-named fields replaced and every string scrubbed. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactText(value);
  if (value === null || typeof value !== "object") return value;
  // Deeper than this is not walked, so it is not logged either (it could hold anything).
  if (depth > 8) return "[Truncated]";
  if (value instanceof Error) {
    return { type: value.name, message: redactText(value.message), code: (value as { code?: unknown }).code };
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = isSecretKey(k) ? "[REDACTED]" : redactValue(v, depth + 1);
  }
  return out;
}
