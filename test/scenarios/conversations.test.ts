/**
 * Multi-turn scenarios on the real stack, with the local planner and over Bedrock: follow-ups in
 * one session, personalisation from what the customer said, memory across sessions, the shared
 * policy cache, no answer crossing customers, and a crash between booking and payment.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODES, type Scenario, startScenario, trail } from "./harness.js";

describe.each(MODES)("conversations (%s)", (mode) => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(mode);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("follows up in one session: search, book the cheapest but not Island Air, then hotels there", async () => {
    const actor = "7";
    const session = randomUUID();
    const search = await s.invoke("find flights from Seattle to Tokyo in June", { actor, session });
    expect(trail(search)).toEqual(["booking"]);
    const searchCall = s.calls.find((c) => c.name === "search_flights")!;
    expect(searchCall.input).toMatchObject({ origin: "SEA" });
    expect(["NRT", "HND"]).toContain(searchCall.input.destination);
    const found = (
      searchCall.json as { flights: { flight_id: string; airline: string; price_usd: number }[] }
    ).flights;
    expect(found.length).toBeGreaterThan(0);

    const book = await s.invoke("book the cheapest, but not Island Air", { actor, session });
    expect(book.status).toBe(200);
    expect(trail(book)).toContain("booking");
    const reserve = s.calls.find((c) => c.name === "reserve_flight" && c.status === "success")!;
    expect(reserve).toBeDefined();
    const [booked] = await s.sql<
      { airline: string; price_cents: number; origin: string; destination: string }[]
    >`
      SELECT f.airline, f.price_cents, f.origin, f.destination FROM bookings b JOIN flights f ON f.id = b.flight_id
      WHERE b.ref = ${(reserve.json as { booking_ref: string }).booking_ref} AND b.customer_id = 7`;
    expect(booked?.airline).not.toBe("IA");
    expect(booked?.origin).toBe("SEA");
    const cheapest = Math.min(...found.filter((f) => f.airline !== "Island Air").map((f) => f.price_usd));
    expect(booked!.price_cents / 100).toBe(cheapest);

    const hotels = await s.invoke("what about hotels there?", { actor, session });
    expect(trail(hotels)).toEqual(["booking"]);
    const hotelCall = s.calls.find((c) => c.name === "search_hotels")!;
    expect(String(hotelCall.input.city)).toMatch(/NRT|HND|Tokyo/i);
  });

  it("personalises from what the customer said, remembers it in a new session, and only for them", async () => {
    const actor = "20";
    const other = "21";
    const first = await s.invoke("we're a family of four, kids 4 and 8, budget $300 a night, window seats", {
      actor,
      session: randomUUID(),
    });
    expect(first.status).toBe(200);
    await s.rt.app.worker.drain({ timeoutMs: 30_000 });

    const memories = await s.rt.app.memory.recall(actor, "budget per night and children", 10);
    const text = memories.map((m) => m.content).join(" | ");
    expect(text).toMatch(/300/);
    expect(text).toMatch(/4.*8|8.*4/);
    expect(await s.rt.app.memory.recall(other, "budget per night and children", 10)).not.toEqual(
      expect.arrayContaining([expect.objectContaining({ content: expect.stringMatching(/300/) })]),
    );

    const hotels = await s.invoke("find a hotel in Honolulu", { actor, session: randomUUID() });
    const call = s.calls.find((c) => c.name === "search_hotels")!;
    expect(call.input).toMatchObject({ max_price_per_night_usd: 300, guests: 4 });
    expect(hotels.body.response).toMatch(/300/);

    const stranger = await s.invoke("find a hotel in Honolulu", { actor: other, session: randomUUID() });
    expect(stranger.status).toBe(200);
    const strangerCall = s.calls.find((c) => c.name === "search_hotels")!;
    expect(strangerCall.input.max_price_per_night_usd).not.toBe(300);
  });

  it("answers a policy question for a second customer from the cache, with no model call", async () => {
    const prompt = `What is the policy for travelling with a pet in the cabin? (${mode})`;
    const first = await s.invoke(prompt, { actor: "30" });
    expect(first.body.cache.hit).toBe(false);
    expect(first.body.usage.modelCalls).toBeGreaterThan(0);
    const calls = s.modelCalls();
    const second = await s.invoke(prompt, { actor: "31" });
    expect(second.body.cache).toMatchObject({ hit: true, kind: "exact" });
    expect(second.body.cache).not.toHaveProperty("matched_prompt"); // the first customer's words
    expect(second.body.response).toBe(first.body.response);
    expect(second.body.agents).toEqual([]);
    expect(s.modelCalls()).toBe(calls);
  });

  it("drops a cached policy answer when the policy changes", async () => {
    const prompt = `Are pets allowed in the cabin? (${mode} update)`;
    const first = await s.invoke(prompt, { actor: "32" });
    expect(first.status).toBe(200);
    expect((await s.invoke(prompt, { actor: "33" })).body.cache.hit).toBe(true);
    const docs = await s.sql<
      { slug: string; title: string; body: string; kind: "policy" | "faq"; topic: string }[]
    >`
      SELECT slug, title, body, kind, topic FROM knowledge_documents WHERE topic = 'pets'`;
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) {
      expect(
        await s.rt.app.updateKnowledge({
          ...d,
          body: `Updated rule: cabin pets now cost $99 each way. ${d.body}`,
        }),
      ).toBe(true);
    }
    const after = await s.invoke(prompt, { actor: "34" });
    expect(after.body.cache.hit).toBe(false);
    expect(after.body.response).toContain("$99");
  });

  it("never serves one customer's answer to another", async () => {
    const prompt = "Show me my bookings";
    const a = await s.invoke(prompt, { actor: "1" });
    expect(a.status).toBe(200);
    const refs = (await s.sql<{ ref: string }[]>`SELECT ref FROM bookings WHERE customer_id = 1`).map(
      (r) => r.ref,
    );
    const b = await s.invoke(prompt, { actor: "40" });
    expect(b.body.cache.hit).toBe(false);
    for (const ref of refs) expect(b.body.response).not.toContain(ref);
    const again = await s.invoke(prompt, { actor: "40" });
    for (const ref of refs) expect(again.body.response).not.toContain(ref);
  });

  it("resumes after a crash between booking and payment and pays exactly once", async () => {
    const actor = "4";
    const session = randomUUID();
    await s.invoke("find flights from Seattle to Tokyo in June", { actor, session });
    const key = `crash-${mode}-${randomUUID()}`;
    const prompt =
      "Add travel insurance before you book my flight, and use the email from our support conversation";
    // The process "dies" in the payment step: its first side effect throws before doing anything.
    const origin = s.rt.app.tools.get("add_travel_insurance")!;
    let failOnce = true;
    s.rt.app.tools.set("add_travel_insurance", {
      ...origin,
      run: async (input, ctx) => {
        if (failOnce) {
          failOnce = false;
          throw new Error("process died");
        }
        return origin.run(input, ctx);
      },
      sideEffect: true,
    });
    const crashed = await s.invoke(prompt, { actor, session, idempotencyKey: key });
    expect(crashed.status).toBe(500);
    s.rt.app.tools.set("add_travel_insurance", origin);
    const held = await s.sql<
      { id: string; status: string }[]
    >`SELECT id, status FROM bookings WHERE customer_id = 4`;
    expect(held.length).toBe(1);
    expect(held[0]!.status).toBe("confirmed");
    expect((await s.sql`SELECT 1 FROM payments WHERE booking_id = ${held[0]!.id}`).length).toBe(0);

    const resumed = await s.invoke(prompt, { actor, session, idempotencyKey: key });
    expect(resumed.status).toBe(200);
    expect(trail(resumed)).toEqual(["support", "booking", "payment"]);
    expect(s.calls.map((c) => c.name)).not.toContain("reserve_flight");
    const bookings = await s.sql<{ id: string; insured: boolean; total_cents: number }[]>`
      SELECT id, insured, total_cents FROM bookings WHERE customer_id = 4`;
    expect(bookings.length).toBe(1);
    expect(bookings[0]!.insured).toBe(true);
    const payments = await s.sql<{ amount_cents: number }[]>`
      SELECT amount_cents FROM payments WHERE booking_id = ${bookings[0]!.id} AND status = 'succeeded'`;
    expect(payments).toEqual([{ amount_cents: bookings[0]!.total_cents }]);
  });
});
