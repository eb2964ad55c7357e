/**
 * What the local planner reads from a request: the `<context>` JSON block of the system prompt
 * (a block that is missing or does not parse makes the turn a guest's), and the conversation
 * (the customer's latest words, earlier customer messages, and the tool calls of this turn).
 */
import { z } from "zod";
import { memoTextShared } from "../../../core/memo.js";
import { readContextBlock } from "../../context-contract.js";
import type { JsonValue, Message } from "../types.js";

const flightSchema = z.object({
  flight_id: z.union([z.string(), z.number()]).transform((v) => String(v)),
  airline: z.string().catch(""),
  airline_code: z.string().catch(""),
  flight_number: z
    .union([z.string(), z.number()])
    .transform((v) => String(v))
    .catch(""),
  origin: z.string().catch(""),
  destination: z.string().catch(""),
  depart_at: z.string().catch(""),
  arrive_at: z.string().catch(""),
  price_usd: z.coerce.number(),
  seats_available: z.number().optional().catch(undefined),
});
export type Flight = z.output<typeof flightSchema>;

export interface Profile {
  adults?: number;
  childrenAges: number[];
  budgetPerNightUsd?: number;
  seat?: string;
  avoidAirlines: string[];
  email?: string;
  loyaltyTier?: string;
  homeAirport?: string;
  preferredAirline?: string;
}

export interface PlannerContext {
  /** The agent being run (`support`, `booking`, `payment`), when the block names one. */
  agent: string | undefined;
  now: Date;
  actor: { id: string | undefined; guest: boolean; name: string | undefined };
  profile: Profile | undefined;
  memories: Array<{ kind: string; content: string }>;
  session: {
    lastFlights: Flight[];
    /** The hotels the session listed last, as the tool returned them. */
    lastHotels: Array<Record<string, unknown>>;
    /** The one-stop connections the session listed last (each with its two legs and total). */
    lastConnections: Connection[];
    lastOrigin: string | undefined;
    lastDestination: string | undefined;
    /** The booking this session made last. */
    lastBooking: string | undefined;
    /** The list the session showed last: what "the cheapest" or "option 2" picks from. */
    lastList: "flights" | "hotels" | undefined;
  };
  /** Empty `plan` when the request is not part of a multi-agent workflow. */
  workflow: { plan: string[]; request: string | undefined; outputs: Record<string, Record<string, unknown>> };
  /** The place the request's reference resolved to (from the session or the customer's memory). */
  referredPlace: string | undefined;
}

/** Flights from a tool result or the session; malformed entries are dropped. */
export function parseFlights(value: unknown): Flight[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v) => {
    const parsed = flightSchema.safeParse(v);
    return parsed.success && Number.isFinite(parsed.data.price_usd) ? [parsed.data] : [];
  });
}

const connectionSchema = z.object({
  via: z.string().catch(""),
  legs: z.tuple([flightSchema, flightSchema]),
  price_usd: z.coerce.number(),
  layover_minutes: z.number().optional().catch(undefined),
  duration_minutes: z.number().optional().catch(undefined),
  passengers: z.number().int().positive().optional().catch(undefined),
});
/** A one-stop connection as search_flights lists it: two legs and the fares added up, per person. */
export type Connection = z.output<typeof connectionSchema>;

/** Connections from a tool result or the session; malformed entries are dropped. */
function parseConnections(value: unknown): Connection[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v) => {
    const parsed = connectionSchema.safeParse(v);
    return parsed.success && Number.isFinite(parsed.data.price_usd) ? [parsed.data] : [];
  });
}

/** The context a turn gets when the block is missing or does not parse: a guest's, nothing more. */
function guestContext(now: Date): PlannerContext {
  return {
    agent: undefined,
    now,
    actor: { id: undefined, guest: true, name: undefined },
    profile: undefined,
    memories: [],
    session: {
      lastFlights: [],
      lastHotels: [],
      lastConnections: [],
      lastOrigin: undefined,
      lastDestination: undefined,
      lastBooking: undefined,
      lastList: undefined,
    },
    workflow: { plan: [], request: undefined, outputs: {} },
    referredPlace: undefined,
  };
}

/**
 * Reads the `<context>` block of a system prompt (see `context-contract.ts`). A turn's model calls
 * share one system prompt, so its reading is kept (frozen, shared) and the block, its schema and
 * the flights in it are parsed once per prompt rather than once per call.
 */
export function readContext(system: string, fallbackNow: () => Date): PlannerContext {
  return readBlock(system) ?? guestContext(fallbackNow());
}

