/**
 * Which answers may be cached, for whom, and for how long. Decided from what the answer was
 * built from (the tools that ran, as their metadata describes them) and how the request is phrased.
 */
import type { AnswerKind } from "../../tools/definition.js";

export type CacheCategory =
  | "policy"
  | "destination"
  | "weather"
  | "availability"
  | "personal"
  | "action"
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
}

export function answerCachePolicy(
  prompt: string,
  tools: readonly PolicyCall[],
  longTtlS: number,
): AnswerCachePolicy {
  const never: AnswerCachePolicy = { category: "action", scope: "never", ttlMs: 0 };
  if (tools.length === 0) return { ...never, category: "none" };
  if (tools.some((t) => t.sideEffect) || ACTION_WORDS.test(prompt)) return never;
  if (tools.some((t) => t.status === "error")) return { ...never, category: "none" };
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
