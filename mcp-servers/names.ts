/**
 * The orchestrator's names for the MCP servers' tools (`<server>__<tool>`), and what an answer
 * built on each one's results is for the response cache. A tool a server adds that is not listed
 * here is still callable; its answers are treated as the customer's own.
 */
import type { ToolMeta } from "../tools/definition.js";

export type McpServerName = "postgres" | "weather";

export const mcpToolName = (server: string, tool: string): string => `${server}__${tool}`;

export const MCP_TOOLS = {
  weather__get_forecast: { answers: "weather" },
  weather__get_alerts: { answers: "weather" },
  postgres__run_query: { answers: "personal" },
  postgres__get_table_schema: { answers: "personal" },
  postgres__list_tables: { answers: "personal" },
} as const satisfies Record<string, Pick<ToolMeta, "answers">>;

export type McpToolName = keyof typeof MCP_TOOLS;
