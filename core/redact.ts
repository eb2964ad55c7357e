/**
 * Scrubs secrets out of free text before it reaches a log line or an error message: card
 * numbers (13–19 digits, spaced or dashed, passing the Luhn check), JWTs and bearer tokens, passwords in connection
 * strings, and `password=` / `api_key=` style pairs.
 */
// Digit boundaries, not word boundaries: `cc4242…`, `_4242…` and `…4242x` are cards too.
const CARD = /(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)/g;
// Starts only where no base64url run precedes, so `eyJ-eyJ-…` is scanned once, not once per `eyJ`.
const JWT = /(?<![\w-])eyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g;
const BEARER = /\b(Bearer)\s+[\w.~+/=-]{8,}/gi;
// The user may be empty (`redis://:secret@host`, the usual Valkey form) and the password may hold `/`;
// bounded repeats keep every pattern linear on hostile input.
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]{0,30}:\/\/[^:/\s@]{0,256}):[^@\s]{1,256}@/gi;
// Prefixed names too: `DB_PASSWORD=`, `client_secret:`, `access_token=`, `x-api-key:`.
const KEY_VALUE =
  /\b([\w-]{0,40}?(?:password|passwd|secret|api[_-]?key|token))("?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)/gi;

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

export function redactText(text: string): string {
  return text
    .replace(JWT, "[REDACTED_JWT]")
    .replace(BEARER, "$1 [REDACTED]")
    .replace(URL_PASSWORD, "$1:[REDACTED]@")
    .replace(KEY_VALUE, "$1$2[REDACTED]")
    .replace(CARD, (m) => {
      const digits = m.replace(/\D/g, "");
      return digits.length >= 13 && luhn(digits) ? `[CARD ****${digits.slice(-4)}]` : m;
    });
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
