/**
 * Plans in working order whatever the wording, follow-ups on what the session just did, personal
 * questions answered from the customer's own data, and memory that keeps one trip's details out
 * of standing preferences. Every prompt here is worded for this file (none is a router example);
 * the checks read the database and the trail, not the wording.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTE_EXAMPLES } from "../../agents/routes.js";
import { MODES, type Scenario, startScenario, trail } from "./harness.js";

/** The flagship with a served route named in it, in three wordings of our own. */
const FLAGSHIPS = [
  "Before you book me a flight from Seattle to Honolulu next month, add travel protection, and send everything to the address I gave your support team",
  "Get me insured and then book the Las Vegas to Honolulu flight next month; use the email from my support chat",
  "I'd like travel insurance added before you purchase my Seattle to Tokyo ticket for next month, and the contact email should be the one from my chat with support",
];

const EXAMPLES = new Set(ROUTE_EXAMPLES.map((e) => e.text.toLowerCase()));

/** The order agents first ran in. */
const firstRuns = (agents: string[]): string[] => [...new Set(agents)];

interface BookingRow {
  id: string;
  ref: string;
  status: string;
  insured: boolean;
  contact_email: string;
  total_cents: number;
}

async function supportEmail(s: Scenario, actor: number): Promise<string> {
  const [row] = await s.sql<{ email: string }[]>`
    SELECT substring(m.content from '[\\w.+-]+@mailbox\\.example\\.org') AS email
    FROM support_messages m JOIN support_conversations c ON c.id = m.conversation_id
    WHERE c.customer_id = ${actor} AND m.content LIKE '%mailbox.example.org%' LIMIT 1`;
  return row?.email ?? "";
}

const bookingsSince = (s: Scenario, actor: number, since: Date) =>
  s.sql<BookingRow[]>`
    SELECT id::text AS id, ref, status, insured, contact_email, total_cents FROM bookings
    WHERE customer_id = ${actor} AND created_at >= ${since} ORDER BY id`;

const succeededPayments = (s: Scenario, bookingId: string) =>
  s.sql<{ amount_cents: number }[]>`
    SELECT amount_cents FROM payments WHERE booking_id = ${bookingId} AND status = 'succeeded'`;

/** Customers with no booking yet, given to one test each. */
async function freshCustomers(s: Scenario, n: number): Promise<number[]> {
  const rows = await s.sql<{ id: number }[]>`
    SELECT c.id::int AS id FROM customers c
    WHERE NOT EXISTS (SELECT 1 FROM bookings b WHERE b.customer_id = c.id)
    ORDER BY c.id DESC LIMIT ${n}`;
  return rows.map((r) => r.id);
}

it("none of these prompts is a router example", () => {
  for (const p of FLAGSHIPS) expect(EXAMPLES.has(p.toLowerCase())).toBe(false);
});

describe.each(MODES)("the flagship with a route named in it (%s)", (mode) => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(mode);
  });
  afterAll(async () => {
    await s?.close();
  });

  // Customers whose support conversation gave a contact email and who have no booking yet.
  it.each(FLAGSHIPS.map((prompt, i) => ({ prompt, i })))(
    "$prompt → one insured booking, paid once, with the support email",
    async ({ prompt, i }) => {
      const candidates = await s.sql<{ id: number }[]>`
        SELECT DISTINCT c.customer_id::int AS id
        FROM support_messages m JOIN support_conversations c ON c.id = m.conversation_id
        WHERE m.content LIKE '%mailbox.example.org%'
          AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.customer_id = c.customer_id)
        ORDER BY 1 DESC`;
      const actor = candidates[i + (mode === "bedrock" ? FLAGSHIPS.length : 0)]!.id;
      const email = await supportEmail(s, actor);
      expect(email).toMatch(/@mailbox\.example\.org$/);
      const since = new Date(Date.now() - 1000);
      const res = await s.invoke(prompt, { actor: String(actor), session: randomUUID() });
      expect(res.status).toBe(200);
      // The work in working order, whichever agent the route started with.
      const work = s.calls
        .map((c) => c.name)
        .filter((n) => !["search_flights", "list_bookings", "get_booking", "handoff_to_agent"].includes(n));
      expect(work).toEqual([
        "find_support_conversation",
        "reserve_flight",
        "confirm_booking",
        "add_travel_insurance",
        "process_payment",
      ]);
      const order = firstRuns(trail(res).filter((a) => a !== "support"));
      expect(order).toEqual(["booking", "payment"]);

      const bookings = await bookingsSince(s, actor, since);
      expect(bookings).toHaveLength(1);
      expect(bookings[0]).toMatchObject({ status: "confirmed", insured: true, contact_email: email });
      expect(await succeededPayments(s, bookings[0]!.id)).toEqual([
        { amount_cents: bookings[0]!.total_cents },
      ]);
    },
  );
});

