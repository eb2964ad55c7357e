/**
 * `local`: a deterministic offline planner behind the `ModelProvider` interface, so the whole
 * service runs with no network. Each call reads the offered tools, the customer's latest words,
 * the tool results of this turn and the `<context>` block, then either asks for tools (valid for
 * their JSON Schemas) or answers from those results and the context alone.
 */

import { orderPlan, runsBefore } from "../../../agents/plan.js";
import { defaultGazetteer, extractSlots, type Gazetteer, type Slots } from "../../../language/index.js";
import type {
  ContentBlock,
  JsonValue,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  ModelStreamEvent,
  ToolSpec,
  ToolUseBlock,
  Usage,
} from "../types.js";
import { type PlannerContext, readContext, readConversation, type ToolCall } from "./context.js";
import { throughPrevious } from "./follow-up.js";
import { type Intent, onlyTellsOfSelf } from "./intents.js";
import { preferences } from "./prefs.js";
import { listing } from "./render.js";
import { readIntents } from "./rules-reading.js";
import { fitInput } from "./schema.js";
import { connectionBookingSkill, picksFromConnectionList } from "./skills/connections.js";
import { hotelBookingSkill, picksFromHotelList } from "./skills/hotels.js";
import {
  ACCOUNT_INTENTS,
  type AgentName,
  canonical,
  notServed,
  type PlannedCall,
  type PlanState,
  SIDE_EFFECTS,
  SKILLS,
  type Skill,
  type ToolBox,
} from "./skills/index.js";

export interface LocalPlannerOptions {
  gazetteer?: Gazetteer;
  /** Time used when the context block names none. */
  clock?: () => Date;
}

/** What the planner decided for one model call. */
export type Decision =
  | { kind: "tools"; calls: Array<{ name: string; input: Record<string, JsonValue> }>; text?: string }
  | { kind: "answer"; text: string };

/** Tool calls in one turn beyond which the planner stops and answers with what it has. */
const MAX_CALLS_PER_TURN = 12;
const HANDOFF = "handoff_to_agent";

const ACCOUNT_ACTIONS: Partial<Record<Intent, string>> = {
  profile: "look up your profile",
  book_flight: "book flights",
  insurance: "add travel insurance",
  payment: "take payments",
  my_bookings: "look up bookings",
  cancel_booking: "cancel bookings",
  support_history: "look up your past support conversations",
};

// ---------------------------------------------------------------------------------------------
// helpers

function toolBox(specs: readonly ToolSpec[]): ToolBox {
  const find = (tool: string): ToolSpec | undefined =>
    specs.find((t) => t.name === tool) ?? specs.find((t) => canonical(t.name) === tool);
  return { has: (tool) => find(tool) !== undefined, spec: find };
}

