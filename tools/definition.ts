/**
 * What a tool declares beside its handler, in its own file: how an answer built on its results may
 * be cached, its tool-cache policy (whose tags are also the dependencies of those answers), what
 * it contributes to session state, and which of its outputs later workflow steps read. The
 * orchestrator reads this metadata; it never matches tool names.
 */
import type { JsonValue } from "../core/json.js";
import type { ToolCachePolicy } from "./cache.js";
import type { ToolDeps } from "./common.js";
import type { Tool } from "./types.js";

/**
 * What an answer built on a tool's results is, for the response cache: the same for everyone
 * (`policy`, `destination`, `weather`), moving per customer (`availability`), the customer's own
 * (`personal`), or a change that is never cached (`action`).
 */
export type AnswerKind = "policy" | "destination" | "weather" | "availability" | "personal" | "action";

export type JsonObject = { [key: string]: JsonValue };

export interface ToolMeta<I = unknown> {
  readonly answers: AnswerKind;
  /** Read tools: their results are cached by this policy; its tags are the answer's dependencies. */
  readonly cache?: ToolCachePolicy<I>;
  /** Session-state fields a successful call sets (what the next turn reads: "hotels there?"). */
  readonly session?: (input: I, result: JsonObject) => Record<string, string>;
  /** Outputs a later workflow step reads; by default the shared booking fields of the result. */
  readonly outputs?: (result: JsonObject) => Record<string, JsonValue>;
  /**
   * Inputs in the asker's own words (a search query): two wordings of one question differ there
   * and mean the same. The response cache's audit judges such a call by `found` — what it found
   * (the best document), without what follows the words (lower ranks, excerpts, scores) — and by
   * its other inputs.
   */
  readonly freeText?: {
    readonly fields: readonly string[];
    readonly found: (result: JsonObject) => JsonValue;
  };
}

/** The items of `result[field]` that are objects (a search's hits). */
export const hitsOf = (result: JsonObject, field: string): JsonObject[] => {
  const items = result[field];
  return Array.isArray(items)
    ? items.filter((x): x is JsonObject => x !== null && typeof x === "object" && !Array.isArray(x))
    : [];
};

export interface ToolDefinition<N extends string = string, I = unknown> extends ToolMeta<I> {
  readonly name: N;
  create(deps: ToolDeps): Tool<I>;
}

/** Declares a tool; the literal name becomes part of `ToolName`. */
export const defineTool = <const N extends string, I>(d: ToolDefinition<N, I>): ToolDefinition<N, I> => d;

/** Fields of any tool result that later steps of a workflow read (booking reference, totals, card). */
const SHARED_OUTPUTS = [
  "booking_ref",
  "status",
  "total_usd",
  "contact_email",
  "insured",
  "premium_usd",
  "payment_id",
  "amount_usd",
  "card_last4",
  "flight_id",
] as const;

export function sharedOutputs(result: JsonObject): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const k of SHARED_OUTPUTS) if (result[k] !== undefined) out[k] = result[k];
  return out;
}
