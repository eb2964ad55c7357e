/**
 * Booking a listed connection through the whole pipeline: a route with no non-stop flight lists
 * one-stop connections; "book the first one" then holds both legs as one booking for the party at
 * the listed total, and the insurance and payment asked for next cover the whole trip. Another
 * customer's cached answer listing those legs is dropped when their seats are taken. The checks
 * read the database and the trail; the prompts are worded for this file.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMemoryRecords } from "../../memory/referents.js";
import { type Scenario, startScenario } from "./harness.js";

interface Leg {
  flight_id: string;
  seats_available: number;
}
interface Listed {
  legs: [Leg, Leg];
  price_usd: number;
}

/** A month ahead: Seattle → Las Vegas has no non-stop flight in the world, only connections. */
const DAY = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);

describe("booking a listed connection", () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario("local");
  });
  afterAll(async () => {
    await s?.close();
  });

  const seats = async (id: string): Promise<number> =>
    (await s.sql<{ n: number }[]>`SELECT seats_available AS n FROM flights WHERE id = ${id}`)[0]!.n;

  /** The connections the last turn listed. */
  function listedConnections(): Listed[] {
    const search = s.calls.filter((c) => c.name === "search_flights" && c.status === "success").at(-1);
    return (search?.json as { connections?: Listed[] } | undefined)?.connections ?? [];
  }

  it("'book the first one' holds both legs as one booking; insurance and payment cover the trip", async () => {
    const [row] = await s.sql<{ id: number }[]>`
      SELECT c.id::int AS id FROM customers c
      WHERE NOT EXISTS (SELECT 1 FROM bookings b WHERE b.customer_id = c.id)
        AND coalesce(c.profile->'avoid_airlines', '[]'::jsonb) = '[]'::jsonb
      ORDER BY c.id LIMIT 1`;
    const actor = row!.id;
    const who = String(actor);
    // Another customer's answer listing the same connections, cached before the booking.
    const watcher = "7";
    const watch = `any way to fly Seattle to Las Vegas on ${DAY}?`;
    await s.invoke(watch, { actor: watcher, session: randomUUID() });
    const watched = await s.invoke(watch, { actor: watcher, session: randomUUID() });
    expect(watched.body.cache.hit).toBe(true);

    const session = randomUUID();
    const listed = await s.invoke(`I need to get from Seattle to Las Vegas on ${DAY}`, {
      actor: who,
      session,
    });
    expect(listed.status).toBe(200);
    const connections = listedConnections();
    expect(connections.length).toBeGreaterThan(0);
    const first = connections[0]!;
    const before = [await seats(first.legs[0].flight_id), await seats(first.legs[1].flight_id)];

    const res = await s.invoke("book the first one", { actor: who, session });
    expect(res.status).toBe(200);
    const reserve = s.calls.filter((c) => c.name === "reserve_flight");
    expect(reserve).toHaveLength(1);
    expect(reserve[0]!.input).toMatchObject({
      flight_id: first.legs[0].flight_id,
      connecting_flight_id: first.legs[1].flight_id,
    });
    const party = reserve[0]!.input.passengers as number;
    expect(s.calls.map((c) => c.name)).toContain("confirm_booking");
    const booked = await s.sql<
      { id: string; ref: string; status: string; total_cents: number; flight_id: string }[]
    >`
      SELECT id::text AS id, ref, status, total_cents, flight_id::text AS flight_id FROM bookings
      WHERE customer_id = ${actor}`;
    expect(booked).toHaveLength(1);
    const booking = booked[0]!;
    expect(booking).toMatchObject({ status: "confirmed", flight_id: first.legs[0].flight_id });
    expect(booking.total_cents).toBe(Math.round(first.price_usd * 100) * party);
    const legs = await s.sql<{ flight_id: string }[]>`
      SELECT flight_id::text AS flight_id FROM booking_legs WHERE booking_id = ${booking.id}`;
    expect(legs).toEqual([{ flight_id: first.legs[1].flight_id }]);
    expect([await seats(first.legs[0].flight_id), await seats(first.legs[1].flight_id)]).toEqual(
      before.map((n) => n - party),
    );

    // "There" in a later request points at where the trip ends, not at the stop.
    const records = await readMemoryRecords(s.sql, who);
    expect(records.find((r) => r.ref === booking.ref)?.iata).toBe("LAS");

    // The other customer's cached listing offered those seats: it is gone.
    const rewatched = await s.invoke(watch, { actor: watcher, session: randomUUID() });
    expect(rewatched.body.cache.hit).toBe(false);

    await s.invoke("add travel protection to it", { actor: who, session });
    expect(s.calls.find((c) => c.name === "add_travel_insurance")?.input).toMatchObject({
      booking_ref: booking.ref,
    });
    const [insured] = await s.sql<{ insured: boolean; insurance_cents: number; total_cents: number }[]>`
      SELECT insured, insurance_cents, total_cents FROM bookings WHERE id = ${booking.id}`;
    expect(insured!.insured).toBe(true);
    expect(insured!.insurance_cents).toBe(Math.max(1_900, Math.round(booking.total_cents * 0.065)));

    await s.invoke("now charge it to my card on file", { actor: who, session });
    const payments = await s.sql<{ amount_cents: number }[]>`
      SELECT amount_cents FROM payments WHERE booking_id = ${booking.id} AND status = 'succeeded'`;
    expect(payments).toEqual([{ amount_cents: insured!.total_cents }]);
  });
});
