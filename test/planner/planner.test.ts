import { describe, expect, it } from "vitest";
import type { AgentName } from "../../agents/types.js";
import { LocalPlanner } from "../../orchestrator/models/local/index.js";
import type { JsonValue, Message, ModelStreamEvent, ToolSpec } from "../../orchestrator/models/types.js";
import {
  type AGENT_TOOLS,
  agentTools,
  allTools,
  dollarAmounts,
  FLIGHTS,
  HANDLERS,
  numbersIn,
  PROFILE,
  runTurn,
  system,
  tools,
  user,
} from "./harness.js";

const planner = new LocalPlanner();
const FLAGSHIP =
  "Add travel insurance before you book my flight, and use the email from our support conversation";
const PLAN: AgentName[] = ["support", "booking", "payment"];

async function first(o: { system: string; tools: ToolSpec[]; text: string | Message[] }) {
  const messages = typeof o.text === "string" ? [user(o.text)] : o.text;
  const r = await planner.converse({ system: o.system, messages, tools: o.tools });
  const uses = r.message.content.flatMap((b) => ("toolUse" in b ? [b.toolUse] : []));
  const text = r.message.content.map((b) => ("text" in b ? b.text : "")).join("");
  return { r, uses, text };
}

interface FirstCase {
  name: string;
  agent: keyof typeof AGENT_TOOLS;
  text: string;
  context?: Parameters<typeof system>[0];
  tool: string;
  input: Record<string, JsonValue>;
  /** Further calls expected in the same response, by name. */
  alsoCalls?: string[];
}

