/** An agent: who it is (system prompt), what it may use (tools) and whom it may hand work to. */
export type AgentName = "support" | "booking" | "payment";

export const AGENT_NAMES: readonly AgentName[] = ["support", "booking", "payment"];

export interface AgentDefinition {
  readonly name: AgentName;
  readonly description: string;
  readonly systemPrompt: string;
  /** Tool names, including namespaced MCP tools (`weather__get_forecast`). */
  readonly tools: readonly string[];
  readonly handoffs: readonly AgentName[];
}
