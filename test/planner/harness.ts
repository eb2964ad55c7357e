/**
 * Test helpers for the local planner: tool specs shaped like the real ones, a `<context>` block
 * builder, fake tool results, and a loop that runs the planner the way the orchestrator does
 * (model → tools → model) until it answers.
 */
import type { AgentName } from "../../agents/types.js";
import {
  type ContextBlock,
  type ContextProfile,
  renderContextBlock,
} from "../../orchestrator/context-contract.js";
import type { JsonValue, Message, ModelResponse, ToolSpec } from "../../orchestrator/models/types.js";

const NOW = "2026-05-13T10:00:00.000Z";

const DATE = { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$" };
const REF = { type: "string", pattern: "^FL-[A-Z0-9]{6}$" };
const IATA = { type: "string", pattern: "^[A-Za-z]{3}$" };

function spec(name: string, properties: Record<string, unknown>, required: string[] = []): ToolSpec {
  return {
    name,
    description: name,
    inputSchema: { type: "object", properties, required, additionalProperties: false },
  };
}

const SPECS: Record<string, ToolSpec> = {
  search_flights: spec(
    "search_flights",
    {
      origin: IATA,
      destination: IATA,
      date: DATE,
      date_from: DATE,
      date_to: DATE,
      return_date: DATE,
      passengers: { type: "integer", minimum: 1, maximum: 9, default: 1 },
      max_price_usd: { type: "number", exclusiveMinimum: 0 },
      avoid_airlines: { type: "array", items: { type: "string", minLength: 1 }, maxItems: 20 },
      airline: { type: "string", minLength: 1 },
      sort: { type: "string", enum: ["price", "departure", "duration"], default: "price" },
      limit: { type: "integer", minimum: 1, maximum: 20, default: 5 },
      max_stops: { type: "integer", enum: [0, 1] },
    },
    ["origin", "destination"],
  ),
  search_hotels: spec(
    "search_hotels",
    {
      city: { type: "string", minLength: 2 },
      check_in: DATE,
      nights: { type: "integer", minimum: 1, maximum: 60 },
      guests: { type: "integer", minimum: 1, maximum: 12 },
      max_price_per_night_usd: { type: "number", exclusiveMinimum: 0 },
      family_friendly: { type: "boolean" },
      limit: { type: "integer", minimum: 1, maximum: 20 },
    },
    ["city"],
  ),
  get_destination_info: spec(
    "get_destination_info",
    { query: { type: "string" }, city: { type: "string" } },
    ["query"],
  ),
  search_knowledge_base: spec("search_knowledge_base", { query: { type: "string" } }, ["query"]),
  find_support_conversation: spec("find_support_conversation", { query: { type: "string" } }, ["query"]),
  reserve_flight: spec(
    "reserve_flight",
    {
      flight_id: { anyOf: [{ type: "string", pattern: "^\\d{1,18}$" }, { type: "integer" }] },
      passengers: { type: "integer", minimum: 1, maximum: 9 },
      contact_email: { type: "string" },
    },
    ["flight_id"],
  ),
  confirm_booking: spec("confirm_booking", { booking_ref: REF, contact_email: { type: "string" } }, [
    "booking_ref",
  ]),
  add_travel_insurance: spec("add_travel_insurance", { booking_ref: REF }, ["booking_ref"]),
  process_payment: spec("process_payment", { booking_ref: REF, card: { type: "string" } }, ["booking_ref"]),
  get_booking: spec("get_booking", { booking_ref: REF }, ["booking_ref"]),
  list_bookings: spec("list_bookings", {
    status: { type: "string", enum: ["held", "confirmed", "cancelled", "expired"] },
  }),
  cancel_booking: spec("cancel_booking", { booking_ref: REF, reason: { type: "string" } }, ["booking_ref"]),
  weather__get_forecast: spec(
    "weather__get_forecast",
    { location: { type: "string" }, days: { type: "integer" } },
    ["location"],
  ),
  weather__get_alerts: spec("weather__get_alerts", { location: { type: "string" } }, ["location"]),
  handoff_to_agent: spec(
    "handoff_to_agent",
    { agent: { type: "string", enum: ["support", "booking", "payment"] }, reason: { type: "string" } },
    ["agent", "reason"],
  ),
};

/** The agents' tool sets (as in `agents/`), each with the handoff tool. */
export const AGENT_TOOLS: Record<"support" | "booking" | "payment", string[]> = {
  support: [
    "search_knowledge_base",
    "find_support_conversation",
    "get_destination_info",
    "weather__get_forecast",
    "weather__get_alerts",
  ],
  booking: [
    "search_flights",
    "search_hotels",
    "reserve_flight",
    "confirm_booking",
    "get_booking",
    "list_bookings",
  ],
  payment: ["add_travel_insurance", "process_payment", "get_booking", "list_bookings", "cancel_booking"],
};

export function tools(...names: string[]): ToolSpec[] {
  return names.map((n) => {
    const s = SPECS[n];
    if (!s) throw new Error(`no spec ${n}`);
    return s;
  });
}

export const agentTools = (agent: keyof typeof AGENT_TOOLS, handoff = true): ToolSpec[] =>
  tools(...AGENT_TOOLS[agent], ...(handoff ? ["handoff_to_agent"] : []));

export const allTools = (): ToolSpec[] => Object.values(SPECS).filter((s) => s.name !== "handoff_to_agent");

export interface ContextInput {
  agent?: AgentName;
  now?: string;
  guest?: boolean;
  name?: string | null;
  profile?: ContextProfile | null;
  memories?: Array<{ kind: string; content: string }>;
  lastFlights?: JsonValue[];
  lastOrigin?: string | null;
  lastDestination?: string | null;
  plan?: AgentName[];
  request?: string;
  outputs?: ContextBlock["workflow"]["outputs"];
}

export const PROFILE = {
  family: "Ana, Marco and two kids",
  adults: 2,
  children_ages: [4, 8],
  budget_per_night_usd: 300,
  seat: "window",
  avoid_airlines: ["Island Air"],
  email: "ana@example.com",
};

/** A system prompt whose context block is written through the real contract. */
export function system(c: ContextInput = {}): string {
  const block: ContextBlock = {
    agent: c.agent ?? "booking",
    now: c.now ?? NOW,
    actor: {
      id: c.guest ? "guest-1" : "42",
      guest: c.guest ?? false,
      name: c.name === undefined ? "Ana" : c.name,
    },
    profile: c.profile === undefined ? null : c.profile,
    memories: c.memories ?? [],
    session: {
      last_flights: c.lastFlights ?? [],
      last_hotels: [],
      last_origin: c.lastOrigin ?? null,
      last_destination: c.lastDestination ?? null,
      summary: null,
    },
    workflow: { plan: c.plan ?? [], step: 0, request: c.request ?? "", outputs: c.outputs ?? {} },
  };
  return `You are a Flightly agent.\n${renderContextBlock(block)}`;
}

export const user = (text: string): Message => ({ role: "user", content: [{ text }] });

// ---------------------------------------------------------------------------------------------
// fake data

export const FLIGHTS = [
  {
    flight_id: "101",
    airline: "Island Air",
    airline_code: "IA",
    flight_number: "IA 12",
    origin: "LAS",
    destination: "OGG",
    depart_at: "2026-06-03T15:00:00.000Z",
    arrive_at: "2026-06-03T21:10:00.000Z",
    price_usd: 289.5,
    seats_available: 9,
  },
  {
    flight_id: "102",
    airline: "Pacific Crest Airlines",
    airline_code: "PC",
    flight_number: "PC 214",
    origin: "LAS",
    destination: "OGG",
    depart_at: "2026-06-03T17:30:00.000Z",
    arrive_at: "2026-06-03T23:55:00.000Z",
    price_usd: 312,
    seats_available: 6,
  },
  {
    flight_id: "103",
    airline: "Northwind",
    airline_code: "NW",
    flight_number: "NW 880",
    origin: "LAS",
    destination: "OGG",
    depart_at: "2026-06-03T13:05:00.000Z",
    arrive_at: "2026-06-03T22:40:00.000Z",
    price_usd: 345.25,
    seats_available: 2,
  },
];

export type Handler = (input: Record<string, JsonValue>) => { status?: "success" | "error"; json: JsonValue };

/** Default fake tools: deterministic results shaped like the real tools'. */
export const HANDLERS: Record<string, Handler> = {
  search_flights: (input) => {
    const avoid = ((input.avoid_airlines as string[] | undefined) ?? []).map((a) => a.toLowerCase());
    const flights = FLIGHTS.filter(
      (f) =>
        f.origin === input.origin &&
        f.destination === input.destination &&
        !avoid.includes(f.airline.toLowerCase()) &&
        !avoid.includes(f.airline_code.toLowerCase()),
    );
    return { json: { flights, count: flights.length } };
  },
  search_hotels: () => ({
    json: {
      hotels: [
        {
          hotel_id: "h1",
          name: "Kaanapali Sands",
          city: "Kahului",
          stars: 4,
          price_per_night_usd: 279,
          family_friendly: true,
          rating: 4.6,
        },
        {
          hotel_id: "h2",
          name: "Wailea Quiet Retreat",
          city: "Kahului",
          stars: 5,
          price_per_night_usd: 298,
          family_friendly: false,
          rating: 4.8,
        },
      ],
    },
  }),
  get_destination_info: (input) => ({
    json: {
      results: [
        {
          title: `Family days in ${String(input.city ?? "Hawaii")}`,
          city: String(input.city ?? ""),
          excerpt: "Calm morning beaches and an aquarium.",
          similarity: 0.71,
        },
      ],
    },
  }),
  search_knowledge_base: () => ({
    json: {
      results: [
        {
          title: "Checked baggage",
          kind: "policy",
          excerpt: "Each passenger may check two bags of up to 23 kg.",
          similarity: 0.82,
        },
      ],
    },
  }),
  find_support_conversation: () => ({
    json: {
      conversations: [
        {
          conversation_id: "c-9",
          started_at: "2026-04-02T09:12:00.000Z",
          subject: "Travel notifications",
          summary: "Customer: please send notifications to my travel address. Agent: noted.",
          emails: ["ana.travel@example.com"],
          phones: [],
        },
      ],
    },
  }),
  reserve_flight: (input) => ({
    json: {
      booking_ref: "FL-7K2Q9D",
      status: "held",
      hold_expires_at: "2026-05-13T10:15:00.000Z",
      total_usd: 1248 + Number(input.passengers) - 4,
    },
  }),
  confirm_booking: (input) => ({
    json: {
      booking_ref: input.booking_ref ?? "",
      status: "confirmed",
      contact_email: input.contact_email ?? "ana@example.com",
      total_usd: 1248,
    },
  }),
  add_travel_insurance: (input) => ({
    json: { booking_ref: input.booking_ref ?? "", premium_usd: 62.4, total_usd: 1310.4, insured: true },
  }),
  process_payment: (input) => ({
    json: {
      payment_id: "pay_55",
      booking_ref: input.booking_ref ?? "",
      status: "succeeded",
      amount_usd: 1310.4,
      card_last4: "4242",
    },
  }),
  get_booking: (input) => ({
    json: {
      booking_ref: input.booking_ref ?? "",
      status: "confirmed",
      airline: "Pacific Crest Airlines",
      flight_number: "PC 214",
      origin: "LAS",
      destination: "OGG",
      depart_at: "2026-06-03T17:30:00.000Z",
      passengers: 4,
      total_usd: 1248,
    },
  }),
  list_bookings: () => ({
    json: {
      bookings: [
        { booking_ref: "FL-AAAAA1", status: "confirmed", origin: "SEA", destination: "NRT", total_usd: 900 },
      ],
    },
  }),
  cancel_booking: (input) => ({
    json: {
      booking_ref: input.booking_ref ?? "",
      status: "cancelled",
      refund_usd: 1248,
      refund_kind: "card",
      rule: "free_24h",
    },
  }),
  weather__get_forecast: (input) => ({
    json: {
      location: String(input.location ?? ""),
      note: "climate averages, not a live forecast",
      days: [{ date: "2026-05-14", summary: "sunny", high_c: 29, low_c: 21 }],
    },
  }),
  weather__get_alerts: () => ({ json: { alerts: [] } }),
};

export interface Run {
  /** Every tool call, in order. */
  calls: Array<{ name: string; input: Record<string, JsonValue> }>;
  text: string;
  responses: ModelResponse[];
  messages: Message[];
}

interface Model {
  converse(request: { system: string; messages: Message[]; tools: ToolSpec[] }): Promise<ModelResponse>;
}

/** Runs the planner like the agent loop does, until it answers or hands off (max 10 model calls). */
export async function runTurn(
  model: Model,
  o: { system: string; tools: ToolSpec[]; messages: Message[]; handlers?: Partial<Record<string, Handler>> },
): Promise<Run> {
  const messages = [...o.messages];
  const calls: Run["calls"] = [];
  const responses: ModelResponse[] = [];
  for (let step = 0; step < 10; step++) {
    const response = await model.converse({ system: o.system, messages, tools: o.tools });
    responses.push(response);
    messages.push(response.message);
    const uses = response.message.content.flatMap((b) => ("toolUse" in b ? [b.toolUse] : []));
    const text = response.message.content.map((b) => ("text" in b ? b.text : "")).join("");
    if (response.stopReason !== "tool_use") return { calls, text, responses, messages };
    if (uses.some((u) => u.name === "handoff_to_agent")) {
      for (const u of uses) calls.push({ name: u.name, input: u.input as Record<string, JsonValue> });
      return { calls, text, responses, messages };
    }
    const results = uses.map((u) => {
      const input = u.input as Record<string, JsonValue>;
      calls.push({ name: u.name, input });
      const handler = o.handlers?.[u.name] ?? HANDLERS[u.name];
      const out = handler
        ? handler(input)
        : { status: "error" as const, json: { error: `no tool ${u.name}` } };
      return {
        toolResult: {
          toolUseId: u.toolUseId,
          status: out.status ?? "success",
          content: [{ json: out.json }],
        },
      };
    });
    messages.push({ role: "user", content: results });
  }
  throw new Error("planner did not finish within 10 model calls");
}

/** Dollar amounts written in a text (`$1,248.00` → 1248). */
export function dollarAmounts(text: string): number[] {
  return [...text.matchAll(/\$\s?(\d[\d,]*(?:\.\d+)?)/g)].map((m) => Number(m[1]!.replace(/,/g, "")));
}

/** Every number anywhere inside a JSON value. */
export function numbersIn(value: unknown): number[] {
  if (typeof value === "number") return [value];
  if (Array.isArray(value)) return value.flatMap(numbersIn);
  if (value && typeof value === "object") return Object.values(value).flatMap(numbersIn);
  return [];
}