const FIRST: FirstCase[] = [
  {
    name: "flight search with the party and profile avoid list",
    agent: "booking",
    text: "Flights from Vegas to Maui on June 3 for two adults and kids aged 4 and 8",
    context: { profile: PROFILE },
    tool: "search_flights",
    input: {
      origin: "LAS",
      destination: "OGG",
      date: "2026-06-03",
      passengers: 4,
      avoid_airlines: ["Island Air"],
      limit: 5,
    },
  },
  {
    name: "one search per destination candidate, a month as a range",
    agent: "booking",
    text: "Honolulu or Maui from Seattle next month, cheapest first",
    tool: "search_flights",
    input: {
      origin: "SEA",
      destination: "HNL",
      date_from: "2026-06-01",
      date_to: "2026-06-30",
      sort: "price",
      limit: 5,
    },
    alsoCalls: ["search_flights"],
  },
  {
    name: "party size from the profile when the message has none",
    agent: "booking",
    text: "to Tokyo from Seattle next Friday under $900",
    context: { profile: PROFILE },
    tool: "search_flights",
    input: {
      origin: "SEA",
      destination: "NRT",
      date: "2026-05-15",
      passengers: 4,
      max_price_usd: 900,
      avoid_airlines: ["Island Air"],
      limit: 5,
    },
  },
  {
    name: "hotels with check-in, nights and a nightly budget",
    agent: "booking",
    text: "hotels in Maui from June 3 for 4 nights, $250 a night",
    tool: "search_hotels",
    input: { city: "OGG", check_in: "2026-06-03", nights: 4, max_price_per_night_usd: 250, limit: 5 },
  },
  {
    name: "'hotels there' uses the session's last destination and the profile",
    agent: "booking",
    text: "what about hotels there?",
    context: { profile: PROFILE, lastDestination: "OGG" },
    tool: "search_hotels",
    input: { city: "OGG", guests: 4, max_price_per_night_usd: 300, limit: 5 },
  },
  {
    name: "policy question",
    agent: "support",
    text: "What's your baggage policy?",
    tool: "search_knowledge_base",
    input: { query: "What's your baggage policy?" },
  },
  {
    name: "weather uses the namespaced MCP tool and the customer's place name",
    agent: "support",
    text: "What's the weather in Maui tomorrow?",
    tool: "weather__get_forecast",
    input: { location: "Maui", days: 2 },
  },
  {
    name: "storm question adds the alerts tool",
    agent: "support",
    text: "Any storm warnings for Miami?",
    tool: "weather__get_forecast",
    input: { location: "Miami" },
    alsoCalls: ["weather__get_alerts"],
  },
  {
    name: "destination advice per candidate city",
    agent: "support",
    text: "Honolulu or Maui for a family with kids?",
    tool: "get_destination_info",
    input: { query: "Honolulu or Maui for a family with kids?", city: "HNL" },
    alsoCalls: ["get_destination_info"],
  },
  {
    name: "support history first, then the policy",
    agent: "support",
    text: "what did support tell me about my refund?",
    tool: "find_support_conversation",
    input: { query: "what did support tell me about my refund" },
    alsoCalls: ["search_knowledge_base"],
  },
  {
    name: "cancel with a reason",
    agent: "payment",
    text: "Cancel FL-7K2Q9D because plans changed",
    tool: "cancel_booking",
    input: { booking_ref: "FL-7K2Q9D", reason: "plans changed" },
  },
  {
    name: "insurance on a named booking",
    agent: "payment",
    text: "Can you add travel insurance to FL-7K2Q9D?",
    tool: "add_travel_insurance",
    input: { booking_ref: "FL-7K2Q9D" },
  },
  {
    name: "booking lookup by reference",
    agent: "booking",
    text: "Where is my booking FL-ABC123?",
    tool: "get_booking",
    input: { booking_ref: "FL-ABC123" },
  },
  {
    name: "'book the cheapest, but not Island Air' picks from the session's flights",
    agent: "booking",
    text: "book the cheapest, but not Island Air",
    context: { lastFlights: FLIGHTS, lastOrigin: "LAS", lastDestination: "OGG" },
    tool: "reserve_flight",
    input: { flight_id: "102", passengers: 1 },
  },
  {
    name: "'book the first one' takes the first listed flight",
    agent: "booking",
    text: "book the first one for 2 people, send it to ana@example.org",
    context: { lastFlights: FLIGHTS },
    tool: "reserve_flight",
    input: { flight_id: "101", passengers: 2, contact_email: "ana@example.org" },
  },
  {
    name: "flagship, support step: find the email",
    agent: "support",
    text: FLAGSHIP,
    context: { agent: "support", profile: PROFILE, plan: PLAN, request: FLAGSHIP, lastFlights: FLIGHTS },
    tool: "find_support_conversation",
    input: { query: "use the email from our support conversation" },
  },
  {
    name: "flagship, booking step: session flight, support email, profile party",
    agent: "booking",
    text: FLAGSHIP,
    context: {
      profile: PROFILE,
      plan: PLAN,
      request: FLAGSHIP,
      lastFlights: FLIGHTS,
      outputs: { support: { contact_email: "ana.travel@example.com" } },
    },
    tool: "reserve_flight",
    input: { flight_id: "102", passengers: 4, contact_email: "ana.travel@example.com" },
  },
  {
    name: "flagship, payment step: insurance on the booking step's reference",
    agent: "payment",
    text: FLAGSHIP,
    context: {
      agent: "payment",
      profile: PROFILE,
      plan: PLAN,
      request: FLAGSHIP,
      outputs: {
        support: { contact_email: "ana.travel@example.com" },
        booking: { booking_ref: "FL-7K2Q9D", total_usd: 812.4 },
      },
    },
    tool: "add_travel_insurance",
    input: { booking_ref: "FL-7K2Q9D" },
  },
];

describe("LocalPlanner: first response per agent and request", () => {
  it.each(FIRST)("$name", async (c) => {
    const { r, uses } = await first({
      system: system({ agent: c.agent, ...c.context }),
      tools: agentTools(c.agent),
      text: c.text,
    });
    expect(r.stopReason).toBe("tool_use");
    expect(r.model).toBe("local");
    expect(uses[0]?.name).toBe(c.tool);
    expect(uses[0]?.input).toEqual(c.input);
    expect(uses.slice(1).map((u) => u.name)).toEqual(c.alsoCalls ?? []);
    const offered = new Set(agentTools(c.agent).map((t) => t.name));
    for (const u of uses) expect(offered).toContain(u.name);
  });
});

