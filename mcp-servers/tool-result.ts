/** Shared shapes of MCP tool results for Flightly's MCP servers. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { ROOT } from "../core/paths.js";

const pkg = ((): { version?: unknown; homepage?: unknown } => {
  try {
    return JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as object;
  } catch {
    return {};
  }
})();

/** The package version, reported in each server's `serverInfo`. */
export const SERVER_VERSION: string = typeof pkg.version === "string" ? pkg.version : "0.0.0";

/** The package's `homepage`, reported as `websiteUrl` in each server's `serverInfo` when set. */
export const SERVER_WEBSITE: string | undefined =
  typeof pkg.homepage === "string" && /^https?:\/\//.test(pkg.homepage) ? pkg.homepage : undefined;

/** A tool failure the model can read: `isError` with the reason as text, never a stack trace. */
export function toolError(reason: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text: reason }] };
}

/** A successful result: the value as JSON text, and as `structuredContent` for the output schema. */
export function toolJson(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value) }], structuredContent: value };
}
