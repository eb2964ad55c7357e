/**
 * process_payment: exactly once under concurrency, the amount from the database, documented
 * test cards, and card numbers kept out of results and logs.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { luhnValid, TEST_CARDS } from "../../tools/payments-processor.js";
import { ALICE, BOB, CAROL, errorOf, type Harness, json, openHarness } from "./fixture.js";

interface Payment {
  payment_id: string;
  status: string;
  amount_usd: number;
  card_last4: string;
  decline_reason?: string;
}

describe("process_payment", () => {
  let h: Harness;

  /** A confirmed booking of `actor`; returns its reference. */
  const confirmed = async (actor: string, priceCents = 45_000, passengers = 1): Promise<string> => {
    const flight = await h.addFlight({ priceCents });
    const hold = json<{ booking_ref: string }>(
      await h.call("reserve_flight", { flight_id: flight, passengers }, h.ctx(actor)),
    );
    json(await h.call("confirm_booking", { booking_ref: hold.booking_ref }, h.ctx(actor)));
    return hold.booking_ref;
  };
  const payments = (ref: string) =>
    h.sql<{ status: string; amount_cents: number; card_last4: string | null; idempotency_key: string }[]>`
      SELECT p.status, p.amount_cents, p.card_last4, p.idempotency_key
      FROM payments p JOIN bookings b ON b.id = p.booking_id WHERE b.ref = ${ref} ORDER BY p.id`;

  beforeAll(async () => {
    h = await openHarness();
  });
  afterAll(async () => {
    await h.close();
  });

  it("documents test cards that are valid card numbers", () => {
    for (const n of Object.keys(TEST_CARDS)) expect(luhnValid(n), n).toBe(true);
    expect(luhnValid("4242424242424241")).toBe(false);
  });

  it("20 concurrent calls with one idempotency key: one payment row, one charge", async () => {
    const ref = await confirmed(ALICE, 45_000, 2);
    const before = h.processor.charges;
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        h.call("process_payment", { booking_ref: ref }, h.ctx(ALICE, { idempotencyKey: "s1:step-7:pay" })),
      ),
    );
    const paid = results.map((r) => json<Payment>(r));
    expect(new Set(paid.map((p) => p.payment_id)).size).toBe(1);
    expect(
      paid.every((p) => p.status === "succeeded" && p.amount_usd === 900 && p.card_last4 === "4242"),
    ).toBe(true);
    expect(h.processor.charges - before).toBe(1);
    const rows = await payments(ref);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "succeeded", amount_cents: 90_000 });
  });

  it("different keys for one booking still charge once", async () => {
    const ref = await confirmed(ALICE);
    const before = h.processor.charges;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        h.call("process_payment", { booking_ref: ref }, h.ctx(ALICE, { idempotencyKey: `s2:step-${i}` })),
      ),
    );
    expect(new Set(results.map((r) => json<Payment>(r).payment_id)).size).toBe(1);
    expect(h.processor.charges - before).toBe(1);
    expect((await payments(ref)).filter((p) => p.status === "succeeded")).toHaveLength(1);
    // Without any key from the orchestrator, the derived key makes a retry a replay.
    const again = json(await h.call("process_payment", { booking_ref: ref }, h.ctx(ALICE)));
    expect(again).toMatchObject({ status: "succeeded", already_paid: true });
    expect(h.processor.charges - before).toBe(1);
  });

  it("charges the booking total from the database, whatever the model says", async () => {
    const ref = await confirmed(ALICE, 100_000);
    json(await h.call("add_travel_insurance", { booking_ref: ref }, h.ctx(ALICE)));
    const tool = h.tools.process_payment!;
    expect(tool.input.safeParse({ booking_ref: ref, amount_usd: 1 }).success).toBe(false);
    expect(errorOf(await h.call("process_payment", { booking_ref: ref, amount: 1 }, h.ctx(ALICE)))).toMatch(
      /invalid input/,
    );
    // Even past validation an amount is refused, and nothing is charged.
    const direct = await tool.run(
      { booking_ref: ref, card: "on_file", amount_usd: 1 } as never,
      h.ctx(ALICE),
    );
    expect(errorOf(direct)).toMatch(/amount is always the booking total/);
    expect(await payments(ref)).toHaveLength(0);
    const paid = json<Payment>(await h.call("process_payment", { booking_ref: ref }, h.ctx(ALICE)));
    expect(paid.amount_usd).toBe(1065); // fare 1000 + 6.5% insurance
    expect((await payments(ref))[0]?.amount_cents).toBe(106_500);
  });

  it("a declined card: status declined, no success row, the number in neither result nor logs", async () => {
    const ref = await confirmed(ALICE);
    const card = "4000 0000 0000 0002";
    const declined = await h.call("process_payment", { booking_ref: ref, card }, h.ctx(ALICE));
    expect(json<Payment>(declined)).toMatchObject({
      status: "declined",
      decline_reason: "card_declined",
      card_last4: "0002",
    });
    const rows = await payments(ref);
    expect(rows.map((r) => r.status)).toEqual(["declined"]);
    expect(rows.some((r) => r.idempotency_key.includes("4000000000000002"))).toBe(false);

    // Another card is a new attempt, not a replay of the decline.
    const ok = json<Payment>(
      await h.call("process_payment", { booking_ref: ref, card: "4242424242424242" }, h.ctx(ALICE)),
    );
    expect(ok.status).toBe("succeeded");

    const insufficient = await confirmed(ALICE);
    expect(
      json<Payment>(
        await h.call(
          "process_payment",
          { booking_ref: insufficient, card: "4000000000009995" },
          h.ctx(ALICE),
        ),
      ),
    ).toMatchObject({ status: "declined", decline_reason: "insufficient_funds" });

    const everything = JSON.stringify([declined, ok]) + h.logs.join("\n");
    for (const n of ["4000000000000002", "4000 0000 0000 0002", "4000000000009995", "4242424242424242"]) {
      expect(everything).not.toContain(n);
    }
    expect(h.logs.some((l) => l.includes("payment processed") && l.includes('"cardLast4":"0002"'))).toBe(
      true,
    );
    const stored = await h.sql`SELECT count(*)::int AS n FROM payments WHERE card_last4 !~ '^[0-9]{4}$'`;
    expect(stored[0]?.n).toBe(0);
  });

  it("uses the card on file: Bob's ends in 0002 and declines; Carol has none", async () => {
    const bobs = await confirmed(BOB);
    expect(json<Payment>(await h.call("process_payment", { booking_ref: bobs }, h.ctx(BOB)))).toMatchObject({
      status: "declined",
      card_last4: "0002",
    });
    const carols = await confirmed(CAROL);
    expect(errorOf(await h.call("process_payment", { booking_ref: carols }, h.ctx(CAROL)))).toMatch(
      /no card on file/,
    );
  });

  it("refuses held bookings, invalid numbers, and other customers' bookings", async () => {
    const flight = await h.addFlight({});
    const hold = json<{ booking_ref: string }>(
      await h.call("reserve_flight", { flight_id: flight }, h.ctx(ALICE)),
    );
    expect(errorOf(await h.call("process_payment", { booking_ref: hold.booking_ref }, h.ctx(ALICE)))).toMatch(
      /confirm it with confirm_booking first/,
    );
    const ref = await confirmed(ALICE);
    const bad = await h.call("process_payment", { booking_ref: ref, card: "4242424242424241" }, h.ctx(ALICE));
    expect(errorOf(bad)).toMatch(/not valid/);
    expect(errorOf(bad)).not.toContain("4242424242424241");
    expect(errorOf(await h.call("process_payment", { booking_ref: ref }, h.ctx(BOB)))).toMatch(/no booking/);
    expect(await payments(ref)).toHaveLength(0);
  });
});
