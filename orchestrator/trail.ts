/**
 * The handoff trail's record of one tool call, as the answer's JSON and the SSE `tool` event carry
 * it: the tool, the input the agent used (redacted like everything stored), how it ended, a short
 * summary of its result and how long it took.
 */
import type { JsonValue } from "../core/json.js";
import { redactText, redactValue } from "../core/redact.js";
import type { ToolCallRecord } from "./tool-runner.js";

export interface TrailCall {
  tool: string;
  input: JsonValue;
  status: "success" | "error";
  /** At most `SUMMARY_MAX` characters: counts of listed items and the scalar fields of the result. */
  summary: string;
  ms: number;
}

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

export function trailCall(r: ToolCallRecord): TrailCall {
  return {
    tool: r.name,
    input: redactValue(r.input ?? {}) as JsonValue,
    status: r.result.status,
    summary: clip(redactText(r.result.status === "success" ? summarise(r.result.json) : r.result.error)),
    ms: Math.round(r.ms),
  };
}