describe("LocalPlanner: answers come only from tool results and context", () => {
  it("lists the searched flights with their real prices and names the cheapest", async () => {
    const run = await runTurn(planner, {
      system: system({ profile: PROFILE }),
      tools: agentTools("booking"),
      messages: [user("Flights from Vegas to Maui on June 3 for two adults and kids aged 4 and 8")],
    });
    expect(run.calls.map((c) => c.name)).toEqual(["search_flights"]);
    const returned = FLIGHTS.filter((f) => f.airline !== "Island Air");
    const cheapest = Math.min(...returned.map((f) => f.price_usd));
    expect(run.text).toContain(`Cheapest: Pacific Crest Airlines PC 214 at $${cheapest}`);
    const allowed = new Set(numbersIn(returned));
    const said = dollarAmounts(run.text);
    expect(said.length).toBeGreaterThan(0);
    for (const amount of said) expect(allowed, `$${amount} is not in the results`).toContain(amount);
    expect(run.text).not.toContain("Island Air flights left");
    expect(run.text).not.toContain("289.5");
    expect(run.text).toContain("Applied from your saved preferences: no Island Air flights");
  });

  it("says no flights were found instead of inventing one", async () => {
    const run = await runTurn(planner, {
      system: system(),
      tools: agentTools("booking"),
      messages: [user("flights from SEA to NRT tomorrow")],
      handlers: { search_flights: () => ({ json: { flights: [], count: 0 } }) },
    });
    expect(run.text).toMatch(/I found no flights from Seattle \(SEA\) to Tokyo \(NRT\) on 2026-05-14/);
    expect(dollarAmounts(run.text)).toEqual([]);
  });

  it("carries the way back of a round trip in the search and lists it; a one-way search says so", async () => {
    const back = { ...FLIGHTS[1]!, flight_id: "900", origin: "OGG", destination: "LAS" };
    const trip = await runTurn(planner, {
      system: system(),
      tools: agentTools("booking"),
      messages: [user("Vegas to Maui, out June 3 and flying home June 9")],
      handlers: { search_flights: () => ({ json: { flights: [], count: 0, return_flights: [back] } }) },
    });
    expect(trip.calls.map((c) => c.input)).toMatchObject([
      { origin: "LAS", destination: "OGG", date: "2026-06-03", return_date: "2026-06-09" },
    ]);
    expect(trip.text).toMatch(/Return flights from Maui \(OGG\) to .* \(LAS\) on 2026-06-09:/);
    expect(trip.text).toContain(back.flight_number);
    const single = await runTurn(planner, {
      system: system(),
      tools: agentTools("booking"),
      messages: [user("Vegas to Maui one-way, out June 3, back June 9")],
      handlers: { search_flights: () => ({ json: { flights: [], count: 0 } }) },
    });
    expect(single.calls[0]?.input.return_date).toBeUndefined();
    expect(single.text).toContain("one-way fares, as you asked");
    expect(single.text).not.toMatch(/round[- ]trip/i);
  });

  it("books through search → reserve → confirm, once each, with totals from the results", async () => {
    const run = await runTurn(planner, {
      system: system({ profile: PROFILE }),
      tools: agentTools("booking"),
      messages: [user("Book the cheapest flight from Vegas to Maui on June 3")],
    });
    expect(run.calls.map((c) => c.name)).toEqual(["search_flights", "reserve_flight", "confirm_booking"]);
    expect(run.calls[1]?.input).toEqual({
      flight_id: "102",
      passengers: 4,
      contact_email: "ana@example.com",
    });
    expect(run.calls[2]?.input).toEqual({ booking_ref: "FL-7K2Q9D", contact_email: "ana@example.com" });
    expect(run.text).toContain("Booking FL-7K2Q9D is confirmed for 4 passengers; total $1248");
    const allowed = new Set([...numbersIn(FLIGHTS), 1248]);
    for (const amount of dollarAmounts(run.text)) expect(allowed).toContain(amount);

    // Asked again with the finished conversation, it answers; it never books a second time.
    const again = await planner.converse({
      system: system({ profile: PROFILE }),
      messages: run.messages,
      tools: agentTools("booking"),
    });
    expect(again.stopReason).toBe("end_turn");
    expect(again.message.content.some((b) => "toolUse" in b)).toBe(false);
  });

  it("runs the whole flagship with every tool: support → booking → insurance → payment", async () => {
    const run = await runTurn(planner, {
      system: system({ profile: PROFILE, lastFlights: FLIGHTS }),
      tools: allTools(),
      messages: [user(FLAGSHIP)],
    });
    expect(run.calls.map((c) => c.name)).toEqual([
      "find_support_conversation",
      "reserve_flight",
      "confirm_booking",
      "add_travel_insurance",
      "process_payment",
    ]);
    expect(run.calls[1]?.input).toMatchObject({
      flight_id: "102",
      passengers: 4,
      contact_email: "ana.travel@example.com",
    });
    expect(run.calls[4]?.input).toEqual({ booking_ref: "FL-7K2Q9D", card: "on_file" });
    expect(run.text).toContain("ana.travel@example.com");
    expect(run.text).toContain("premium $62.40, new total $1310.40");
    expect(run.text).toContain("$1310.40 charged to the card ending 4242");
  });

  it("the support step of the flagship ends with the email in its text", async () => {
    const run = await runTurn(planner, {
      system: system({ agent: "support", plan: PLAN, request: FLAGSHIP, profile: PROFILE }),
      tools: agentTools("support"),
      messages: [user(FLAGSHIP)],
    });
    expect(run.calls.map((c) => c.name)).toEqual(["find_support_conversation"]);
    expect(run.text).toContain("ana.travel@example.com");
    expect(run.responses.at(-1)?.stopReason).toBe("end_turn");
  });

  it("reports a failed hold and goes no further (no confirm, no payment, no retry)", async () => {
    const run = await runTurn(planner, {
      system: system({ profile: PROFILE, lastFlights: FLIGHTS }),
      tools: allTools(),
      messages: [user("book the cheapest flight and pay for it")],
      handlers: {
        reserve_flight: () => ({ status: "error", json: { error: "only 2 seats left on flight 102" } }),
      },
    });
    expect(run.calls.map((c) => c.name)).toEqual(["reserve_flight"]);
    expect(run.text).toContain("couldn't hold");
    expect(run.text).toContain("only 2 seats left on flight 102");
  });

  it("reports a declined card without charging again", async () => {
    const run = await runTurn(planner, {
      system: system({ agent: "payment" }),
      tools: agentTools("payment"),
      messages: [user("pay for FL-7K2Q9D")],
      handlers: {
        process_payment: () => ({
          json: {
            payment_id: "pay_9",
            booking_ref: "FL-7K2Q9D",
            status: "declined",
            amount_usd: 812.4,
            card_last4: "0002",
            decline_reason: "insufficient funds",
          },
        }),
      },
    });
    expect(run.calls.map((c) => c.name)).toEqual(["process_payment"]);
    expect(run.text).toContain("declined by the card ending 0002 (insufficient funds)");
  });

  it("does not pay when the requested insurance failed", async () => {
    const run = await runTurn(planner, {
      system: system({ agent: "payment" }),
      tools: agentTools("payment"),
      messages: [user("add insurance to FL-7K2Q9D and pay for it")],
      handlers: {
        add_travel_insurance: () => ({
          status: "error",
          json: { error: "booking FL-7K2Q9D is already paid" },
        }),
      },
    });
    expect(run.calls.map((c) => c.name)).toEqual(["add_travel_insurance"]);
    expect(run.text).toContain("booking FL-7K2Q9D is already paid");
    expect(run.text).toContain("I haven't taken payment");
  });

  it("won't book an option the customer avoids, and says why", async () => {
    const { r, text } = await first({
      system: system({ profile: PROFILE, lastFlights: FLIGHTS }),
      tools: agentTools("booking"),
      text: "book the first one",
    });
    expect(r.stopReason).toBe("end_turn");
    expect(text).toContain("Island Air, which you avoid");
  });

  it("asks for a missing origin instead of guessing", async () => {
    const { r, text } = await first({
      system: system(),
      tools: agentTools("booking"),
      text: "flights to Tokyo next month",
    });
    expect(r.stopReason).toBe("end_turn");
    expect(text).toContain("Where will you be flying from?");
  });
});