/** JSON with sorted keys: equal inputs give equal strings. */
function stable(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stable(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

const estimateTokens = (chars: number): number => Math.ceil(chars / 4);

// ---------------------------------------------------------------------------------------------
// deciding

interface Plan {
  state: PlanState;
  skills: Skill[];
}

function inScope(skill: Skill, ctx: PlannerContext): boolean {
  if (skill.owner === "any" || ctx.agent === undefined || skill.owner === ctx.agent) return true;
  return !ctx.workflow.plan.includes(skill.owner);
}

function usable(skill: Skill, tools: ToolBox): boolean {
  return skill.needs.length === 0 || skill.needs.some((t) => tools.has(t));
}

function guestDecline(intents: readonly Intent[], slots: Slots, text: string): string | undefined {
  // What a guest only tells of themself is kept by a customer's memory alone: that is said.
  const told = onlyTellsOfSelf(text);
  const actions = intents.flatMap((i) =>
    ACCOUNT_INTENTS.has(i)
      ? [told && i === "profile" ? "have Flightly remember that" : (ACCOUNT_ACTIONS[i] ?? i)]
      : [],
  );
  if (actions.length === 0) return undefined;
  // A route we do not fly is said at once: signing in would not make it bookable.
  const unserved = intents.includes("book_flight") ? slots.unknownPlaces.map((u) => `${notServed(u)} `) : [];
  return (
    `${unserved.join("")}To ${listing(actions)} you need to sign in to your Flightly account first — I can't do that for a guest. ` +
    "Meanwhile I'm happy to search flights and hotels, check the weather, and answer questions about " +
    "destinations and our policies."
  );
}

/** Fits a planned call to the offered tool's schema; undefined when it cannot be made valid. */
function prepare(
  call: PlannedCall,
  tools: ToolBox,
): { name: string; input: Record<string, JsonValue> } | undefined {
  const spec = tools.spec(call.tool);
  if (!spec) return undefined;
  const input = fitInput(call.input, spec.inputSchema);
  return input ? { name: spec.name, input } : undefined;
}

/** A call already made this turn with the same input, or a side effect already made this turn. */
function repeated(c: { name: string; input: Record<string, JsonValue> }, made: readonly ToolCall[]): boolean {
  const tool = canonical(c.name);
  if (SIDE_EFFECTS.has(tool) && made.some((m) => canonical(m.name) === tool)) return true;
  const key = stable(c.input);
  return made.some((m) => m.name === c.name && stable(m.input) === key);
}

/** A call of this batch, as `repeated` compares it with the calls already made. */
const asCall = (c: { name: string; input: Record<string, JsonValue> }): ToolCall => ({
  id: "",
  ...c,
  status: undefined,
  result: undefined,
  error: undefined,
});

function compose(plan: Plan, says: readonly string[], trailer?: string): string {
  const { state } = plan;
  const parts: string[] = [];
  const answered = new Set<Intent>();
  for (const skill of plan.skills) {
    // An agent speaks only for the work it can do: another agent's skill answers there (support
    // handing a search to booking does not show the last search's list).
    if (!usable(skill, state.tools)) continue;
    const lines = skill.answer(state);
    if (lines.length > 0) answered.add(skill.intent);
    parts.push(...lines);
  }
  parts.push(...says);
  const notes = state.prefs.notes.filter((n) => n.intents.some((i) => answered.has(i))).map((n) => n.text);
  if (notes.length > 0) parts.push(`Applied from your saved preferences: ${notes.join("; ")}.`);
  if (trailer) parts.push(trailer);
  return parts.filter(Boolean).join("\n\n");
}

/**
 * Work of an agent that runs before this one (the support conversation whose email this booking
 * is to use) is handed there before this agent changes anything; the workflow runs this agent
 * again after it.
 */
function earlierStep(plan: Plan): Decision | undefined {
  const { state } = plan;
  const here = state.ctx.agent as AgentName | undefined;
  // Once per turn, and only before this agent has changed anything (a handoff counts as a change).
  if (!here || !state.tools.has(HANDOFF) || state.calls.some((c) => SIDE_EFFECTS.has(canonical(c.name))))
    return undefined;
  const earlier = plan.skills.filter(
    (s) => s.owner !== "any" && !usable(s, state.tools) && runsBefore(s.owner, here),
  );
  const to = orderPlan(earlier.map((s) => s.owner as AgentName)).at(-1);
  if (!to) return undefined;
  const purposes = listing(earlier.filter((s) => s.owner === to).map((s) => s.purpose));
  const handoff = prepare(
    { tool: HANDOFF, input: { agent: to, reason: `The customer wants to ${purposes} first.` } },
    state.tools,
  );
  return handoff ? { kind: "tools", calls: [handoff] } : undefined;
}

function decide(plan: Plan, guest: string | undefined): Decision {
  const { state } = plan;
  if (guest) return { kind: "answer", text: guest };
  if (state.calls.length >= MAX_CALLS_PER_TURN) return { kind: "answer", text: compose(plan, []) };
  const before = earlierStep(plan);
  if (before) return before;

  const batch: Array<{ name: string; input: Record<string, JsonValue> }> = [];
  const says: string[] = [];
  const missing: Skill[] = [];
  for (const skill of plan.skills) {
    if (!usable(skill, state.tools)) {
      missing.push(skill);
      continue;
    }
    const step = skill.next(state);
    if (step.kind === "say" && !says.includes(step.text)) says.push(step.text);
    if (step.kind !== "call") continue;
    const calls = step.calls
      .map((c) => prepare(c, state.tools))
      .filter((c): c is { name: string; input: Record<string, JsonValue> } => c !== undefined)
      .filter((c) => !repeated(c, state.calls) && !repeated(c, batch.map(asCall)));
    if (calls.length === 0) continue;
    if (calls.some((c) => SIDE_EFFECTS.has(canonical(c.name)))) {
      if (batch.length > 0) break;
      return { kind: "tools", calls: calls.slice(0, 1) };
    }
    batch.push(...calls);
  }
  if (batch.length > 0) return { kind: "tools", calls: batch };

  const handedOff = state.calls.some((c) => c.name === HANDOFF);
  // Work still to come goes to the agent that comes first in working order (the booking before
  // the payment that needs it); the agent receiving it hands on whatever is still left. Only when
  // nothing comes after this agent does the step it needs most directly come back before it.
  const owners = missing.flatMap((s) => (s.owner !== "any" && s.owner !== state.ctx.agent ? [s.owner] : []));
  const here = state.ctx.agent as AgentName | undefined;
  const after = here ? owners.filter((o) => !runsBefore(o, here)) : owners;
  const first = orderPlan(after)[0] ?? orderPlan(owners).at(-1);
  const target = missing.find((s) => s.owner === first);
  if (target && !handedOff && state.tools.has(HANDOFF)) {
    const purposes = listing(missing.filter((s) => s.owner === target.owner).map((s) => s.purpose));
    const handoff = prepare(
      {
        tool: HANDOFF,
        input: { agent: target.owner as AgentName, reason: `The customer wants to ${purposes}.` },
      },
      state.tools,
    );
    if (handoff) {
      // The handoff's reason goes to the trail, not to the customer: no "passing you on" chatter.
      const text = compose(plan, says, undefined);
      return { kind: "tools", calls: [handoff], ...(text ? { text } : {}) };
    }
  }
  const cannot =
    missing.length > 0 && !handedOff
      ? `I can't ${listing(missing.map((s) => s.purpose))} from here.`
      : undefined;
  const text = compose(plan, says, cannot);
  // In a workflow of several agents, one with nothing to add stays silent.
  const quiet = plan.skills.length === 0 || state.ctx.workflow.plan.length > 1;
  return { kind: "answer", text: text || (quiet ? "" : "I have nothing to add to that.") };
}

// ---------------------------------------------------------------------------------------------

/** The offline planner. Same request in, same response out. */
export class LocalPlanner implements ModelProvider {
  readonly name = "local" as const;
  readonly modelId = "local";
  readonly #gazetteer: Gazetteer | undefined;
  readonly #clock: () => Date;

  constructor(options: LocalPlannerOptions = {}) {
    this.#gazetteer = options.gazetteer;
    this.#clock = options.clock ?? (() => new Date());
  }

  /** The next step for a request, without the response envelope. */
  decide(request: Pick<ModelRequest, "system" | "messages" | "tools">): Decision {
    const gazetteer = this.#gazetteer ?? defaultGazetteer();
    const ctx = readContext(request.system, this.#clock);
    const conversation = readConversation(request.messages);
    const text = conversation.text || ctx.workflow.request || "";
    const earlier = conversation.earlier.slice(0, 6).map((t) => extractSlots(t, ctx.now, gazetteer));
    const said = extractSlots(text, ctx.now, gazetteer);
    const asked = { slots: said, intents: readIntents(text, said) };
    // "and in May?" asks the last request again with its new month.
    const before = conversation.earlier.slice(0, 6).map((t, i) => ({ text: t, slots: earlier[i]! }));
    const { slots, intents } = throughPrevious(text, asked, before) ?? asked;
    const tools = toolBox(request.tools);
    const prefs = preferences(slots, earlier, ctx, gazetteer);
    // What "the cheapest" picks from is the list shown last: after hotels, never a flight.
    const booking = intents.intents.includes("book_flight");
    const hotelPick = booking && picksFromHotelList({ ctx, text, slots });
    // After a list of connections (no non-stop flight was found), a pick books that connection.
    const connectionPick = booking && !hotelPick && picksFromConnectionList({ ctx, slots });
    const bookingSkill = hotelPick ? hotelBookingSkill : connectionPick ? connectionBookingSkill : undefined;
    const skills = intents.intents
      .map((i) => (i === "book_flight" && bookingSkill ? bookingSkill : SKILLS[i]))
      .filter((s) => inScope(s, ctx));
    const state: PlanState = {
      text,
      slots,
      earlier,
      intents,
      ctx,
      prefs,
      tools,
      calls: conversation.calls,
      gazetteer,
      inScope: new Set(skills.map((s) => s.intent)),
    };
    const guest = ctx.actor.guest ? guestDecline(intents.intents, slots, text) : undefined;
    return decide({ state, skills }, guest);
  }

  async converse(request: ModelRequest): Promise<ModelResponse> {
    request.signal?.throwIfAborted();
    const decision = this.decide(request);
    const used = conversationSize(request);
    const firstId = readConversation(request.messages).toolUseCount + 1;
    return respond(decision, used, firstId);
  }

  async *converseStream(request: ModelRequest): AsyncIterable<ModelStreamEvent> {
    const response = await this.converse(request);
    for (const block of response.message.content) {
      if ("text" in block) {
        for (const delta of chunks(block.text)) yield { type: "text", delta };
      } else if ("toolUse" in block) {
        yield { type: "toolUseStart", toolUseId: block.toolUse.toolUseId, name: block.toolUse.name };
        yield {
          type: "toolUseDelta",
          toolUseId: block.toolUse.toolUseId,
          delta: JSON.stringify(block.toolUse.input),
        };
      }
    }
    yield { type: "done", response };
  }
}

function conversationSize(request: ModelRequest): number {
  return request.system.length + JSON.stringify(request.messages).length + listChars(request.tools);
}

/** `JSON.stringify(list).length`, each item's length kept (tool specs are made once per tool). */
const itemChars = new WeakMap<object, number>();
function listChars(list: readonly object[]): number {
  let n = 2 + Math.max(0, list.length - 1);
  for (const item of list) {
    let c = itemChars.get(item);
    if (c === undefined) {
      c = JSON.stringify(item).length;
      itemChars.set(item, c);
    }
    n += c;
  }
  return n;
}

function respond(decision: Decision, inputChars: number, firstId: number): ModelResponse {
  const content: ContentBlock[] = [];
  if (decision.text) content.push({ text: decision.text });
  if (decision.kind === "tools") {
    decision.calls.forEach((c, i) => {
      const use: ToolUseBlock = {
        toolUse: { toolUseId: `tooluse_${firstId + i}`, name: c.name, input: c.input },
      };
      content.push(use);
    });
  }
  if (content.length === 0) content.push({ text: "" });
  const outputChars = JSON.stringify(content).length;
  const usage: Usage = {
    inputTokens: estimateTokens(inputChars),
    outputTokens: estimateTokens(outputChars),
    totalTokens: estimateTokens(inputChars) + estimateTokens(outputChars),
  };
  return {
    stopReason: decision.kind === "tools" ? "tool_use" : "end_turn",
    message: { role: "assistant", content },
    usage,
    model: "local",
  };
}

/** Text in pieces of a few words, as a streaming model would send it. */
function chunks(text: string, size = 40): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > size) {
    const cut = rest.lastIndexOf(" ", size);
    const at = cut > 0 ? cut + 1 : size;
    out.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  if (rest) out.push(rest);
  return out;
}
