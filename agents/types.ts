import type { McpToolName } from "../mcp-servers/names.js";
import type { CustomToolName } from "../tools/registry.js";

/** An agent: who it is (system prompt), what it may use (tools) and whom it may hand work to. */
export const AGENT_NAMES = ["support", "booking", "payment"] as const;

export type AgentName = (typeof AGENT_NAMES)[number];

/** A tool an agent may list: a custom tool or an MCP server's tool, checked at compile time. */
export type ToolName = CustomToolName | McpToolName;

export interface AgentDefinition {
  readonly name: AgentName;
  readonly description: string;
  readonly systemPrompt: string;
  /** Registry names: custom tools and namespaced MCP tools (`weather__get_forecast`). */
  readonly tools: readonly ToolName[];
  readonly handoffs: readonly AgentName[];
}
