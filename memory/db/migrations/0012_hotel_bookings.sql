-- Hotel stays booked by the booking agent (book_hotel). The room is paid at the hotel, so a stay
-- has no payment row; it is the customer's own data, like bookings, and never readable by
-- run_query's role.
CREATE TABLE IF NOT EXISTS hotel_bookings (
  id               bigserial PRIMARY KEY,
  ref              text NOT NULL UNIQUE,
  customer_id      bigint NOT NULL REFERENCES customers(id),
  hotel_id         bigint NOT NULL REFERENCES hotels(id),
  check_in         date NOT NULL,
  nights           integer NOT NULL CHECK (nights BETWEEN 1 AND 60),
  guests           integer NOT NULL CHECK (guests BETWEEN 1 AND 12),
  status           text NOT NULL DEFAULT 'confirmed' CHECK (status IN ('confirmed', 'cancelled')),
  total_cents      integer NOT NULL CHECK (total_cents > 0),
  idempotency_key  text UNIQUE,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS hotel_bookings_customer ON hotel_bookings (customer_id, created_at DESC);
COMMENT ON TABLE hotel_bookings IS 'Hotel stays booked for a customer; paid at the hotel.';
