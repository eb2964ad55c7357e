/**
 * `book_hotel` against the fixture world: the stay's total is the nightly rate times the nights,
 * a repeated request books once, and guests, past dates, unknown hotels and another customer's
 * request key are refused with nothing written.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, D, errorOf, GUEST, type Harness, json, openHarness } from "./fixture.js";

interface Stay {
  hotel_booking_ref: string;
  status: string;
  hotel: string;
  check_in: string;
  nights: number;
  guests: number;
  total_usd: number;
  replayed?: boolean;
}

describe("book_hotel", () => {
  let h: Harness;
  const stays = async (customer: string): Promise<number> =>
    (
      await h.sql<
        { n: number }[]
      >`SELECT count(*)::int AS n FROM hotel_bookings WHERE customer_id = ${customer}`
    )[0]!.n;

  beforeAll(async () => {
    h = await openHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("books a stay for the signed-in customer: nightly rate × nights, paid at the hotel", async () => {
    const before = await stays(ALICE);
    const stay = json<Stay>(
      await h.call("book_hotel", { hotel_id: "2", check_in: D, nights: 3, guests: 2 }, h.ctx(ALICE)),
    );
    expect(stay.hotel_booking_ref).toMatch(/^HT-[A-Z0-9]{6}$/);
    expect(stay).toMatchObject({ status: "confirmed", check_in: D, nights: 3, guests: 2, total_usd: 480 });
    expect(stay.hotel).toContain("Harbor");
    const [row] = await h.sql<{ customer: string; total_cents: number }[]>`
      SELECT customer_id::text AS customer, total_cents FROM hotel_bookings WHERE ref = ${stay.hotel_booking_ref}`;
    expect(row).toEqual({ customer: ALICE, total_cents: 48_000 });
    expect(await stays(ALICE)).toBe(before + 1);
  });

  it("books once for a repeated request key, and refuses that key to another customer", async () => {
    const key = randomUUID();
    const input = { hotel_id: 3, check_in: D, nights: 1 };
    const first = json<Stay>(await h.call("book_hotel", input, h.ctx(ALICE, { idempotencyKey: key })));
    const again = json<Stay>(await h.call("book_hotel", input, h.ctx(ALICE, { idempotencyKey: key })));
    expect(again.hotel_booking_ref).toBe(first.hotel_booking_ref);
    expect(again.replayed).toBe(true);
    const [n] = await h.sql<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM hotel_bookings WHERE idempotency_key = ${key}`;
    expect(n!.n).toBe(1);
    const bob = await h.call("book_hotel", input, h.ctx(BOB, { idempotencyKey: key }));
    expect(errorOf(bob)).toMatch(/already used/);
    expect(await stays(BOB)).toBe(0);
  });

  it("refuses a guest, a past check-in and an unknown hotel, writing nothing", async () => {
    const before = await h.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM hotel_bookings`;
    expect(
      errorOf(await h.call("book_hotel", { hotel_id: 1, check_in: D, nights: 2 }, h.ctx(GUEST))),
    ).toMatch(/sign/i);
    expect(
      errorOf(await h.call("book_hotel", { hotel_id: 1, check_in: "2020-01-01", nights: 2 }, h.ctx(ALICE))),
    ).toMatch(/past/);
    expect(
      errorOf(await h.call("book_hotel", { hotel_id: 999, check_in: D, nights: 2 }, h.ctx(ALICE))),
    ).toMatch(/no hotel 999/);
    expect(
      errorOf(await h.call("book_hotel", { hotel_id: 1, check_in: D, nights: 0 }, h.ctx(ALICE))),
    ).toMatch(/nights/);
    const after = await h.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM hotel_bookings`;
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it("is not readable by run_query's read-only role", async () => {
    const denied = await h.sql
      .begin(async (tx) => {
        await tx`SET LOCAL ROLE flightly_readonly`;
        await tx`SELECT count(*) FROM hotel_bookings`;
      })
      .then(
        () => "read",
        (err: Error) => err.message,
      );
    expect(denied).toMatch(/permission denied/);
  });
});
