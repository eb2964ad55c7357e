/**
 * Hotel stays through the whole pipeline: a stay the customer booked shows in their bookings, is
 * cancelled by its reference, by "my hotel" or by "that booking" right after it was made (nothing
 * refunded: it was to be paid at the hotel), never by another customer, and a cancellation drops
 * the cached answer about the customer's bookings. The checks read the database and the trail;
 * the prompts are worded for this file.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Scenario, startScenario } from "./harness.js";

interface StayRow {
  ref: string;
  status: string;
}

describe("hotel stays in my bookings", () => {
  let s: Scenario;
  let fresh: number[];

  /** Books the cheapest hotel of a listed city for the actor in a new session; returns the stay and session. */
  async function bookStay(actor: number, city: string): Promise<{ ref: string; session: string }> {
    const session = randomUUID();
    await s.invoke(`hotels in ${city} for 3 nights next month, please`, { actor: String(actor), session });
    expect(s.calls.map((c) => c.name)).toContain("search_hotels");
    const found = s.calls.find((c) => c.name === "search_hotels")!.json as { count: number };
    expect(found.count).toBeGreaterThan(0);
    await s.invoke("the cheapest of those, book it", { actor: String(actor), session });
    expect(s.calls.map((c) => c.name)).toEqual(["book_hotel"]);
    const [stay] = await s.sql<StayRow[]>`
      SELECT ref, status FROM hotel_bookings WHERE customer_id = ${actor} ORDER BY id DESC LIMIT 1`;
    expect(stay?.status).toBe("confirmed");
    return { ref: stay!.ref, session };
  }

  const status = async (ref: string): Promise<string | undefined> =>
    (await s.sql<StayRow[]>`SELECT ref, status FROM hotel_bookings WHERE ref = ${ref}`)[0]?.status;

  beforeAll(async () => {
    s = await startScenario("local");
    const rows = await s.sql<{ id: number }[]>`
      SELECT c.id::int AS id FROM customers c
      WHERE NOT EXISTS (SELECT 1 FROM bookings b WHERE b.customer_id = c.id)
        AND NOT EXISTS (SELECT 1 FROM hotel_bookings h WHERE h.customer_id = c.id)
        -- A nightly budget from the profile could leave a city with no hotel to book.
        AND coalesce((c.profile->>'budget_per_night_usd')::numeric, 1000) >= 300
      ORDER BY c.id LIMIT 4`;
    fresh = rows.map((r) => r.id);
    expect(fresh).toHaveLength(4);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("the stay shows in my bookings, and 'cancel that booking' right after cancels it with no refund", async () => {
    const actor = fresh[0]!;
    const { ref, session } = await bookStay(actor, "Honolulu");

    const listed = await s.invoke("what have I got booked? show me my reservations", {
      actor: String(actor),
      session: randomUUID(),
    });
    expect(listed.status).toBe(200);
    const list = s.calls.find((c) => c.name === "list_bookings");
    expect(list?.status).toBe("success");
    const stays = (list!.json as { bookings: Record<string, unknown>[] }).bookings;
    expect(stays.find((b) => b.booking_ref === ref)).toMatchObject({ kind: "hotel", status: "confirmed" });
    expect(listed.body.response).toContain(ref);

    const res = await s.invoke("actually, cancel that booking", { actor: String(actor), session });
    expect(res.status).toBe(200);
    const cancels = s.calls.filter((c) => c.name === "cancel_booking");
    expect(cancels).toHaveLength(1);
    expect(cancels[0]!.input).toMatchObject({ booking_ref: ref });
    expect(cancels[0]!.status).toBe("success");
    expect(await status(ref)).toBe("cancelled");
    // Nothing was charged, so nothing is refunded: no refund row, no refund in the result.
    expect(cancels[0]!.json).not.toHaveProperty("refund_usd");
    expect(res.body.response).not.toMatch(/refund:/i);

    const again = await s.invoke(`please cancel ${ref}`, { actor: String(actor), session: randomUUID() });
    expect(again.status).toBe(200);
    const second = s.calls.find((c) => c.name === "cancel_booking");
    expect(second?.json).toMatchObject({ booking_ref: ref, already_cancelled: true });
    expect(again.body.response).toMatch(/already cancelled/i);
  });

  it("'cancel my hotel' keeps to the stay when a flight is booked too", async () => {
    const actor = fresh[1]!;
    const { ref } = await bookStay(actor, "Tokyo");
    const session = randomUUID();
    await s.invoke("flights from Seattle to Los Angeles next month", { actor: String(actor), session });
    await s.invoke("book the cheapest one", { actor: String(actor), session });
    const [flight] = await s.sql<{ ref: string; status: string }[]>`
      SELECT ref, status FROM bookings WHERE customer_id = ${actor}`;
    expect(flight).toBeDefined();

    const res = await s.invoke("I won't need the room any more, cancel my hotel", {
      actor: String(actor),
      session: randomUUID(),
    });
    expect(res.status).toBe(200);
    expect(s.calls.map((c) => c.name)).not.toContain("search_hotels");
    const cancels = s.calls.filter((c) => c.name === "cancel_booking");
    expect(cancels.map((c) => c.input.booking_ref)).toEqual([ref]);
    expect(await status(ref)).toBe("cancelled");
    const [after] = await s.sql<{ status: string }[]>`SELECT status FROM bookings WHERE ref = ${flight!.ref}`;
    expect(after!.status).toBe(flight!.status);
  });

  it("with one live booking, a stay, 'cancel my booking' cancels it without asking which", async () => {
    const actor = fresh[2]!;
    const { ref } = await bookStay(actor, "Honolulu");
    const res = await s.invoke("please cancel my booking", { actor: String(actor), session: randomUUID() });
    expect(res.status).toBe(200);
    expect(s.calls.filter((c) => c.name === "cancel_booking").map((c) => c.input.booking_ref)).toEqual([ref]);
    expect(await status(ref)).toBe("cancelled");
  });

  it("another customer can neither list nor cancel the stay", async () => {
    const owner = fresh[3]!;
    const other = fresh[2]!;
    const { ref } = await bookStay(owner, "Tokyo");

    const res = await s.invoke(`cancel ${ref} for me`, { actor: String(other), session: randomUUID() });
    expect(res.status).toBe(200);
    const tried = s.calls.filter((c) => c.name === "cancel_booking");
    expect(tried.every((c) => c.status === "error")).toBe(true);
    expect(await status(ref)).toBe("confirmed");

    await s.invoke("show me my bookings", { actor: String(other), session: randomUUID() });
    const list = s.calls.find((c) => c.name === "list_bookings");
    expect(list?.status).toBe("success");
    const refs = (list!.json as { bookings: { booking_ref: string }[] }).bookings.map((b) => b.booking_ref);
    expect(refs).not.toContain(ref);
  });

  it("a cancelled stay drops the cached answer about my bookings", async () => {
    const actor = fresh[3]!;
    const [stay] = await s.sql<StayRow[]>`
      SELECT ref, status FROM hotel_bookings WHERE customer_id = ${actor} AND status = 'confirmed' LIMIT 1`;
    expect(stay).toBeDefined();
    const ask = "list my bookings";
    // The memory worker's writes for this customer's earlier turns drop their cached answers too:
    // let it finish, then ask until an answer is kept (a write racing the first ask keeps it out).
    await s.rt.app.worker.drain({ timeoutMs: 30_000 });
    let stored = false;
    for (let i = 0; i < 3 && !stored; i++) {
      const first = await s.invoke(ask, { actor: String(actor), session: randomUUID() });
      expect(first.body.cache.hit).toBe(false);
      stored = (first.body.cache as { store?: { stored: boolean } }).store?.stored === true;
    }
    expect(stored).toBe(true);
    const repeat = await s.invoke(ask, { actor: String(actor), session: randomUUID() });
    expect(repeat.body.cache.hit).toBe(true);

    await s.invoke(`cancel ${stay!.ref}`, { actor: String(actor), session: randomUUID() });
    expect(await status(stay!.ref)).toBe("cancelled");

    const after = await s.invoke(ask, { actor: String(actor), session: randomUUID() });
    expect(after.body.cache.hit).toBe(false);
    const list = s.calls.find((c) => c.name === "list_bookings");
    const listed = (list!.json as { bookings: { booking_ref: string; status: string }[] }).bookings;
    expect(listed.find((b) => b.booking_ref === stay!.ref)?.status).toBe("cancelled");
  });
  it("'ok, cancel that' right after booking a stay cancels that stay, not a help-centre search", async () => {
    const actor = fresh[1]!;
    const { ref, session } = await bookStay(actor, "Tokyo");
    await s.invoke("ok, cancel that", { actor: String(actor), session });
    const cancels = s.calls.filter((c) => c.name === "cancel_booking");
    expect(cancels.map((c) => c.input.booking_ref)).toEqual([ref]);
    expect(s.calls.map((c) => c.name)).not.toContain("search_knowledge_base");
    expect(await status(ref)).toBe("cancelled");
  });
  it("'anything coming up?' lists a stay ahead, not only flights", async () => {
    const actor = fresh[0]!;
    const { ref } = await bookStay(actor, "Lisbon");
    const res = await s.invoke("have we got anything coming up?", {
      actor: String(actor),
      session: randomUUID(),
    });
    expect(s.calls.map((c) => c.name)).toContain("list_bookings");
    expect(res.body.response).toContain(ref);
  });
});
