/**
 * Which answers may be cached, for whom, and for how long. Decided from what the answer was
 * built from (the tools that ran) and how the request is phrased.
 */
export type CacheCategory =
  | "policy"
  | "destination"
  | "weather"
  | "availability"
  | "personal"
  | "action"
  | "none";

export interface CachePolicy {
  category: CacheCategory;
  /** `shared` answers are the same for everyone; `actor` answers only for the asker. */
  scope: "shared" | "actor" | "never";
  ttlMs: number;
}

const SHARED: Record<string, CacheCategory> = {
  search_knowledge_base: "policy",
  get_destination_info: "destination",
  weather__get_forecast: "weather",
  weather__get_alerts: "weather",
};
const AVAILABILITY = new Set(["search_flights", "search_hotels"]);
const PERSONAL_WORDS = /\b(my|mine|our|ours|me|we|us|i|i'm|i've|we're|booking|bookings|reservation)\b/i;
const ACTION_WORDS =
  /\b(book|reserve|pay|charge|cancel|confirm|buy|purchase|add\s+(?:travel\s+)?insurance)\b/i;

const jitter = (ms: number): number => Math.round(ms * (0.9 + Math.random() * 0.2));

export function cachePolicy(
  prompt: string,
  tools: readonly { name: string; sideEffect: boolean; status: "success" | "error" }[],
  longTtlS: number,
): CachePolicy {
  const never: CachePolicy = { category: "action", scope: "never", ttlMs: 0 };
  if (tools.length === 0) return { ...never, category: "none" };
  if (tools.some((t) => t.sideEffect) || ACTION_WORDS.test(prompt)) return never;
  if (tools.some((t) => t.status === "error")) return { ...never, category: "none" };
  const personal = PERSONAL_WORDS.test(prompt);
  if (tools.every((t) => SHARED[t.name] !== undefined)) {
    const category = SHARED[tools[0]!.name]!;
    const ttlMs = category === "weather" ? jitter(15 * 60_000) : jitter(longTtlS * 1000);
    return { category, scope: personal ? "actor" : "shared", ttlMs };
  }
  if (tools.every((t) => AVAILABILITY.has(t.name) || SHARED[t.name] !== undefined)) {
    // Prices and seats move: minutes, and per actor because searches apply the profile.
    return { category: "availability", scope: "actor", ttlMs: jitter(3 * 60_000) };
  }
  return { category: "personal", scope: "actor", ttlMs: jitter(5 * 60_000) };
}
