import type { McpToolName } from "../mcp-servers/names.js";
import type { CustomToolName } from "../tools/registry.js";

/** An agent: who it is (system prompt), what it may use (tools) and whom it may hand work to. */
export const AGENT_NAMES = ["support", "booking", "payment"] as const;

export type AgentName = (typeof AGENT_NAMES)[number];

/** A tool an agent may list: a custom tool or an MCP server's tool, checked at compile time. */
export type ToolName = CustomToolName | McpToolName;

/**
 * What one agent's step leaves for the steps after it, and what it needs from the steps before:
 * the support conversation's contact email, a booking, a charge on the card.
 */
export type StepProduct = "contact_email" | "booking" | "charge";

export interface AgentDefinition {
  readonly name: AgentName;
  readonly description: string;
  readonly systemPrompt: string;
  /** Registry names: custom tools and namespaced MCP tools (`weather__get_forecast`). */
  readonly tools: readonly ToolName[];
  readonly handoffs: readonly AgentName[];
  /** What this agent's work produces for later steps (see `plan.ts`: it decides the order). */
  readonly makes?: readonly StepProduct[];
  /** What this agent's work uses when an earlier step of the plan produces it. */
  readonly needs?: readonly StepProduct[];
}
