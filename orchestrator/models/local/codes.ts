/**
 * A code the customer asks about ("what does UA stand for", "what is MCO", "airline code DL"):
 * an airport Flightly serves (three letters), an airline (two characters, Flightly's or any real
 * carrier of the reference list), or a code of another kind (fare basis, meal) that no list here
 * knows.
 */
import { type Gazetteer, readCarriers, referenceCarrier } from "../../../language/index.js";

export type AskedCode =
  | { kind: "airport"; code: string }
  | { kind: "airline"; code: string }
  | { kind: "unknown"; code: string };

/** Positions where a short token is a code being asked about. */
const CODE_CUES: readonly RegExp[] = [
  /\b([a-z0-9]{2,3})\s+(?:stand|stands)\s+for\b/,
  /\b(?:does|do)\s+(?:the\s+)?(?:code\s+|abbreviation\s+|letters\s+)?([a-z0-9]{2,3})\s+mean\b/,
  /\b(?:airline|airport|carrier)\s+codes?\s+([a-z0-9]{2,3})\b/,
  /\b(?:abbreviation|meaning of)\s+([a-z0-9]{2,3})\b/,
  /\bwhat (?:airline|carrier|airport|city) is\s+([a-z0-9]{2,3})\b/,
  /^(?:what|whats|what's|what is)\s+(?:is\s+)?([a-z0-9]{2,3})\s*\??$/,
  /\b(?:has|with|uses|is) (?:the )?code\s+([a-z0-9]{2,3})\b/,
  /\b(?:define|explain)\s+(?:the\s+)?(?:airline\s+|airport\s+|carrier\s+)?(?:code\s+)?([a-z0-9]{2,3})\s*\??$/,
];

/** Kinds of code Flightly has no list for: a question about one is declined, not guessed. */
const OTHER_CODES = /\b(?:fare|meal|restriction|booking class|class)\s+(?:basis\s+)?codes?\b/;

export function askedCodes(text: string, gazetteer: Gazetteer): AskedCode[] {
  const lower = text.toLowerCase().replace(/[’‘]/g, "'");
  if (OTHER_CODES.test(lower)) return [];
  const found = new Map<string, AskedCode>();
  for (const cue of CODE_CUES) {
    const m = cue.exec(lower);
    const code = m?.[1];
    if (!code || found.has(code)) continue;
    if (code.length === 3 && /^[a-z]{3}$/.test(code) && gazetteer.airport(code.toUpperCase()))
      found.set(code, { kind: "airport", code: code.toUpperCase() });
    else if (code.length === 2 && (gazetteer.airline(code) || referenceCarrier(code)))
      found.set(code, { kind: "airline", code: code.toUpperCase() });
    else found.set(code, { kind: "unknown", code: code.toUpperCase() });
  }
  return [...found.values()];
}

/** Questions about an airline as such ("what airline is …", "tell me about Delta", "airline code"). */
const AIRLINE_QUESTION =
  /\b(?:airline|carrier)s?\s+codes?\b|\bwhat (?:kind of )?(?:airline|carrier) is\b|\b(?:tell me about|info(?:rmation)? (?:on|about)|what do you know about)\s+(?:the\s+)?(?:airline\s+)?\w+/;

/** Airlines the message asks about as such: by code, or named in an airline question. */
export function askedAirlines(text: string, gazetteer: Gazetteer): string[] {
  const codes = askedCodes(text, gazetteer)
    .filter((c) => c.kind === "airline")
    .map((c) => c.code);
  const lower = text.toLowerCase();
  // "information on X flights from A to B" asks for flights, not about the airline.
  const named =
    AIRLINE_QUESTION.test(lower) && !/\b(?:flights?|fares?|fly|flying)\b/.test(lower)
      ? readCarriers(lower, gazetteer).map((m) => m.code ?? m.name)
      : [];
  return [...new Set([...codes, ...named])];
}
