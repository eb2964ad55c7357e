/** An agent: who it is (system prompt), what it may use (tools) and whom it may hand work to. */
export const AGENT_NAMES = ["support", "booking", "payment"] as const;

export type AgentName = (typeof AGENT_NAMES)[number];

export interface AgentDefinition {
  readonly name: AgentName;
  readonly description: string;
  readonly systemPrompt: string;
  /** Tool names, including namespaced MCP tools (`weather__get_forecast`). */
  readonly tools: readonly string[];
  readonly handoffs: readonly AgentName[];
}
