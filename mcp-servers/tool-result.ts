/** Shared shapes of MCP tool results for Flightly's MCP servers. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ROOT } from "../core/paths.js";

/** The package version, reported in each server's `serverInfo`. */
export const SERVER_VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "0.0.0";
  } catch {
    return "0.0.0";
  }
})();

/** A tool failure the model can read: `isError` with the reason as text, never a stack trace. */
export function toolError(reason: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text: reason }] };
}

/** A successful result: the value as JSON text, and as `structuredContent` for the output schema. */
export function toolJson(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value };
}
