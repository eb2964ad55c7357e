/**
 * A one-stop connection reserved as one booking (`reserve_flight` with `connecting_flight_id`):
 * seats taken on both legs or on neither, the legs' fares added up for the party, one reference
 * that insurance, payment and cancellation treat as the whole trip, and every leg's seats back
 * when the booking ends.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, D, errorOf, type Harness, json, openHarness } from "./fixture.js";

interface Hold {
  booking_ref: string;
  total_usd: number;
  destination: string;
  connecting_flight_id?: string;
  via?: string;
}

describe("reserve_flight with a connection", () => {
  let h: Harness;
  const seats = async (id: string): Promise<number> =>
    (await h.sql<{ n: number }[]>`SELECT seats_available AS n FROM flights WHERE id = ${id}`)[0]!.n;
  // Seattle → Los Angeles lands 16:30 UTC; LAX → HNL IA602 (fixture id 7) leaves 19:00.
  const feeder = () =>
    h.addFlight({
      origin: "SEA",
      destination: "LAX",
      departAt: `${D}T14:00:00Z`,
      minutes: 150,
      priceCents: 12_000,
      seats: 20,
    });

  beforeAll(async () => {
    h = await openHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("holds both legs as one booking priced at the legs' fares for the party", async () => {
    const first = await feeder();
    const [a, b] = [await seats(first), await seats("7")];
    const hold = json<Hold>(
      await h.call(
        "reserve_flight",
        { flight_id: first, connecting_flight_id: "7", passengers: 2 },
        h.ctx(ALICE),
      ),
    );
    expect(hold).toMatchObject({
      total_usd: (120 + 450) * 2,
      destination: "HNL",
      via: "LAX",
      connecting_flight_id: "7",
    });
    expect([await seats(first), await seats("7")]).toEqual([a - 2, b - 2]);
    const legs = await h.sql<{ leg: number; flight_id: string }[]>`
      SELECT l.leg, l.flight_id::text AS flight_id FROM booking_legs l JOIN bookings b ON b.id = l.booking_id
      WHERE b.ref = ${hold.booking_ref}`;
    expect(legs).toEqual([{ leg: 2, flight_id: "7" }]);
    const view = json<{ legs: { flight_id: string }[]; origin: string; destination: string }>(
      await h.call("get_booking", { booking_ref: hold.booking_ref }, h.ctx(ALICE)),
    );
    expect(view.legs.map((l) => l.flight_id)).toEqual([first, "7"]);
    expect([view.origin, view.destination]).toEqual(["SEA", "HNL"]);
  });

  it("insurance, payment and cancellation apply to the whole trip; cancelling gives both legs' seats back", async () => {
    const first = await feeder();
    const hold = json<Hold>(
      await h.call(
        "reserve_flight",
        { flight_id: first, connecting_flight_id: "7", passengers: 1 },
        h.ctx(ALICE),
      ),
    );
    const [a, b] = [await seats(first), await seats("7")];
    const insured = json<{ premium_usd: number; total_usd: number }>(
      await h.call("add_travel_insurance", { booking_ref: hold.booking_ref }, h.ctx(ALICE)),
    );
    expect(insured.premium_usd).toBe(Math.round(57_000 * 0.065) / 100);
    await h.call("confirm_booking", { booking_ref: hold.booking_ref }, h.ctx(ALICE));
    const paid = json<{ amount_usd: number }>(
      await h.call("process_payment", { booking_ref: hold.booking_ref }, h.ctx(ALICE)),
    );
    expect(paid.amount_usd).toBe(insured.total_usd);
    json(await h.call("cancel_booking", { booking_ref: hold.booking_ref }, h.ctx(ALICE)));
    expect([await seats(first), await seats("7")]).toEqual([a + 1, b + 1]);
  });

  it("a second leg without the seats takes nothing from the first", async () => {
    const first = await feeder();
    const full = await h.addFlight({
      origin: "LAX",
      destination: "HNL",
      departAt: `${D}T18:30:00Z`,
      seats: 1,
    });
    const before = await seats(first);
    const refused = await h.call(
      "reserve_flight",
      { flight_id: first, connecting_flight_id: full, passengers: 2 },
      h.ctx(BOB),
    );
    expect(errorOf(refused)).toMatch(/only 1 seat/);
    expect(await seats(first)).toBe(before);
    expect(await seats(full)).toBe(1);
    expect(await h.sql`SELECT 1 FROM bookings WHERE customer_id = ${BOB}`).toHaveLength(0);
  });

  it("refuses flights that do not connect (wrong airport, too short or too long a stop)", async () => {
    const first = await feeder();
    const tooSoon = await h.addFlight({ origin: "LAX", destination: "HNL", departAt: `${D}T16:50:00Z` });
    for (const [second, why] of [
      ["1", /does not leave from where/],
      [tooSoon, /1 to 8 hours/],
    ] as const) {
      const r = await h.call(
        "reserve_flight",
        { flight_id: first, connecting_flight_id: second },
        h.ctx(BOB),
      );
      expect(errorOf(r)).toMatch(why);
    }
    expect(await h.sql`SELECT 1 FROM bookings WHERE customer_id = ${BOB}`).toHaveLength(0);
  });

  it("a lapsed connecting hold gives back the seats of both legs", async () => {
    const first = await feeder();
    const second = await h.addFlight({
      origin: "LAX",
      destination: "HNL",
      departAt: `${D}T19:30:00Z`,
      seats: 2,
    });
    const hold = json<Hold>(
      await h.call(
        "reserve_flight",
        { flight_id: first, connecting_flight_id: second, passengers: 2 },
        h.ctx(ALICE),
      ),
    );
    const firstAfterHold = await seats(first);
    expect(await seats(second)).toBe(0);
    await h.sql`UPDATE bookings SET hold_expires_at = now() - interval '1 minute' WHERE ref = ${hold.booking_ref}`;
    // The second leg looks full: reserving it releases lapsed holds on it, the connecting one too.
    json(await h.call("reserve_flight", { flight_id: second, passengers: 1 }, h.ctx(BOB)));
    expect(await seats(second)).toBe(1);
    expect(await seats(first)).toBe(firstAfterHold + 2);
    const [row] = await h.sql<
      { status: string }[]
    >`SELECT status FROM bookings WHERE ref = ${hold.booking_ref}`;
    expect(row!.status).toBe("expired");
  });
});