describe("LocalPlanner: guests, handoffs and offered tools", () => {
  it("declines account actions for a guest without calling any tool", async () => {
    for (const text of [FLAGSHIP, "Cancel my booking FL-7K2Q9D", "show me my bookings"]) {
      const {
        r,
        uses,
        text: answer,
      } = await first({ system: system({ guest: true, name: null }), tools: allTools(), text });
      expect(uses).toEqual([]);
      expect(r.stopReason).toBe("end_turn");
      expect(answer).toMatch(/sign in/);
    }
  });

  it("still answers a guest's general question", async () => {
    const { uses } = await first({
      system: system({ guest: true }),
      tools: allTools(),
      text: "What's your baggage policy?",
    });
    expect(uses.map((u) => u.name)).toEqual(["search_knowledge_base"]);
  });

  it.each([
    ["support", "Cancel my booking FL-7K2Q9D please", "payment"],
    ["support", "flights from SEA to NRT tomorrow", "booking"],
    ["booking", "add travel insurance to FL-7K2Q9D", "payment"],
    ["payment", "What's the weather in Maui?", "support"],
  ] as const)("the %s agent hands '%s' to %s", async (agent, text, target) => {
    const {
      r,
      uses,
      text: said,
    } = await first({ system: system({ agent }), tools: agentTools(agent), text });
    expect(r.stopReason).toBe("tool_use");
    expect(uses.map((u) => u.name)).toEqual(["handoff_to_agent"]);
    expect(uses[0]?.input).toMatchObject({ agent: target });
    const input = (uses[0]?.input ?? {}) as Record<string, JsonValue>;
    expect(String(input.reason)).toMatch(/^The customer wants to /);
    // The reason is in the handoff's input (the trail); the customer reads no handoff chatter.
    expect(said).not.toMatch(/passing|hand(?:ing)? (?:this|you)|agent/i);
  });

  it("does its own part before handing off the rest", async () => {
    const run = await runTurn(planner, {
      system: system({ agent: "booking", profile: PROFILE, lastFlights: FLIGHTS }),
      tools: agentTools("booking"),
      messages: [user("reserve the cheapest flight and then charge my card on file")],
    });
    expect(run.calls.map((c) => c.name)).toEqual(["reserve_flight", "confirm_booking", "handoff_to_agent"]);
    expect(run.calls[2]?.input).toMatchObject({ agent: "payment" });
  });

  it("hands work that comes first (the support email) back before booking anything", async () => {
    const run = await runTurn(planner, {
      system: system({ agent: "booking", profile: PROFILE, lastFlights: FLIGHTS }),
      tools: agentTools("booking"),
      messages: [user(FLAGSHIP)],
    });
    expect(run.calls.map((c) => c.name)).toEqual(["handoff_to_agent"]);
    expect(run.calls[0]?.input).toMatchObject({ agent: "support" });
  });

  it("never calls a tool that is not offered, and says what it can't do", async () => {
    const { r, uses, text } = await first({
      system: system({ agent: "support" }),
      tools: tools("search_knowledge_base"),
      text: "book me a flight from SEA to NRT tomorrow",
    });
    expect(uses).toEqual([]);
    expect(r.stopReason).toBe("end_turn");
    expect(text).toContain("I can't");
  });

  it("in a workflow, leaves other agents' steps to them (no handoff)", async () => {
    const { uses } = await first({
      system: system({ agent: "booking", plan: PLAN, request: FLAGSHIP, lastFlights: FLIGHTS }),
      tools: agentTools("booking"),
      text: FLAGSHIP,
    });
    expect(uses.map((u) => u.name)).toEqual(["reserve_flight"]);
  });
});