describe("plans, follow-ups, personal questions and memory (local)", () => {
  let s: Scenario;
  let fresh: number[];
  beforeAll(async () => {
    s = await startScenario("local");
    fresh = await freshCustomers(s, 6);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("booking with cover charges nothing unasked, nor does booking without; 'settle it' pays the one just made", async () => {
    const actor = fresh[0]!;
    const session = randomUUID();
    const since = new Date(Date.now() - 1000);
    await s.invoke("show me flights from Seattle to Honolulu next month", { actor: String(actor), session });
    const insured = await s.invoke("reserve the cheapest of those and add insurance to it", {
      actor: String(actor),
      session,
    });
    expect(insured.status).toBe(200);
    let bookings = await bookingsSince(s, actor, since);
    expect(bookings).toHaveLength(1);
    expect(bookings[0]).toMatchObject({ insured: true });
    expect(await succeededPayments(s, bookings[0]!.id)).toEqual([]);
    expect(s.calls.map((c) => c.name)).not.toContain("process_payment");

    const pay = await s.invoke("ok, go ahead and pay for it", { actor: String(actor), session });
    expect(pay.status).toBe(200);
    expect(s.calls.map((c) => c.name)).toEqual(["process_payment"]);
    expect(await succeededPayments(s, bookings[0]!.id)).toEqual([{ amount_cents: bookings[0]!.total_cents }]);

    // Without cover, in another session: booked, not charged.
    const other = randomUUID();
    await s.invoke("flights from Las Vegas to Honolulu next month please", {
      actor: String(actor),
      session: other,
    });
    await s.invoke("I'll take the cheapest one", { actor: String(actor), session: other });
    bookings = await bookingsSince(s, actor, since);
    expect(bookings).toHaveLength(2);
    expect(bookings[1]).toMatchObject({ insured: false });
    expect(await succeededPayments(s, bookings[1]!.id)).toEqual([]);
  });

  it("'cancel that booking' right after booking cancels it; again, it is already cancelled and no refund is repeated", async () => {
    const actor = fresh[1]!;
    const session = randomUUID();
    const since = new Date(Date.now() - 1000);
    await s.invoke("what flights are there from Los Angeles to New York next month?", {
      actor: String(actor),
      session,
    });
    await s.invoke("book the earliest one", { actor: String(actor), session });
    const [booking] = await bookingsSince(s, actor, since);
    expect(booking).toBeDefined();

    const cancel = await s.invoke("actually, please cancel that booking", { actor: String(actor), session });
    expect(cancel.status).toBe(200);
    expect(s.calls.map((c) => c.name)).toEqual(["cancel_booking"]);
    expect(s.calls[0]!.input).toMatchObject({ booking_ref: booking!.ref });
    const [row] = await s.sql<{ status: string }[]>`SELECT status FROM bookings WHERE id = ${booking!.id}`;
    expect(row?.status).toBe("cancelled");

    const again = await s.invoke("cancel that booking", { actor: String(actor), session });
    expect(again.status).toBe(200);
    const refunds = await s.sql`SELECT 1 FROM refunds WHERE booking_id = ${booking!.id}`;
    expect(refunds).toHaveLength(1);
    expect(again.body.response).toMatch(/already cancelled/i);
    expect(again.body.response).not.toMatch(/refund:/i);
  });

  it("'cancel my booking' with a single booking cancels it in a new session, without asking which", async () => {
    const actor = fresh[2]!;
    const since = new Date(Date.now() - 1000);
    const session = randomUUID();
    await s.invoke("search Seattle to Los Angeles flights next month", { actor: String(actor), session });
    await s.invoke("book the cheapest one", { actor: String(actor), session });
    const [booking] = await bookingsSince(s, actor, since);
    expect(booking).toBeDefined();

    const res = await s.invoke("I need to cancel my booking", {
      actor: String(actor),
      session: randomUUID(),
    });
    expect(res.status).toBe(200);
    const cancels = s.calls.filter((c) => c.name === "cancel_booking");
    expect(cancels).toHaveLength(1);
    expect(cancels[0]!.input).toMatchObject({ booking_ref: booking!.ref });
    const [row] = await s.sql<{ status: string }[]>`SELECT status FROM bookings WHERE id = ${booking!.id}`;
    expect(row?.status).toBe("cancelled");
  });

  it("'book the cheapest' after a hotel list books that hotel for the searched stay, and no flight", async () => {
    const actor = fresh[3]!;
    const session = randomUUID();
    await s.invoke("any hotels in Tokyo for two nights next month?", { actor: String(actor), session });
    const search = s.calls.find((c) => c.name === "search_hotels");
    expect(search?.status).toBe("success");
    const listed = (search!.json as { hotels: { hotel_id: string; price_per_night_usd: number }[] }).hotels;
    expect(listed.length).toBeGreaterThan(1);
    const cheapest = [...listed].sort((a, b) => a.price_per_night_usd - b.price_per_night_usd)[0]!;

    const res = await s.invoke("great, book the cheapest", { actor: String(actor), session });
    expect(res.status).toBe(200);
    expect(s.calls.map((c) => c.name)).toEqual(["book_hotel"]);
    expect(await s.sql`SELECT 1 FROM bookings WHERE customer_id = ${actor}`).toHaveLength(0);
    const stays = await s.sql<{ hotel_id: string; check_in: string; nights: number; total_cents: number }[]>`
      SELECT hotel_id::text, to_char(check_in, 'YYYY-MM-DD') AS check_in, nights, total_cents
      FROM hotel_bookings WHERE customer_id = ${actor}`;
    expect(stays).toHaveLength(1);
    expect(stays[0]!.hotel_id).toBe(cheapest.hotel_id);
    expect(stays[0]!.nights).toBe(2);
    expect(stays[0]!.check_in).toBe(search!.input.check_in);
    expect(stays[0]!.total_cents).toBe(Math.round(cheapest.price_per_night_usd * 100) * 2);
  });

  it("asks for the dates before booking a hotel listed without them, and books nothing", async () => {
    const actor = fresh[3]!;
    const session = randomUUID();
    await s.invoke("show me hotels in Honolulu", { actor: String(actor), session });
    expect(s.calls.map((c) => c.name)).toContain("search_hotels");
    const before = await s.sql`SELECT 1 FROM hotel_bookings WHERE customer_id = ${actor}`;
    const res = await s.invoke("book the second one", { actor: String(actor), session });
    expect(res.status).toBe(200);
    expect(s.calls.map((c) => c.name)).not.toContain("book_hotel");
    expect(res.body.response).toMatch(/check-in date/);
    expect(await s.sql`SELECT 1 FROM hotel_bookings WHERE customer_id = ${actor}`).toHaveLength(
      before.length,
    );
  });

  it("answers personal questions from the profile, the bookings and the support history", async () => {
    const actor = fresh[4]!;
    const [me] = await s.sql<{ name: string; tier: string }[]>`
      SELECT name, profile->>'loyalty_tier' AS tier FROM customers WHERE id = ${actor}`;
    const session = randomUUID();

    const tier = await s.invoke("which loyalty tier am I on my account?", { actor: String(actor), session });
    expect(tier.body.response.toLowerCase()).toContain(me!.tier);
    expect(s.calls.map((c) => c.name)).not.toContain("search_knowledge_base");

    const name = await s.invoke("what's my name on my Flightly account?", { actor: String(actor), session });
    expect(name.body.response).toContain(me!.name);

    const since = new Date(Date.now() - 1000);
    await s.invoke("look for flights from Seattle to Tokyo next month", { actor: String(actor), session });
    await s.invoke("book the cheapest", { actor: String(actor), session });
    await s.invoke("flights from Seattle to Honolulu next month?", { actor: String(actor), session });
    await s.invoke("book the cheapest", { actor: String(actor), session });
    const made = await bookingsSince(s, actor, since);
    expect(made).toHaveLength(2);
    const [next] = await s.sql<{ ref: string }[]>`
      SELECT b.ref FROM bookings b JOIN flights f ON f.id = b.flight_id
      WHERE b.customer_id = ${actor} AND b.status IN ('confirmed', 'held') AND f.depart_at > now()
      ORDER BY f.depart_at LIMIT 1`;

    const when = await s.invoke("when's my next flight?", { actor: String(actor), session: randomUUID() });
    expect(s.calls.map((c) => c.name)).toContain("list_bookings");
    expect(when.body.response).toContain(next!.ref);

    const last = await s.invoke("what did I book most recently?", {
      actor: String(actor),
      session: randomUUID(),
    });
    expect(s.calls.map((c) => c.name)).not.toContain("reserve_flight");
    expect(last.body.response).toContain(made.at(-1)!.ref);

    const subjects = await s.sql<{ subject: string }[]>`
      SELECT subject FROM support_conversations WHERE customer_id = ${actor}`;
    const support = await s.invoke("what did I talk to your support team about?", {
      actor: String(actor),
      session: randomUUID(),
    });
    expect(s.calls.map((c) => c.name)).toContain("find_support_conversation");
    expect(subjects.some((r) => support.body.response.includes(r.subject))).toBe(true);
  });

  it("a request several agents find nothing to do for reads one answer, not one per agent", async () => {
    const answer = await s.invoke("should I pack a thick parka for Boston in December", {
      actor: "guest-parka",
      session: randomUUID(),
    });
    expect(answer.status).toBe(200);
    // The low-confidence route runs more than one agent, and none of them has a tool to call.
    expect(new Set(trail(answer)).size).toBeGreaterThan(1);
    const paragraphs = answer.body.response.split(/\n\n/);
    expect(paragraphs.length).toBeGreaterThan(0);
    expect(new Set(paragraphs).size).toBe(paragraphs.length);
  });

  it("a follow-up with no travel word of its own continues the served subject; without one it is declined", async () => {
    const session = randomUUID();
    const first = await s.invoke("how far ahead should I ask for wheelchair help for my dad", {
      actor: "guest-followup",
      session,
    });
    expect(trail(first)).toContain("support");
    const next = await s.invoke("and his oxygen tank?", { actor: "guest-followup", session });
    expect(trail(next)).toContain("support");
    expect(s.calls.map((c) => c.name)).toContain("search_knowledge_base");

    // The same kind of follow-up after a decline, or opening a session, is declined with no agent.
    const poem = randomUUID();
    await s.invoke("compose a sonnet about autumn", { actor: "guest-followup", session: poem });
    const again = await s.invoke("and one about spring?", { actor: "guest-followup", session: poem });
    expect(trail(again)).toEqual([]);
    expect(s.calls).toEqual([]);
    const opening = await s.invoke("what about a limerick instead", {
      actor: "guest-followup",
      session: randomUUID(),
    });
    expect(trail(opening)).toEqual([]);
    expect(s.calls).toEqual([]);
  });

  it("an elliptical follow-up asks the last request again with its new day, month or place", async () => {
    const session = randomUUID();
    const actor = "guest-ellipsis";
    await s.invoke("weather in Vancouver in February?", { actor, session });
    await s.invoke("how about in October", { actor, session });
    expect(s.calls.find((c) => c.name.endsWith("get_forecast"))?.input).toMatchObject({
      location: "Vancouver",
      month: 10,
    });
    await s.invoke("and Dublin?", { actor, session });
    expect(s.calls.find((c) => c.name.endsWith("get_forecast"))?.input).toMatchObject({
      location: "Dublin",
      month: 10,
    });

    const trip = randomUUID();
    await s.invoke("any flights Seattle to Honolulu on April 10", { actor, session: trip });
    const first = s.calls.find((c) => c.name === "search_flights")!;
    await s.invoke("what about the 12th", { actor, session: trip });
    const again = s.calls.find((c) => c.name === "search_flights");
    expect(again?.input).toMatchObject({ origin: first.input.origin, destination: first.input.destination });
    expect(String(again?.input.date)).toBe(`${String(first.input.date).slice(0, 7)}-12`);

    // Another destination: the new route is searched and only its flights are shown, not the last list.
    const before = (again!.json as { flights: { flight_id: string; flight_number?: string }[] }).flights;
    const other = await s.invoke("and to Maui instead?", { actor, session: trip });
    const maui = s.calls.find((c) => c.name === "search_flights");
    expect(maui?.input).toMatchObject({ origin: first.input.origin, destination: "OGG" });
    for (const f of before) if (f.flight_number) expect(other.body.response).not.toContain(f.flight_number);
  });

  it("one trip's party never becomes a standing fact; a standing one does", async () => {
    const actor = fresh[5]!;
    await s.invoke("there are six of us this time, flights from Seattle to Honolulu next month", {
      actor: String(actor),
      session: randomUUID(),
    });
    await s.rt.app.worker.drain({ timeoutMs: 30_000 });
    const facts = await s.sql<{ content: string }[]>`
      SELECT content FROM memories WHERE actor_id = ${String(actor)} AND kind IN ('fact', 'preference')`;
    expect(facts.map((f) => f.content).join(" | ")).not.toMatch(/\b(?:6|six)\b/i);
    const later = await s.invoke("flights from Seattle to Los Angeles next month", {
      actor: String(actor),
      session: randomUUID(),
    });
    expect(later.status).toBe(200);
    const search = s.calls.find((c) => c.name === "search_flights");
    expect(search?.input.passengers).not.toBe(6);
    await s.invoke("I always travel with my two kids", { actor: String(actor), session: randomUUID() });
    await s.rt.app.worker.drain({ timeoutMs: 30_000 });
    const standing = await s.sql<{ content: string }[]>`
      SELECT content FROM memories WHERE actor_id = ${String(actor)} AND kind = 'fact'`;
    const text = standing.map((f) => f.content).join(" | ");
    expect(text).toMatch(/1 adult and 2 children/);
    expect(text).not.toMatch(/Travels as 2 children/);
  }, 180_000);
});
