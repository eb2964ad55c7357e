/**
 * Which answers may be cached, for whom, and for how long. Decided from what the answer was
 * built from (the tools that ran, as their metadata describes them) and how the request is phrased.
 */
import { defaultGazetteer, type Entities } from "../../language/index.js";
import type { AnswerKind } from "../../tools/definition.js";

export type CacheCategory =
  | "policy"
  | "destination"
  | "weather"
  | "availability"
  | "personal"
  | "action"
  /** Built on a place the request's key does not name: the session's or the profile's. */
  | "context"
  | "none";

export interface AnswerCachePolicy {
  category: CacheCategory;
  /** `shared` answers are the same for everyone; `actor` answers only for the asker. */
  scope: "shared" | "actor" | "never";
  ttlMs: number;
}

/** Answers built only on these are the same for everyone who asks. */
const SHARED = new Set<AnswerKind>(["policy", "destination", "weather"]);
const PERSONAL_WORDS = /\b(my|mine|our|ours|me|we|us|i|i'm|i've|we're|booking|bookings|reservation)\b/i;
const ACTION_WORDS =
  /\b(book|reserve|pay|charge|cancel|confirm|buy|purchase|add\s+(?:travel\s+)?insurance)\b/i;

const jitter = (ms: number): number => Math.round(ms * (0.9 + Math.random() * 0.2));

/** A tool call as the policy reads it: what its results are (tool metadata) and how it ended. */
export interface PolicyCall {
  answers: AnswerKind;
  sideEffect: boolean;
  status: "success" | "error";
  /** The airports its place arguments point at (`placesOfInput`). */
  places?: readonly string[];
}

/** Tool arguments that name a place: an airport code, a city name or a city's code. */
const PLACE_ARGS = ["origin", "destination", "city", "code", "airport", "location"] as const;

/** The airports a tool call's place arguments point at ("HNL", "Honolulu" → HNL). */
export function placesOfInput(input: unknown): string[] {
  if (typeof input !== "object" || input === null) return [];
  const args = input as Record<string, unknown>;
  const gazetteer = defaultGazetteer();
  return PLACE_ARGS.flatMap((k) => {
    const v = args[k];
    if (typeof v !== "string" || v.trim() === "") return [];
    const found = gazetteer.resolve(v.trim()).map((a) => a.iata);
    return found.length > 0 ? found : [v.trim().toUpperCase()];
  });
}

/** The airports a request's key names: its places, and the session's origin it was keyed with. */
export function keyedPlaces(entities: Pick<Entities, "places" | "context">): Set<string> {
  // Roles and context kinds are lower-case ("to:HNL|OGG", "origin:SEA"): the codes are what is upper.
  return new Set([...entities.places, ...entities.context].flatMap((p) => p.match(/\b[A-Z]{3}\b/g) ?? []));
}

export function answerCachePolicy(
  prompt: string,
  tools: readonly PolicyCall[],
  longTtlS: number,
  /** The airports the request's key names (`keyedPlaces`); unchecked when absent. */
  keyed?: ReadonlySet<string>,
): AnswerCachePolicy {
  const never: AnswerCachePolicy = { category: "action", scope: "never", ttlMs: 0 };
  if (tools.length === 0) return { ...never, category: "none" };
  if (tools.some((t) => t.sideEffect) || ACTION_WORDS.test(prompt)) return never;
  if (tools.some((t) => t.status === "error")) return { ...never, category: "none" };
  // An answer about a place the key does not name was built on the session's or the profile's
  // place ("hotels in june" after a trip to Boston): stored under its words, it would answer
  // another session with that place.
  if (keyed && tools.some((t) => (t.places ?? []).some((p) => !keyed.has(p))))
    return { ...never, category: "context" };
  const personal = PERSONAL_WORDS.test(prompt);
  if (tools.every((t) => SHARED.has(t.answers))) {
    const category = tools[0]!.answers as CacheCategory;
    const ttlMs = category === "weather" ? jitter(15 * 60_000) : jitter(longTtlS * 1000);
    return { category, scope: personal ? "actor" : "shared", ttlMs };
  }
  if (tools.every((t) => t.answers === "availability" || SHARED.has(t.answers))) {
    // Prices and seats move: minutes, and per actor because searches apply the profile.
    return { category: "availability", scope: "actor", ttlMs: jitter(3 * 60_000) };
  }
  return { category: "personal", scope: "actor", ttlMs: jitter(5 * 60_000) };
}
