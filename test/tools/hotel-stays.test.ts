/**
 * Hotel stays among the customer's bookings: `list_bookings` and `get_booking` show a stay (ref,
 * hotel, city, dates, status) to its owner only; `cancel_booking` cancels it with nothing
 * refunded, says so again for a cancelled stay, and never reads or changes another customer's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, BOB, D, errorOf, type Harness, json, openHarness } from "./fixture.js";

interface Listed {
  bookings: Array<Record<string, unknown>>;
}

describe("hotel stays in the bookings tools", () => {
  let h: Harness;
  let ref: string;
  const stayRow = async (r: string) =>
    (
      await h.sql<{ status: string; cancelled_at: Date | null; cancel_reason: string | null }[]>`
        SELECT status, cancelled_at, cancel_reason FROM hotel_bookings WHERE ref = ${r}`
    )[0]!;

  beforeAll(async () => {
    h = await openHarness();
    const stay = json<{ hotel_booking_ref: string }>(
      await h.call("book_hotel", { hotel_id: 2, check_in: D, nights: 3, guests: 2 }, h.ctx(ALICE)),
    );
    ref = stay.hotel_booking_ref;
  });
  afterAll(async () => {
    await h.close();
  });

  it("lists the stay with its hotel, city, dates and status beside the owner's flight bookings", async () => {
    await h.call("reserve_flight", { flight_id: 1, passengers: 1 }, h.ctx(ALICE));
    const listed = json<Listed>(await h.call("list_bookings", {}, h.ctx(ALICE)));
    const stay = listed.bookings.find((b) => b.booking_ref === ref);
    expect(stay).toMatchObject({
      kind: "hotel",
      status: "confirmed",
      hotel: "Harbor Business Hotel Honolulu",
      city: "Honolulu",
      check_in: D,
      nights: 3,
      guests: 2,
      total_usd: 480,
      pay: "at the hotel",
    });
    expect(stay!.check_out).toBe(
      new Date(Date.parse(`${D}T00:00:00Z`) + 3 * 86_400_000).toISOString().slice(0, 10),
    );
    expect(listed.bookings.some((b) => b.kind === "flight")).toBe(true);
    // Newest first across both kinds: the flight was booked after the stay.
    expect(listed.bookings[0]!.kind).toBe("flight");
    expect(json(await h.call("get_booking", { booking_ref: ref }, h.ctx(ALICE)))).toMatchObject({
      booking_ref: ref,
      hotel: "Harbor Business Hotel Honolulu",
    });
    // Held and expired are flight states: a stay is never listed under them.
    const held = json<Listed>(await h.call("list_bookings", { status: "held" }, h.ctx(ALICE)));
    expect(held.bookings.every((b) => b.kind === "flight")).toBe(true);
  });

  it("another customer can neither see nor cancel the stay", async () => {
    const bobs = json<Listed>(await h.call("list_bookings", {}, h.ctx(BOB)));
    expect(bobs.bookings.some((b) => b.booking_ref === ref)).toBe(false);
    expect(errorOf(await h.call("get_booking", { booking_ref: ref }, h.ctx(BOB)))).toMatch(/no booking/);
    expect(errorOf(await h.call("cancel_booking", { booking_ref: ref }, h.ctx(BOB)))).toMatch(/no booking/);
    expect((await stayRow(ref)).status).toBe("confirmed");
  });

  it("cancels the stay with nothing refunded, and a second cancel says it already was", async () => {
    const done = json(
      await h.call(
        "cancel_booking",
        { booking_ref: ref.toLowerCase(), reason: "plans changed" },
        h.ctx(ALICE),
      ),
    );
    expect(done).toMatchObject({ booking_ref: ref, kind: "hotel", status: "cancelled", charged_usd: 0 });
    expect(done).not.toHaveProperty("refund_usd");
    expect(done).not.toHaveProperty("already_cancelled");
    const row = await stayRow(ref);
    expect(row.status).toBe("cancelled");
    expect(row.cancelled_at).not.toBeNull();
    expect(row.cancel_reason).toBe("plans changed");
    const again = json(await h.call("cancel_booking", { booking_ref: ref }, h.ctx(ALICE)));
    expect(again).toMatchObject({ status: "cancelled", already_cancelled: true });
    const cancelled = json<Listed>(await h.call("list_bookings", { status: "cancelled" }, h.ctx(ALICE)));
    expect(cancelled.bookings.find((b) => b.booking_ref === ref)).toMatchObject({ status: "cancelled" });
  });

  it("a stay whose check-in day has passed is not cancelled", async () => {
    const past = json<{ hotel_booking_ref: string }>(
      await h.call("book_hotel", { hotel_id: 3, check_in: D, nights: 1 }, h.ctx(ALICE)),
    ).hotel_booking_ref;
    await h.sql`UPDATE hotel_bookings SET check_in = current_date - 2 WHERE ref = ${past}`;
    expect(errorOf(await h.call("cancel_booking", { booking_ref: past }, h.ctx(ALICE)))).toMatch(/began/);
    expect((await stayRow(past)).status).toBe("confirmed");
  });
});