describe("LocalPlanner: the model interface", () => {
  const request = () => ({
    system: system({ profile: PROFILE }),
    messages: [user("Flights from Vegas to Maui on June 3")],
    tools: agentTools("booking"),
  });

  it("is deterministic: same input, same output (also across instances)", async () => {
    const a = await planner.converse(request());
    const b = await planner.converse(request());
    const c = await new LocalPlanner().converse(request());
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it("numbers tool uses after the ones already in the conversation", async () => {
    const run = await runTurn(planner, {
      system: system({ profile: PROFILE }),
      tools: agentTools("booking"),
      messages: [user("Book the cheapest flight from Vegas to Maui on June 3")],
    });
    const ids = run.messages.flatMap((m) =>
      m.content.flatMap((b) => ("toolUse" in b ? [b.toolUse.toolUseId] : [])),
    );
    expect(ids).toEqual(["tooluse_1", "tooluse_2", "tooluse_3"]);
  });

  it("streams the same response as text deltas and tool-use events, then done", async () => {
    const events: ModelStreamEvent[] = [];
    const run = await runTurn(planner, {
      system: system({ profile: PROFILE }),
      tools: agentTools("booking"),
      messages: [user("Flights from Vegas to Maui on June 3")],
    });
    for await (const e of planner.converseStream({
      system: system({ profile: PROFILE }),
      messages: run.messages.slice(0, -1),
      tools: agentTools("booking"),
    })) {
      events.push(e);
    }
    const done = events.at(-1);
    expect(done?.type).toBe("done");
    const deltas = events.flatMap((e) => (e.type === "text" ? [e.delta] : []));
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe(run.text);

    const toolEvents: ModelStreamEvent[] = [];
    for await (const e of planner.converseStream(request())) toolEvents.push(e);
    expect(toolEvents.map((e) => e.type)).toEqual(["toolUseStart", "toolUseDelta", "done"]);
    const start = toolEvents[0];
    const delta = toolEvents[1];
    if (start?.type !== "toolUseStart" || delta?.type !== "toolUseDelta")
      throw new Error("unexpected events");
    expect(start.name).toBe("search_flights");
    expect(JSON.parse(delta.delta)).toMatchObject({ origin: "LAS", destination: "OGG" });
  });

  it("counts tokens roughly (chars / 4) and labels itself", async () => {
    const req = request();
    const r = await planner.converse(req);
    const chars = req.system.length + JSON.stringify(req.messages).length + JSON.stringify(req.tools).length;
    expect(r.usage.inputTokens).toBe(Math.ceil(chars / 4));
    expect(r.usage.outputTokens).toBeGreaterThan(0);
    expect(r.usage.totalTokens).toBe(r.usage.inputTokens + r.usage.outputTokens);
    expect(r.model).toBe("local");
    expect(planner.name).toBe("local");
    expect(planner.modelId).toBe("local");
  });

  it("works without a context block, using its clock", async () => {
    const p = new LocalPlanner({ clock: () => new Date("2026-05-13T10:00:00Z") });
    const r = await p.converse({
      system: "no context here",
      messages: [user("SEA to NRT tomorrow")],
      tools: agentTools("booking"),
    });
    const use = r.message.content.find((b) => "toolUse" in b);
    expect(use && "toolUse" in use ? use.toolUse.input : undefined).toMatchObject({ date: "2026-05-14" });
  });

  it("survives a malformed context block", async () => {
    const r = await planner.converse({
      system: "<context>{not json</context>",
      messages: [user("What's your baggage policy?")],
      tools: agentTools("support"),
    });
    expect(r.stopReason).toBe("tool_use");
  });

  it("rejects an aborted request", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(planner.converse({ ...request(), signal: controller.signal })).rejects.toThrow();
  });

  it("fills only fields the tool's schema declares", async () => {
    const narrow: ToolSpec = {
      name: "search_flights",
      description: "",
      inputSchema: {
        type: "object",
        properties: { origin: { type: "string" }, destination: { type: "string" } },
        required: ["origin", "destination"],
      },
    };
    const { uses } = await first({
      system: system({ profile: PROFILE }),
      tools: [narrow],
      text: "Vegas to Maui June 3 for 4 people",
    });
    expect(uses[0]?.input).toEqual({ origin: "LAS", destination: "OGG" });
  });

  it("uses the default fake handlers the harness declares for every tool", () => {
    for (const name of Object.keys(HANDLERS)) expect(allTools().map((t) => t.name)).toContain(name);
  });
});
