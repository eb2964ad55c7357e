-- Refunds of cancelled bookings, one per booking, kept apart from the charges in `payments` (an
-- append-only record of what was charged). kind: card (back to the card charged), travel_credit
-- (store credit), none (nothing refundable under the rules, or nothing was charged). `rule` is the
-- refund rule that applied (tools/refund.ts).
CREATE TABLE refunds (
  id            bigserial PRIMARY KEY,
  booking_id    bigint NOT NULL UNIQUE REFERENCES bookings(id),
  payment_id    bigint REFERENCES payments(id),
  amount_cents  integer NOT NULL CHECK (amount_cents >= 0),
  kind          text NOT NULL CHECK (kind IN ('card', 'travel_credit', 'none')),
  rule          text NOT NULL,
  reason        text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK (kind <> 'none' OR amount_cents = 0)
);
