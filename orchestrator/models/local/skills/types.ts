/**
 * The shape of a skill: what the local planner can do for one intent, the state it reads, and
 * the steps it can take.
 */

import type { Gazetteer, Slots } from "../../../../language/index.js";
import type { ToolSpec } from "../../types.js";
import type { PlannerContext, ToolCall } from "../context.js";
import type { Intent, IntentResult } from "../intents.js";

export type AgentName = "support" | "booking" | "payment";

export interface PlannedCall {
  /** Canonical tool name (`get_forecast` also matches the namespaced `weather__get_forecast`). */
  tool: string;
  input: Record<string, unknown>;
}

export type Step =
  | { kind: "call"; calls: PlannedCall[] }
  /** Stop and tell the customer something: a question for a missing detail, or why not. */
  | { kind: "say"; text: string }
  /** Waiting on an earlier skill of this turn (insurance waits for the booking). */
  | { kind: "wait" }
  | { kind: "done" };

export interface ToolBox {
  has(tool: string): boolean;
  spec(tool: string): ToolSpec | undefined;
}

/** Preferences for this request: the message first, then earlier messages, profile, memories. */
export interface Prefs {
  passengers: number | undefined;
  childrenAges: number[];
  avoidAirlines: string[];
  preferredAirline: string | undefined;
  seat: string | undefined;
  budgetPerNightUsd: number | undefined;
  maxFareUsd: number | undefined;
  /** What came from the profile or saved preferences rather than the message, and for which intents. */
  notes: Array<{ text: string; intents: Intent[] }>;
}

export interface PlanState {
  text: string;
  slots: Slots;
  /** Slots of the customer's earlier messages in this conversation, newest first. */
  earlier: Slots[];
  intents: IntentResult;
  ctx: PlannerContext;
  prefs: Prefs;
  tools: ToolBox;
  /** Tool calls of this turn, with their results. */
  calls: ToolCall[];
  gazetteer: Gazetteer;
  /** Skills the current agent works on (the others belong to other agents of the workflow). */
  inScope: ReadonlySet<Intent>;
}

export interface Skill {
  intent: Intent;
  /** The agent that has this skill's tools; a handoff goes there. */
  owner: AgentName | "any";
  /** Any one of these tools makes the skill usable (empty: always usable). */
  needs: readonly string[];
  /** Words for a handoff reason: "The customer wants to …". */
  purpose: string;
  next(s: PlanState): Step;
  answer(s: PlanState): string[];
}