const readBlock = memoTextShared((system: string): PlannerContext | undefined => {
  const c = readContextBlock(system);
  if (!c) return undefined;
  const p = c.profile;
  const profile: Profile | undefined = p
    ? {
        childrenAges: p.children_ages ?? [],
        avoidAirlines: p.avoid_airlines ?? [],
        ...(typeof p.adults === "number" ? { adults: p.adults } : {}),
        ...(typeof p.budget_per_night_usd === "number" ? { budgetPerNightUsd: p.budget_per_night_usd } : {}),
        ...(p.seat ? { seat: p.seat } : {}),
        ...(p.email ? { email: p.email } : {}),
        ...(p.loyalty_tier ? { loyaltyTier: p.loyalty_tier } : {}),
        ...(p.home_airport ? { homeAirport: p.home_airport } : {}),
        ...(p.preferred_airline ? { preferredAirline: p.preferred_airline } : {}),
      }
    : undefined;
  const outputs: Record<string, Record<string, unknown>> = {};
  for (const [agent, out] of Object.entries(c.workflow.outputs)) if (out) outputs[agent] = out;
  return {
    agent: c.agent,
    now: new Date(c.now),
    actor: { id: c.actor.id, guest: c.actor.guest, name: c.actor.name ?? undefined },
    profile,
    memories: c.memories,
    session: {
      lastFlights: parseFlights(c.session.last_flights),
      lastHotels: c.session.last_hotels.flatMap((h: unknown) => (isRecord(h) ? [h] : [])),
      lastConnections: parseConnections(c.session.last_connections ?? []),
      lastOrigin: c.session.last_origin ?? undefined,
      lastDestination: c.session.last_destination ?? undefined,
      lastBooking: c.session.last_booking ?? undefined,
      lastList: c.session.last_list ?? undefined,
    },
    workflow: { plan: c.workflow.plan, request: c.workflow.request || undefined, outputs },
    referredPlace: c.workflow.resolved?.referents.find((r) => r.kind === "place")?.iata,
  };
});

// ---------------------------------------------------------------------------------------------
// the conversation

export interface ToolCall {
  id: string;
  name: string;
  input: Record<string, JsonValue>;
  /** Undefined while no result has come back. */
  status: "success" | "error" | undefined;
  /** The result's JSON (or its text, parsed when it is JSON). */
  result: unknown;
  /** What went wrong, for an error result. */
  error: string | undefined;
}

export interface Conversation {
  /** The customer's latest words. */
  text: string;
  /** Earlier customer messages, newest first. */
  earlier: string[];
  /** Tool calls made since the customer's latest words, in order. */
  calls: ToolCall[];
  /** All toolUse blocks in the messages (for fresh, deterministic ids). */
  toolUseCount: number;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

function resultValue(content: ReadonlyArray<{ json: JsonValue } | { text: string }>): unknown {
  const first = content[0];
  if (!first) return undefined;
  if ("json" in first) return first.json;
  try {
    return JSON.parse(first.text);
  } catch {
    return first.text;
  }
}

function errorText(value: unknown): string {
  if (typeof value === "string") return value;
  if (isRecord(value)) {
    const e = value.error ?? value.message;
    if (typeof e === "string") return e;
    if (isRecord(e) && typeof e.message === "string") return e.message;
  }
  return "the tool reported an error";
}

/** Splits the messages into the customer's latest words and the tool calls made since. */
export function readConversation(messages: readonly Message[]): Conversation {
  const texts: Array<{ index: number; text: string }> = [];
  let toolUseCount = 0;
  for (const [index, m] of messages.entries()) {
    for (const b of m.content) {
      if ("toolUse" in b) toolUseCount += 1;
      if (m.role === "user" && "text" in b && b.text.trim()) texts.push({ index, text: b.text });
    }
  }
  const latest = texts[texts.length - 1];
  const since = latest ? latest.index : -1;
  const calls: ToolCall[] = [];
  const byId = new Map<string, ToolCall>();
  for (const m of messages.slice(since + 1)) {
    for (const b of m.content) {
      if ("toolUse" in b) {
        const input = isRecord(b.toolUse.input) ? (b.toolUse.input as Record<string, JsonValue>) : {};
        const call: ToolCall = {
          id: b.toolUse.toolUseId,
          name: b.toolUse.name,
          input,
          status: undefined,
          result: undefined,
          error: undefined,
        };
        calls.push(call);
        byId.set(call.id, call);
      } else if ("toolResult" in b) {
        const call = byId.get(b.toolResult.toolUseId);
        if (!call) continue;
        call.status = b.toolResult.status;
        call.result = resultValue(b.toolResult.content);
        call.error = b.toolResult.status === "error" ? errorText(call.result) : undefined;
      }
    }
  }
  return {
    text: latest?.text ?? "",
    earlier: texts
      .slice(0, -1)
      .map((t) => t.text)
      .reverse(),
    calls,
    toolUseCount,
  };
}
