/**
 * Scrubs secrets out of free text before it reaches a log line or an error message: card
 * numbers (13–19 digits, spaced or dashed, passing the Luhn check), JWTs and bearer tokens, passwords in connection
 * strings, and `password=` / `api_key=` style pairs.
 */
const CARD = /\b(?:\d[ -]?){12,18}\d\b/g;
const JWT = /\beyJ[\w-]{5,}\.[\w-]{5,}\.[\w-]*/g;
const BEARER = /\b(Bearer)\s+[\w.~+/=-]{8,}/gi;
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:/\s@]+):[^@\s/]+@/gi;
const KEY_VALUE = /\b(password|passwd|secret|api[_-]?key|token)("?\s*[=:]\s*)("[^"]*"|'[^']*'|[^\s,;&]+)/gi;

/** Card numbers pass the Luhn check; ids and timestamps mostly do not. */
function luhn(digits: string): boolean {
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

/** Deep copy of a value with secret-named fields replaced and every string scrubbed. */
export function redactValue(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return redactText(value);
  if (value === null || typeof value !== "object" || depth > 8) return value;
  if (value instanceof Error) {
    return { type: value.name, message: redactText(value.message), code: (value as { code?: unknown }).code };
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_KEY.test(k) ? "[REDACTED]" : redactValue(v, depth + 1);
  }
  return out;
}
