/**
 * The refund rules of `data/knowledge/policies.json` as one pure function. Flightly bookings
 * carry no fare class, so the Standard fare rules apply. First match wins:
 *
 * 1. nothing was charged → nothing to refund;
 * 2. `cancellation-24-hour-free`: cancelled within 24 hours of purchase (the payment) and the
 *    flight departs at least 7 days (168 h) after the cancellation → every cent paid back to the
 *    card, the Travel Protection premium included;
 * 3. `insurance-covered-reasons` / `cancellation-inside-72-hours`: insured → 100% of the prepaid
 *    fare, even inside 72 hours; `insurance-price`: the premium itself is not refunded;
 * 4. `cancellation-standard-fare-credit`: 14 days (336 h) or more before departure → 50% of the
 *    ticket price as travel credit (`refunds-travel-credit`: valid 12 months);
 * 5. `cancellation-fare-classes` / `cancellation-inside-72-hours`: otherwise nothing.
 */
export type RefundKind = "card" | "travel_credit" | "none";

export interface RefundBooking {
  createdAt: Date;
  departAt: Date;
  insured: boolean;
  insuranceCents: number;
}

export interface RefundPayment {
  status: "succeeded" | "declined" | "refunded";
  amountCents: number;
  /** When the charge succeeded: the 24-hour window starts at payment (`payments-fare-hold`). */
  paidAt?: Date;
}

export interface RefundDecision {
  amountCents: number;
  kind: RefundKind;
  /** Stable rule id, recorded with the refund. */
  rule:
    | "not_charged"
    | "departed"
    | "within_24_hours"
    | "insured"
    | "credit_14_days"
    | "under_14_days"
    | "under_72_hours";
  /** One sentence for the customer. */
  explanation: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const FREE_CANCELLATION_HOURS = 24;
const FREE_CANCELLATION_MIN_DAYS_BEFORE = 7;
const CREDIT_MIN_DAYS_BEFORE = 14;
const CREDIT_SHARE = 0.5;
const NO_REFUND_HOURS_BEFORE = 72;

export function refundFor(
  booking: RefundBooking,
  payment: RefundPayment | null | undefined,
  now: Date,
): RefundDecision {
  if (payment?.status !== "succeeded") {
    return {
      amountCents: 0,
      kind: "none",
      rule: "not_charged",
      explanation: "Nothing was charged, so nothing is refunded.",
    };
  }
  const untilDeparture = booking.departAt.getTime() - now.getTime();
  const sincePurchase = now.getTime() - (payment.paidAt ?? booking.createdAt).getTime();
  const paid = payment.amountCents;
  const fare = Math.max(0, paid - (booking.insured ? booking.insuranceCents : 0));
  if (untilDeparture <= 0) {
    return {
      amountCents: 0,
      kind: "none",
      rule: "departed",
      explanation: "The flight has departed; nothing is refunded.",
    };
  }
  if (
    sincePurchase <= FREE_CANCELLATION_HOURS * HOUR &&
    untilDeparture >= FREE_CANCELLATION_MIN_DAYS_BEFORE * DAY
  ) {
    return {
      amountCents: paid,
      kind: "card",
      rule: "within_24_hours",
      explanation: `Cancelled within ${FREE_CANCELLATION_HOURS} hours of purchase and ${FREE_CANCELLATION_MIN_DAYS_BEFORE}+ days before departure: everything paid goes back to the card, insurance included.`,
    };
  }
  if (booking.insured) {
    return {
      amountCents: fare,
      kind: "card",
      rule: "insured",
      explanation:
        "Travel insurance covers the cancellation: the fare is refunded to the card (the premium is not).",
    };
  }
  if (untilDeparture >= CREDIT_MIN_DAYS_BEFORE * DAY) {
    return {
      amountCents: Math.round(fare * CREDIT_SHARE),
      kind: "travel_credit",
      rule: "credit_14_days",
      explanation: `Cancelled ${CREDIT_MIN_DAYS_BEFORE}+ days before departure: ${CREDIT_SHARE * 100}% of the fare as travel credit, valid 12 months.`,
    };
  }
  if (untilDeparture < NO_REFUND_HOURS_BEFORE * HOUR) {
    return {
      amountCents: 0,
      kind: "none",
      rule: "under_72_hours",
      explanation: `Cancelled less than ${NO_REFUND_HOURS_BEFORE} hours before departure without Travel Protection: no refund or credit.`,
    };
  }
  return {
    amountCents: 0,
    kind: "none",
    rule: "under_14_days",
    explanation: `Cancelled less than ${CREDIT_MIN_DAYS_BEFORE} days before departure without insurance: no refund.`,
  };
}
