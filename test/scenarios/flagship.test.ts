/**
 * The flagship: "Add travel insurance before you book my flight, and use the email from our
 * support conversation" → support finds the email, booking reserves and confirms, payment adds
 * insurance and charges — once, for the full total — with the local planner and over Bedrock.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODES, type Scenario, startScenario, trail } from "./harness.js";

const FLAGSHIP =
  "Add travel insurance before you book my flight, and use the email from our support conversation";

describe.each(MODES)("flagship workflow (%s)", (mode) => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(mode);
  });
  afterAll(async () => {
    await s?.close();
  });

  it("books once, insured, with the support email, and charges the full total once", async () => {
    const actor = "1";
    const session = randomUUID();
    const [{ email: supportEmail } = { email: "" }] = await s.sql<{ email: string }[]>`
      SELECT substring(m.content from '[\\w.+-]+@mailbox\\.example\\.org') AS email
      FROM support_messages m JOIN support_conversations c ON c.id = m.conversation_id
      WHERE c.customer_id = 1 AND m.content LIKE '%mailbox.example.org%' LIMIT 1`;
    expect(supportEmail).toMatch(/@mailbox\.example\.org$/);
    const [profile] = await s.sql<{ email: string }[]>`SELECT email FROM customers WHERE id = 1`;
    expect(profile?.email).not.toBe(supportEmail);

    const search = await s.invoke("find flights from Seattle to Tokyo in June", { actor, session });
    expect(search.status).toBe(200);
    expect(trail(search)).toEqual(["booking"]);

    const before = await s.sql`SELECT count(*)::int AS n FROM bookings WHERE customer_id = 1`;
    const res = await s.invoke(FLAGSHIP, { actor, session, idempotencyKey: `flagship-${mode}` });
    expect(res.status).toBe(200);
    expect(trail(res)).toEqual(["support", "booking", "payment"]);
    expect(res.body.agents[0]!.tools).toContain("find_support_conversation");
    expect(res.body.agents[1]!.tools).toEqual(expect.arrayContaining(["reserve_flight", "confirm_booking"]));
    expect(res.body.agents[2]!.tools).toEqual(["add_travel_insurance", "process_payment"]);

    const bookings = await s.sql<
      {
        id: string;
        ref: string;
        status: string;
        insured: boolean;
        contact_email: string;
        total_cents: number;
        insurance_cents: number;
      }[]
    >`
      SELECT id, ref, status, insured, contact_email, total_cents, insurance_cents FROM bookings
      WHERE customer_id = 1 ORDER BY id`;
    expect(bookings.length).toBe((before[0]?.n ?? 0) + 1);
    const booking = bookings.at(-1)!;
    expect(booking).toMatchObject({ status: "confirmed", insured: true, contact_email: supportEmail });
    expect(booking.insurance_cents).toBeGreaterThan(0);
    const payments = await s.sql<{ amount_cents: number; status: string }[]>`
      SELECT amount_cents, status FROM payments WHERE booking_id = ${booking.id}`;
    expect(payments).toEqual([{ amount_cents: booking.total_cents, status: "succeeded" }]);

    // The same request again (same idempotency key) changes nothing and answers the same.
    const again = await s.invoke(FLAGSHIP, { actor, session, idempotencyKey: `flagship-${mode}` });
    expect(again.status).toBe(200);
    expect(again.body.response).toBe(res.body.response);
    const after = await s.sql`SELECT count(*)::int AS n FROM bookings WHERE customer_id = 1`;
    expect(after[0]?.n).toBe(bookings.length);
    const paid = await s.sql`SELECT count(*)::int AS n FROM payments WHERE booking_id = ${booking.id}`;
    expect(paid[0]?.n).toBe(1);
  });

  if (mode === "bedrock") {
    it("offered each agent its own tools over the wire and returned tool results to the model", () => {
      const reqs = s.bedrock!.converseRequests();
      const offered = (i: number) =>
        (reqs[i]!.body.toolConfig?.tools ?? []).map((t) => t.toolSpec?.name).filter(Boolean);
      const paymentTurn = reqs.findIndex((r) => offered(reqs.indexOf(r)).includes("process_payment"));
      expect(paymentTurn).toBeGreaterThan(0);
      expect(offered(paymentTurn)).not.toContain("reserve_flight");
      const withResults = reqs.filter((r) =>
        r.body.messages?.some((m) => m.content.some((b) => b.toolResult)),
      );
      expect(withResults.length).toBeGreaterThan(3);
    });
  }
});
