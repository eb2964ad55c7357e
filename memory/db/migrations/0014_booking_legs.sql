-- Bookings of a one-stop connection: leg 1 is bookings.flight_id (its departure decides the refund
-- rules), each later leg is a row here. The party holds seats on every leg, the booking's total is
-- the legs' fares added up, and the customer sees one reference (FL-…) for the whole trip.
CREATE TABLE IF NOT EXISTS booking_legs (
  booking_id  bigint NOT NULL REFERENCES bookings(id),
  leg         smallint NOT NULL CHECK (leg >= 2),
  flight_id   bigint NOT NULL REFERENCES flights(id),
  PRIMARY KEY (booking_id, leg)
);
CREATE INDEX IF NOT EXISTS booking_legs_flight ON booking_legs (flight_id);
COMMENT ON TABLE booking_legs IS 'Onward flights of a connecting booking (leg 1 is bookings.flight_id).';

-- When a stay was cancelled, and the customer's reason.
ALTER TABLE hotel_bookings ADD COLUMN IF NOT EXISTS cancelled_at timestamptz;
ALTER TABLE hotel_bookings ADD COLUMN IF NOT EXISTS cancel_reason text;
