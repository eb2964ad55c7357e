/**
 * Metadata of any tool the agents can call, by its registry name: custom tools from their
 * definitions, MCP tools from `mcp-servers/names.ts`. A name neither knows (a tool an MCP server
 * added) gets the most careful reading: its answers are the customer's own.
 */
import type { JsonValue } from "../core/json.js";
import { MCP_TOOLS } from "../mcp-servers/names.js";
import { type JsonObject, sharedOutputs, type ToolMeta } from "../tools/definition.js";
import { toolDefinition } from "../tools/registry.js";

const UNKNOWN: ToolMeta = { answers: "personal" };

export function toolMeta(name: string): ToolMeta {
  return toolDefinition(name) ?? (MCP_TOOLS as Record<string, ToolMeta>)[name] ?? UNKNOWN;
}

/** A finished call as the catalog reads it. */
export interface CallRecord {
  name: string;
  input: unknown;
  result: { status: "success" | "error"; json?: JsonValue };
}

const objectResult = (c: CallRecord): JsonObject | undefined => {
  const json = c.result.status === "success" ? c.result.json : undefined;
  return json && typeof json === "object" && !Array.isArray(json) ? json : undefined;
};

/** Session-state fields the successful calls set, later calls winning. */
export function sessionUpdates(calls: readonly CallRecord[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of calls) {
    const result = objectResult(c);
    const session = toolMeta(c.name).session;
    if (result && session) Object.assign(out, session(c.input, result));
  }
  return out;
}

/** Outputs of a workflow step for the steps after it, with `<tool>_done` for each successful call. */
export function stepOutputs(calls: readonly CallRecord[]): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const c of calls) {
    const result = objectResult(c);
    if (!result) continue;
    Object.assign(out, (toolMeta(c.name).outputs ?? sharedOutputs)(result));
    out[`${c.name}_done`] = true;
  }
  return out;
}

/** What an answer built on these calls depends on: the tags of their cached results. */
export function dependencyTags(calls: readonly CallRecord[]): string[] {
  const tags = new Set<string>();
  for (const c of calls) for (const t of toolMeta(c.name).cache?.tags?.(c.input) ?? []) tags.add(t);
  return [...tags];
}
