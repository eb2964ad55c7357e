/**
 * The workflow record kept in the session's checkpoint: the plan, which steps are done and
 * what each produced. The next agent reads earlier outputs from here; a resumed workflow
 * starts at the first step not done.
 */
import type { AgentName } from "../agents/types.js";
import type { JsonValue } from "./models/types.js";

export interface TrailEntry {
  agent: AgentName;
  tools: string[];
}

export interface WorkflowState {
  /** The idempotency key the request came with, or a generated id. */
  id: string;
  request: string;
  plan: AgentName[];
  /** Index of the next step to run. */
  step: number;
  outputs: Partial<Record<AgentName, Record<string, JsonValue>>>;
  trail: TrailEntry[];
  texts: string[];
  handoffs: number;
  status: "running" | "done";
  /** The final answer, kept so a replay of a finished workflow returns it unchanged. */
  response?: string;
}

/** Tool outputs a later step may need, keyed the way the agents' context reads them. */
const KEPT = [
  "booking_ref",
  "status",
  "total_usd",
  "contact_email",
  "insured",
  "premium_usd",
  "payment_id",
  "amount_usd",
  "card_last4",
  "flight_id",
] as const;

export function stepOutputs(
  calls: readonly { name: string; result: { status: string; json?: JsonValue } }[],
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const c of calls) {
    if (c.result.status !== "success" || !c.result.json || typeof c.result.json !== "object") continue;
    const json = c.result.json as Record<string, JsonValue>;
    if (c.name === "find_support_conversation") {
      const conv = (json.conversations as Array<{ emails?: string[] }> | undefined)?.[0];
      const email = conv?.emails?.[0];
      if (email) out.contact_email = email;
      continue;
    }
    for (const k of KEPT) if (json[k] !== undefined) out[k] = json[k];
    out[`${c.name}_done`] = true;
  }
  return out;
}
