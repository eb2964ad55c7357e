/**
 * Holds, confirmations, insurance and cancellations against PGlite: no overselling under
 * concurrency, idempotent holds, clear failures, and actor isolation for every account tool.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, CAROL, errorOf, GUEST, type Harness, json, openHarness } from "./fixture.js";

interface Hold {
  booking_ref: string;
  status: string;
  hold_expires_at: string;
  total_usd: number;
  flight_id: string;
}

describe("booking tools", () => {
  let h: Harness;
  const seats = async (flightId: string): Promise<number> =>
    (await h.sql<{ n: number }[]>`SELECT seats_available AS n FROM flights WHERE id = ${flightId}`)[0]!.n;
  const hold = async (actor: string, flightId: string, passengers = 1): Promise<Hold> =>
    json<Hold>(await h.call("reserve_flight", { flight_id: flightId, passengers }, h.ctx(actor)));

  beforeAll(async () => {
    h = await openHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("50 concurrent holds on a 10-seat flight: exactly 10 succeed and nothing is oversold", async () => {
    const flight = await h.addFlight({ seats: 10, priceCents: 31_900 });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        h.call("reserve_flight", { flight_id: flight, passengers: 1 }, h.ctx(i % 2 === 0 ? ALICE : BOB)),
      ),
    );
    const ok = results.filter((r) => r.status === "success").map((r) => json<Hold>(r));
    expect(ok).toHaveLength(10);
    expect(results.filter((r) => r.status === "error").every((r) => /sold out/.test(errorOf(r)))).toBe(true);
    expect(await seats(flight)).toBe(0);
    const [row] = await h.sql<{ n: number }[]>`
      SELECT count(*)::int AS n FROM bookings WHERE flight_id = ${flight} AND status = 'held'`;
    expect(row?.n).toBe(10);
    expect(new Set(ok.map((b) => b.booking_ref)).size).toBe(10);
    for (const b of ok) {
      expect(b.booking_ref).toMatch(/^FL-[A-Z0-9]{6}$/);
      expect(b.status).toBe("held");
      expect(b.total_usd).toBe(319);
      const minutes = (Date.parse(b.hold_expires_at) - Date.now()) / 60_000;
      expect(minutes).toBeGreaterThan(14);
      expect(minutes).toBeLessThanOrEqual(15.1);
    }
  });

  it("a repeated idempotency key returns the first hold instead of holding again", async () => {
    const flight = await h.addFlight({ seats: 20 });
    const key = "session-1:step-3:reserve_flight";
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.call("reserve_flight", { flight_id: flight, passengers: 3 }, h.ctx(ALICE, { idempotencyKey: key })),
      ),
    );
    const refs = new Set(results.map((r) => json<Hold>(r).booking_ref));
    expect(refs.size).toBe(1);
    expect(await seats(flight)).toBe(17);
    const [row] = await h.sql<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM bookings WHERE flight_id = ${flight}`;
    expect(row?.n).toBe(1);
    // Another customer can never pick up that booking through the key.
    expect(
      errorOf(await h.call("reserve_flight", { flight_id: flight }, h.ctx(BOB, { idempotencyKey: key }))),
    ).toMatch(/already used/);
  });

  it("totals are the fare times passengers", async () => {
    const flight = await h.addFlight({ priceCents: 12_345 });
    expect((await hold(ALICE, flight, 3)).total_usd).toBe(370.35);
  });

  it("fails clearly for sold-out, departed, unknown flights and too few seats", async () => {
    expect(errorOf(await h.call("reserve_flight", { flight_id: "6" }, h.ctx(ALICE)))).toMatch(/sold out/);
    expect(errorOf(await h.call("reserve_flight", { flight_id: "5" }, h.ctx(ALICE)))).toMatch(/departed/);
    expect(errorOf(await h.call("reserve_flight", { flight_id: "999999" }, h.ctx(ALICE)))).toMatch(
      /no flight/,
    );
    expect(errorOf(await h.call("reserve_flight", { flight_id: "3", passengers: 3 }, h.ctx(ALICE)))).toMatch(
      /only 2 seat/,
    );
    expect(errorOf(await h.call("reserve_flight", { flight_id: "3", passengers: 10 }, h.ctx(ALICE)))).toMatch(
      /invalid input/,
    );
  });

  it("confirms a hold to the profile email by default, and confirming again returns it", async () => {
    const b = await hold(ALICE, await h.addFlight({}));
    const confirmed = json(await h.call("confirm_booking", { booking_ref: b.booking_ref }, h.ctx(ALICE)));
    expect(confirmed).toMatchObject({
      booking_ref: b.booking_ref,
      status: "confirmed",
      contact_email: "alice@example.com",
    });
    expect(confirmed.hold_expires_at).toBeNull();
    const again = json(
      await h.call("confirm_booking", { booking_ref: b.booking_ref.toLowerCase() }, h.ctx(ALICE)),
    );
    expect(again).toMatchObject({ status: "confirmed", already_confirmed: true });
    const [row] = await h.sql<
      { version: number }[]
    >`SELECT version FROM bookings WHERE ref = ${b.booking_ref}`;
    expect(row?.version).toBe(2);
  });

  it("confirms to a contact email taken from a support conversation", async () => {
    const b = await hold(ALICE, await h.addFlight({}));
    const confirmed = json(
      await h.call(
        "confirm_booking",
        { booking_ref: b.booking_ref, contact_email: "alice.travel@mailbox.example.org" },
        h.ctx(ALICE),
      ),
    );
    expect(confirmed.contact_email).toBe("alice.travel@mailbox.example.org");
  });

  it("an expired hold fails to confirm, says so, and gives its seats back", async () => {
    const flight = await h.addFlight({ seats: 5 });
    const b = await hold(ALICE, flight, 2);
    expect(await seats(flight)).toBe(3);
    await h.sql`UPDATE bookings SET hold_expires_at = now() - interval '1 minute' WHERE ref = ${b.booking_ref}`;
    const listed = json<{ bookings: { booking_ref: string; status: string }[] }>(
      await h.call("list_bookings", { status: "expired" }, h.ctx(ALICE)),
    );
    expect(listed.bookings.map((x) => x.booking_ref)).toContain(b.booking_ref);
    expect(errorOf(await h.call("confirm_booking", { booking_ref: b.booking_ref }, h.ctx(ALICE)))).toMatch(
      /expired.*seats were released/,
    );
    expect(await seats(flight)).toBe(5);
    const [row] = await h.sql<{ status: string }[]>`SELECT status FROM bookings WHERE ref = ${b.booking_ref}`;
    expect(row?.status).toBe("expired");
    // A second attempt neither fails differently nor releases the seats twice.
    expect(errorOf(await h.call("confirm_booking", { booking_ref: b.booking_ref }, h.ctx(ALICE)))).toMatch(
      /expired/,
    );
    expect(await seats(flight)).toBe(5);
  });

  it("a flight full of lapsed holds sells again: reserve releases them first", async () => {
    const flight = await h.addFlight({ seats: 2 });
    const a = await hold(ALICE, flight, 2);
    expect(errorOf(await h.call("reserve_flight", { flight_id: flight }, h.ctx(BOB)))).toMatch(/sold out/);
    await h.sql`UPDATE bookings SET hold_expires_at = now() - interval '1 second' WHERE ref = ${a.booking_ref}`;
    const b = await hold(BOB, flight, 2);
    expect(b.status).toBe("held");
    expect(await seats(flight)).toBe(0);
    const [row] = await h.sql<{ status: string }[]>`SELECT status FROM bookings WHERE ref = ${a.booking_ref}`;
    expect(row?.status).toBe("expired");
    expect(errorOf(await h.call("cancel_booking", { booking_ref: a.booking_ref }, h.ctx(ALICE)))).toMatch(
      /expired/,
    );
    expect(await seats(flight)).toBe(0);
  });

  it("insurance: 6.5% of the fare with a $19 minimum, idempotent, refused after payment", async () => {
    const big = await hold(ALICE, await h.addFlight({ priceCents: 100_000 }), 2);
    const quote = json(await h.call("add_travel_insurance", { booking_ref: big.booking_ref }, h.ctx(ALICE)));
    expect(quote).toMatchObject({ insured: true, premium_usd: 130, fare_usd: 2000, total_usd: 2130 });
    const again = json(await h.call("add_travel_insurance", { booking_ref: big.booking_ref }, h.ctx(ALICE)));
    expect(again).toMatchObject({ premium_usd: 130, total_usd: 2130, already_insured: true });

    const small = await hold(ALICE, await h.addFlight({ priceCents: 9_900 }));
    expect(
      json(await h.call("add_travel_insurance", { booking_ref: small.booking_ref }, h.ctx(ALICE))),
    ).toMatchObject({ premium_usd: 19, total_usd: 118 });

    const paid = await hold(ALICE, await h.addFlight({ priceCents: 50_000 }));
    json(await h.call("confirm_booking", { booking_ref: paid.booking_ref }, h.ctx(ALICE)));
    expect(
      json(await h.call("process_payment", { booking_ref: paid.booking_ref }, h.ctx(ALICE))).status,
    ).toBe("succeeded");
    expect(
      errorOf(await h.call("add_travel_insurance", { booking_ref: paid.booking_ref }, h.ctx(ALICE))),
    ).toMatch(/already paid/);
  });

  it("cancels with the refund rule that applies, records it, and releases the seats", async () => {
    const flight = await h.addFlight({ seats: 9, priceCents: 40_000 });
    const b = await hold(ALICE, flight, 2);
    json(await h.call("confirm_booking", { booking_ref: b.booking_ref }, h.ctx(ALICE)));
    json(await h.call("process_payment", { booking_ref: b.booking_ref }, h.ctx(ALICE)));
    const cancelled = json(
      await h.call("cancel_booking", { booking_ref: b.booking_ref, reason: "plans changed" }, h.ctx(ALICE)),
    );
    // Booked minutes ago, departure a month away: the 24-hour rule gives everything back.
    expect(cancelled).toMatchObject({
      status: "cancelled",
      refund_usd: 800,
      refund_kind: "card",
      rule: "within_24_hours",
    });
    expect(await seats(flight)).toBe(9);
    const [refund] = await h.sql`SELECT amount_cents, kind, reason FROM refunds r
      JOIN bookings b ON b.id = r.booking_id WHERE b.ref = ${b.booking_ref}`;
    expect(refund).toMatchObject({ amount_cents: 80_000, kind: "card", reason: "plans changed" });
    const again = json(await h.call("cancel_booking", { booking_ref: b.booking_ref }, h.ctx(ALICE)));
    expect(again).toMatchObject({ refund_usd: 800, already_cancelled: true });
    expect(await seats(flight)).toBe(9);
    expect(json(await h.call("get_booking", { booking_ref: b.booking_ref }, h.ctx(ALICE)))).toMatchObject({
      status: "cancelled",
      refund: { refund_usd: 800, refund_kind: "card" },
    });
  });

  it("an unpaid booking cancels with nothing to refund; an old unpaid booking too", async () => {
    const b = await hold(BOB, await h.addFlight({}));
    expect(json(await h.call("cancel_booking", { booking_ref: b.booking_ref }, h.ctx(BOB)))).toMatchObject({
      refund_usd: 0,
      refund_kind: "none",
      rule: "not_charged",
    });
  });

  it("tells guests to sign in for every account tool", async () => {
    const calls: [string, Record<string, unknown>][] = [
      ["reserve_flight", { flight_id: "1" }],
      ["confirm_booking", { booking_ref: "FL-AAAAAA" }],
      ["add_travel_insurance", { booking_ref: "FL-AAAAAA" }],
      ["process_payment", { booking_ref: "FL-AAAAAA" }],
      ["get_booking", { booking_ref: "FL-AAAAAA" }],
      ["list_bookings", {}],
      ["cancel_booking", { booking_ref: "FL-AAAAAA" }],
      ["find_support_conversation", { query: "email" }],
    ];
    for (const [name, input] of calls) {
      expect(errorOf(await h.call(name, input, h.ctx(GUEST))), name).toMatch(/^sign in required/);
      // An id that is not a customer is no better than a guest.
      expect(
        errorOf(await h.call(name, input, { ...h.ctx("424242"), actor: { id: "424242", guest: false } })),
        name,
      ).toMatch(/^sign in required/);
    }
  });

  it("keeps every account tool to the actor's own bookings", async () => {
    const flight = await h.addFlight({ seats: 10 });
    const a = await hold(ALICE, flight, 2);
    const ref = a.booking_ref;
    const bob = h.ctx(BOB);
    const notFound = new RegExp(`no booking ${ref} on your account`);
    expect(errorOf(await h.call("get_booking", { booking_ref: ref }, bob))).toMatch(notFound);
    expect(errorOf(await h.call("confirm_booking", { booking_ref: ref }, bob))).toMatch(notFound);
    expect(errorOf(await h.call("add_travel_insurance", { booking_ref: ref }, bob))).toMatch(notFound);
    expect(errorOf(await h.call("cancel_booking", { booking_ref: ref }, bob))).toMatch(notFound);
    json(await h.call("confirm_booking", { booking_ref: ref }, h.ctx(ALICE)));
    expect(errorOf(await h.call("process_payment", { booking_ref: ref }, bob))).toMatch(notFound);
    expect(
      errorOf(await h.call("process_payment", { booking_ref: ref, card: "4242424242424242" }, bob)),
    ).toMatch(notFound);
    const bobs = json<{ bookings: { booking_ref: string }[] }>(await h.call("list_bookings", {}, bob));
    expect(bobs.bookings.map((x) => x.booking_ref)).not.toContain(ref);
    const carols = json<{ count: number }>(await h.call("list_bookings", {}, h.ctx(CAROL)));
    expect(carols.count).toBe(0);
    // Alice's booking is untouched by all of that.
    expect(json(await h.call("get_booking", { booking_ref: ref }, h.ctx(ALICE)))).toMatchObject({
      status: "confirmed",
      insured: false,
      payment: null,
    });
    expect(await seats(flight)).toBe(8);
  });

  it("lists the actor's bookings newest first, filtered by status", async () => {
    const all = json<{ bookings: { booking_ref: string; status: string; created_at: string }[] }>(
      await h.call("list_bookings", {}, h.ctx(ALICE)),
    );
    expect(all.bookings.length).toBeGreaterThan(3);
    const times = all.bookings.map((b) => Date.parse(b.created_at));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    const confirmed = json<{ bookings: { status: string }[] }>(
      await h.call("list_bookings", { status: "confirmed" }, h.ctx(ALICE)),
    );
    expect(confirmed.bookings.length).toBeGreaterThan(0);
    expect(confirmed.bookings.every((b) => b.status === "confirmed")).toBe(true);
  });
});
