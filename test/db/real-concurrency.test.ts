/**
 * Races that PGlite cannot show (it runs one statement at a time), on a real server
 * (real-PostgreSQL lane only): many customers taking the last seats of one flight, concurrent
 * payments of one booking with and without a shared idempotency key, and concurrent checkpoint
 * writers, each on a connection of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckpointConflictError } from "../../core/errors.js";
import { getCheckpoint, writeCheckpoint } from "../../memory/short-term/checkpoints.js";
import { ValkeyStore } from "../../memory/store/valkey.js";
import type { ToolResult } from "../../tools/types.js";
import { appendStep } from "../memory/checkpoint-writers.js";
import { TEST_VALKEY_URL, uniq } from "../support/env.js";
import { REAL_PG, REAL_PG_ONLY } from "../support/pg.js";
import { ALICE, errorOf, type Harness, json, openHarness } from "../tools/fixture.js";

if (!REAL_PG) console.info(`skipped test/db/real-concurrency.test.ts: ${REAL_PG_ONLY}`);

const CUSTOMERS = Array.from({ length: 24 }, (_, i) => String(100 + i));

describe.skipIf(!REAL_PG)("concurrency on a real PostgreSQL server", () => {
  let h: Harness;

  beforeAll(async () => {
    h = await openHarness();
    for (const id of CUSTOMERS) {
      await h.sql`INSERT INTO customers (id, name, email, card_last4)
        VALUES (${id}, ${`Customer ${id}`}, ${`c${id}@example.com`}, '4242')`;
    }
    // Real concurrency needs several server connections at once.
    const [row] = await h.sql<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database()`;
    expect(row?.n).toBeGreaterThanOrEqual(1);
  });
  afterAll(async () => {
    await h?.close();
  });

  const seatsLeft = async (flight: string): Promise<number> =>
    (await h.sql<{ n: number }[]>`SELECT seats_available AS n FROM flights WHERE id = ${flight}`)[0]!.n;

  it("24 customers race for the last 5 seats: exactly 5 held, none oversold, every refusal says why", async () => {
    const flight = await h.addFlight({ seats: 5 });
    const results = await Promise.all(
      CUSTOMERS.map((c) => h.call("reserve_flight", { flight_id: flight, passengers: 1 }, h.ctx(c))),
    );
    const won = results.filter((r) => r.status === "success");
    expect(won).toHaveLength(5);
    for (const r of results.filter((x) => x.status === "error")) {
      expect(errorOf(r)).toBe(`flight ${flight} is sold out`);
    }
    expect(await seatsLeft(flight)).toBe(0);
    const [held] = await h.sql<{ n: number; customers: number }[]>`
      SELECT coalesce(sum(passengers), 0)::int AS n, count(DISTINCT customer_id)::int AS customers
        FROM bookings WHERE flight_id = ${flight} AND status = 'held'`;
    expect(held).toEqual({ n: 5, customers: 5 });
  });

  it("parties of 1 to 4 race for 7 seats: the seats held never exceed 7 and refusals name what is left", async () => {
    const flight = await h.addFlight({ seats: 7 });
    const parties = CUSTOMERS.map((c, i) => ({ c, n: 1 + (i % 4) }));
    const results = await Promise.all(
      parties.map(({ c, n }) => h.call("reserve_flight", { flight_id: flight, passengers: n }, h.ctx(c))),
    );
    const taken = results.reduce((sum, r, i) => sum + (r.status === "success" ? parties[i]!.n : 0), 0);
    expect(taken).toBeLessThanOrEqual(7);
    expect(taken).toBeGreaterThanOrEqual(4); // a party of 4 or less always fit while 4+ seats were left
    expect(await seatsLeft(flight)).toBe(7 - taken);
    for (const [i, r] of results.entries()) {
      if (r.status === "success") continue;
      expect(errorOf(r)).toMatch(
        new RegExp(
          `^(flight ${flight} is sold out|only [1-3] seat\\(s\\) left on flight ${flight}, not ${parties[i]!.n})$`,
        ),
      );
    }
    const [held] = await h.sql<{ n: number }[]>`
      SELECT coalesce(sum(passengers), 0)::int AS n FROM bookings WHERE flight_id = ${flight} AND status = 'held'`;
    expect(held?.n).toBe(taken);
  });

  it("one customer resending a hold 12 times at once with one idempotency key holds once", async () => {
    const flight = await h.addFlight({ seats: 20 });
    const key = uniq("hold");
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        h.call("reserve_flight", { flight_id: flight, passengers: 2 }, h.ctx(ALICE, { idempotencyKey: key })),
      ),
    );
    const refs = new Set(results.map((r) => json<{ booking_ref: string }>(r).booking_ref));
    expect(refs.size).toBe(1);
    expect(await seatsLeft(flight)).toBe(18);
  });

  /** A confirmed booking of `actor` on a new flight. */
  const confirmed = async (actor: string): Promise<string> => {
    const flight = await h.addFlight({ priceCents: 31_900 });
    const hold = json<{ booking_ref: string }>(
      await h.call("reserve_flight", { flight_id: flight, passengers: 1 }, h.ctx(actor)),
    );
    json(await h.call("confirm_booking", { booking_ref: hold.booking_ref }, h.ctx(actor)));
    return hold.booking_ref;
  };
  const paymentsOf = (ref: string) =>
    h.sql<{ status: string; amount_cents: number }[]>`
      SELECT p.status, p.amount_cents FROM payments p JOIN bookings b ON b.id = p.booking_id WHERE b.ref = ${ref}`;

  it("10 concurrent payments with one idempotency key: one charge, one payment, the same answer", async () => {
    const ref = await confirmed(CUSTOMERS[0]!);
    const before = h.processor.charges;
    const key = uniq("pay");
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.call(
          "process_payment",
          { booking_ref: ref, card: "on_file" },
          h.ctx(CUSTOMERS[0]!, { idempotencyKey: key }),
        ),
      ),
    );
    const ids = new Set(results.map((r) => json<{ payment_id: string; status: string }>(r).payment_id));
    expect(ids.size).toBe(1);
    expect(results.every((r) => json<{ status: string }>(r).status === "succeeded")).toBe(true);
    expect(h.processor.charges - before).toBe(1);
    expect(await paymentsOf(ref)).toEqual([{ status: "succeeded", amount_cents: 31_900 }]);
  });

  it("10 concurrent payments of one booking, each with its own key: still exactly one charge", async () => {
    const ref = await confirmed(CUSTOMERS[1]!);
    const before = h.processor.charges;
    const results: ToolResult[] = await Promise.all(
      Array.from({ length: 10 }, () =>
        h.call(
          "process_payment",
          { booking_ref: ref, card: "on_file" },
          h.ctx(CUSTOMERS[1]!, { idempotencyKey: uniq("pay") }),
        ),
      ),
    );
    const views = results.map((r) => json<{ payment_id: string; status: string; already_paid?: boolean }>(r));
    expect(new Set(views.map((v) => v.payment_id)).size).toBe(1);
    expect(views.filter((v) => v.already_paid === true)).toHaveLength(9);
    expect(h.processor.charges - before).toBe(1);
    expect(await paymentsOf(ref)).toEqual([{ status: "succeeded", amount_cents: 31_900 }]);
  });

  describe("checkpoint writers on separate connections", () => {
    const stores: ValkeyStore[] = [];
    beforeAll(async () => {
      for (let i = 0; i < 8; i++) stores.push(await ValkeyStore.connect({ url: TEST_VALKEY_URL }));
    });
    afterAll(async () => {
      for (const s of stores) await s.close();
    });

    it("8 writers at the same version: one wins, the 7 stale ones are rejected, nothing overwritten", async () => {
      const scope = { actorId: ALICE, sessionId: uniq("cas") };
      const base = await writeCheckpoint(stores[0]!, scope, 0, { plan: "p", steps: [] });
      const outcomes = await Promise.allSettled(
        stores.map((s, i) =>
          writeCheckpoint(s, scope, base, { plan: "p", steps: [{ step: `w${i}`, output: i, at: "" }] }),
        ),
      );
      const won = outcomes.flatMap((o, i) => (o.status === "fulfilled" ? [i] : []));
      expect(won).toHaveLength(1);
      for (const o of outcomes) {
        if (o.status === "rejected") {
          expect(o.reason).toBeInstanceOf(CheckpointConflictError);
          expect(o.reason).toMatchObject({ expectedVersion: base, actualVersion: base + 1 });
        }
      }
      const now = await getCheckpoint(stores[0]!, scope);
      expect(now?.version).toBe(base + 1);
      expect(now?.data.steps.map((s) => s.step)).toEqual([`w${won[0]}`]);
    });

    it("8 read-modify-write updaters: every step kept, one version per write", async () => {
      const scope = { actorId: ALICE, sessionId: uniq("rmw") };
      await Promise.all(
        stores.map((s, i) => appendStep(s, scope, { step: `u${i}`, output: i, at: "" }, { maxAttempts: 50 })),
      );
      const now = await getCheckpoint(stores[0]!, scope);
      expect(now?.version).toBe(8);
      expect(now?.data.steps.map((s) => s.step).sort()).toEqual(stores.map((_, i) => `u${i}`).sort());
    });
  });
});
