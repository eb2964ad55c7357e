/**
 * The trail an answer carries (JSON and SSE): each tool call — the tool, the input the agent used
 * (redacted like everything stored), how it ended, a short summary of its result and how long it
 * took —, why each agent handed to the next, and what the response cache decided and why.
 */
import type { AgentName } from "../agents/types.js";
import type { JsonValue } from "../core/json.js";
import { redactText, redactValue } from "../core/redact.js";
import type { ToolResult } from "../tools/types.js";

/** A finished call as the trail reads it (`ToolCallRecord` of `tool-runner.ts`). */
interface FinishedCall {
  name: string;
  input: unknown;
  result: ToolResult;
  ms: number;
}

export interface TrailCall {
  tool: string;
  input: JsonValue;
  status: "success" | "error";
  /** At most `SUMMARY_MAX` characters: counts of listed items and the scalar fields of the result. */
  summary: string;
  ms: number;
}

/** Why an agent's step led to the next: its handoff call, or the route's plan. */
export interface TrailHandoff {
  to: AgentName;
  /** The handing agent's reason (redacted), or `next in the plan`. */
  reason: string;
  by: "agent" | "plan";
  /** A handoff call not followed: the handoff limit was reached, or it pointed straight back. */
  refused?: "limit" | "ping-pong";
}

/**
 * Why the cache answered or did not: a hit (`exact match`, `semantic match`); a miss (`no entry`
 * in the asker's scopes, the nearest `below threshold`, above it but `entity differs`, or
 * `context differs` when those entities came from the session or memory); or no lookup
 * (`cache off`, `answered before lookup` by a hook or the scope gate, `reference unresolved`,
 * `needs long-term memory` (never read on the lookup path), `cache unavailable`).
 */
export type CacheReason =
  | "exact match"
  | "semantic match"
  | "no entry"
  | "below threshold"
  | "entity differs"
  | "context differs"
  | "reference unresolved"
  | "needs long-term memory"
  | "answered before lookup"
  | "cache off"
  | "cache unavailable";

/** What became of a fresh answer after a miss. */
export interface CacheStore {
  stored: boolean;
  /** `stored: shared`, `stored: for the asker`, `not cacheable: <category>`, or `store failed`. */
  reason: string;
  category: string;
  scope: "shared" | "actor" | null;
  ttl_s: number | null;
}

/** The cache decision of one invocation; the first five fields are the answer's original `cache`. */
export interface CacheTrail {
  hit: boolean;
  kind: "exact" | "semantic" | null;
  similarity: number | null;
  /** The cached request, only when the entry is in the asker's own scope. */
  matched_prompt?: string;
  /** Otherwise the entry's id. */
  entry_id?: string;
  reason: CacheReason;
  /** A miss after a similarity search: the nearest entry's similarity (null: none, or no search). */
  nearest: number | null;
  /** The dependency tags of the entry that answered, or of the fresh answer stored. */
  depends_on: string[];
  /** A miss: what became of the fresh answer (null until the store stage ran, or no agent ran). */
  store: CacheStore | null;
}

/** A decision with no hit yet. */
export const cacheMiss = (reason: CacheReason, nearest: number | null = null): CacheTrail => ({
  hit: false,
  kind: null,
  similarity: null,
  reason,
  nearest,
  depends_on: [],
  store: null,
});

const SUMMARY_MAX = 160;
const clip = (text: string): string =>
  text.length > SUMMARY_MAX ? `${text.slice(0, SUMMARY_MAX - 1)}…` : text;

function summarise(json: JsonValue | undefined): string {
  if (json === undefined || json === null) return "";
  if (Array.isArray(json)) return `${json.length} items`;
  if (typeof json !== "object") return String(json);
  const parts: string[] = [];
  for (const [k, v] of Object.entries(json)) {
    if (Array.isArray(v)) parts.push(`${k}: ${v.length}`);
    else if (v !== null && typeof v !== "object") parts.push(`${k}: ${v}`);
    if (parts.join(", ").length > SUMMARY_MAX) break;
  }
  return parts.join(", ");
}

export function trailCall(r: FinishedCall): TrailCall {
  return {
    tool: r.name,
    input: redactValue(r.input ?? {}) as JsonValue,
    status: r.result.status,
    summary: clip(redactText(r.result.status === "success" ? summarise(r.result.json) : r.result.error)),
    ms: Math.round(r.ms),
  };
}
