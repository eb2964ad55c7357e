/** The refund rules, table-driven: each row is one situation and the refund it must get. */
import { describe, expect, it } from "vitest";
import { type RefundDecision, refundFor } from "../../tools/refund.js";

const NOW = new Date("2026-12-01T12:00:00Z");
const H = 3_600_000;
const DAY = 24 * H;
const at = (ms: number): Date => new Date(NOW.getTime() + ms);
const paid = (amountCents: number) => ({ status: "succeeded" as const, amountCents });

interface Row {
  name: string;
  /** How long ago the payment succeeded (the booking was made an hour before). */
  paidAgo: number;
  departsIn: number;
  insured?: boolean;
  insuranceCents?: number;
  payment: ReturnType<typeof paid> | { status: "declined"; amountCents: number } | null;
  want: Pick<RefundDecision, "amountCents" | "kind" | "rule">;
}

const rows: Row[] = [
  {
    name: "nothing charged",
    paidAgo: 2 * H,
    departsIn: 30 * DAY,
    payment: null,
    want: { amountCents: 0, kind: "none", rule: "not_charged" },
  },
  {
    name: "only a declined attempt",
    paidAgo: 2 * H,
    departsIn: 30 * DAY,
    payment: { status: "declined", amountCents: 50_000 },
    want: { amountCents: 0, kind: "none", rule: "not_charged" },
  },
  {
    name: "within 24 h of payment, departure 30 days away: everything back",
    paidAgo: 2 * H,
    departsIn: 30 * DAY,
    payment: paid(50_000),
    want: { amountCents: 50_000, kind: "card", rule: "within_24_hours" },
  },
  {
    name: "within 24 h, insured: the premium comes back too",
    paidAgo: 23 * H,
    departsIn: 8 * DAY,
    insured: true,
    insuranceCents: 3_250,
    payment: paid(53_250),
    want: { amountCents: 53_250, kind: "card", rule: "within_24_hours" },
  },
  {
    name: "exactly 7 days before departure still qualifies for the 24 h window",
    paidAgo: 1 * H,
    departsIn: 7 * DAY,
    payment: paid(50_000),
    want: { amountCents: 50_000, kind: "card", rule: "within_24_hours" },
  },
  {
    name: "within 24 h but departure in 6 days: no free window; 14-day rule does not apply either",
    paidAgo: 1 * H,
    departsIn: 6 * DAY,
    payment: paid(50_000),
    want: { amountCents: 0, kind: "none", rule: "under_14_days" },
  },
  {
    name: "insured, 2 days before departure: fare back, premium kept",
    paidAgo: 10 * DAY,
    departsIn: 2 * DAY,
    insured: true,
    insuranceCents: 3_250,
    payment: paid(53_250),
    want: { amountCents: 50_000, kind: "card", rule: "insured" },
  },
  {
    name: "25 h after payment, 20 days before departure: half as travel credit",
    paidAgo: 25 * H,
    departsIn: 20 * DAY,
    payment: paid(50_000),
    want: { amountCents: 25_000, kind: "travel_credit", rule: "credit_14_days" },
  },
  {
    name: "exactly 14 days before departure: half as credit",
    paidAgo: 30 * DAY,
    departsIn: 14 * DAY,
    payment: paid(49_999),
    want: { amountCents: 25_000, kind: "travel_credit", rule: "credit_14_days" },
  },
  {
    name: "10 days before departure, not insured: nothing",
    paidAgo: 30 * DAY,
    departsIn: 10 * DAY,
    payment: paid(50_000),
    want: { amountCents: 0, kind: "none", rule: "under_14_days" },
  },
  {
    name: "under 72 h, not insured: nothing",
    paidAgo: 30 * DAY,
    departsIn: 71 * H,
    payment: paid(50_000),
    want: { amountCents: 0, kind: "none", rule: "under_72_hours" },
  },
  {
    name: "departed: nothing, even insured",
    paidAgo: 30 * DAY,
    departsIn: -H,
    insured: true,
    insuranceCents: 3_250,
    payment: paid(53_250),
    want: { amountCents: 0, kind: "none", rule: "departed" },
  },
];

describe("refundFor", () => {
  it.each(rows.map((r) => [r.name, r] as const))("%s", (_name, r) => {
    const decision = refundFor(
      {
        createdAt: at(-r.paidAgo - H),
        departAt: at(r.departsIn),
        insured: r.insured ?? false,
        insuranceCents: r.insuranceCents ?? 0,
      },
      r.payment && { ...r.payment, paidAt: at(-r.paidAgo) },
      NOW,
    );
    expect(decision).toMatchObject(r.want);
    expect(decision.explanation.length).toBeGreaterThan(10);
  });

  it("starts the 24-hour window at payment, not at the hold", () => {
    const booking = { createdAt: at(-30 * H), departAt: at(30 * DAY), insured: false, insuranceCents: 0 };
    expect(refundFor(booking, { ...paid(50_000), paidAt: at(-2 * H) }, NOW).rule).toBe("within_24_hours");
    // Without a payment time the booking time stands in.
    expect(refundFor(booking, paid(50_000), NOW).rule).toBe("credit_14_days");
  });

  it("matches the worked examples of the policies", () => {
    // cancellation-standard-fare-credit: "On a $480 return ticket that means $240 of credit".
    const standard = refundFor(
      { createdAt: at(-30 * DAY), departAt: at(20 * DAY), insured: false, insuranceCents: 0 },
      { ...paid(48_000), paidAt: at(-30 * DAY) },
      NOW,
    );
    expect(standard).toMatchObject({ amountCents: 24_000, kind: "travel_credit" });
  });
});

describe("insurance premium", () => {
  it("matches the worked examples of the insurance-price policy", async () => {
    const { insurancePremiumCents } = await import("../../tools/insurance.js");
    expect(insurancePremiumCents(120_000)).toBe(7_800); // "$1,200 family trip therefore costs $78"
    expect(insurancePremiumCents(18_000)).toBe(1_900); // "$180 one-way flight costs $19 rather than $11.70"
  });
});
