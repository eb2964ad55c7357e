-- The travel domain. {{EMBEDDING_DIM}} is the configured embedder's dimension.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE customers (
  id            bigint PRIMARY KEY,
  name          text NOT NULL,
  email         text NOT NULL UNIQUE,
  phone         text,
  profile       jsonb NOT NULL DEFAULT '{}',
  card_last4    text,
  created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE airports (
  iata      char(3) PRIMARY KEY,
  name      text NOT NULL,
  city      text NOT NULL,
  country   text NOT NULL,
  lat       double precision NOT NULL,
  lon       double precision NOT NULL,
  timezone  text NOT NULL
);

CREATE TABLE airlines (
  code  text PRIMARY KEY,
  name  text NOT NULL UNIQUE
);

CREATE TABLE flights (
  id               bigint PRIMARY KEY,
  airline          text NOT NULL REFERENCES airlines(code),
  flight_number    text NOT NULL,
  origin           char(3) NOT NULL REFERENCES airports(iata),
  destination      char(3) NOT NULL REFERENCES airports(iata),
  depart_at        timestamptz NOT NULL,
  arrive_at        timestamptz NOT NULL,
  price_cents      integer NOT NULL CHECK (price_cents > 0),
  seats_total      integer NOT NULL,
  seats_available  integer NOT NULL CHECK (seats_available >= 0),
  CHECK (arrive_at > depart_at)
);
CREATE INDEX flights_route_time ON flights (origin, destination, depart_at);

CREATE TABLE hotels (
  id                     bigint PRIMARY KEY,
  name                   text NOT NULL,
  iata                   char(3) NOT NULL REFERENCES airports(iata),
  city                   text NOT NULL,
  stars                  smallint NOT NULL CHECK (stars BETWEEN 1 AND 5),
  price_per_night_cents  integer NOT NULL CHECK (price_per_night_cents > 0),
  rating                 numeric(2,1) NOT NULL,
  family_friendly        boolean NOT NULL,
  amenities              text[] NOT NULL DEFAULT '{}'
);
CREATE INDEX hotels_city ON hotels (iata, price_per_night_cents);

CREATE TABLE knowledge_documents (
  id          bigserial PRIMARY KEY,
  slug        text NOT NULL UNIQUE,
  title       text NOT NULL,
  body        text NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('policy', 'faq', 'guide')),
  topic       text,
  city        text,
  iata        char(3),
  embedding   vector({{EMBEDDING_DIM}}) NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX knowledge_documents_embedding ON knowledge_documents USING hnsw (embedding vector_cosine_ops);

CREATE TABLE support_conversations (
  id           bigint PRIMARY KEY,
  customer_id  bigint NOT NULL REFERENCES customers(id),
  subject      text NOT NULL,
  started_at   timestamptz NOT NULL
);
CREATE INDEX support_conversations_customer ON support_conversations (customer_id);

CREATE TABLE support_messages (
  id               bigint PRIMARY KEY,
  conversation_id  bigint NOT NULL REFERENCES support_conversations(id),
  role             text NOT NULL CHECK (role IN ('customer', 'agent')),
  content          text NOT NULL,
  created_at       timestamptz NOT NULL,
  embedding        vector({{EMBEDDING_DIM}}) NOT NULL
);
CREATE INDEX support_messages_conversation ON support_messages (conversation_id);
CREATE INDEX support_messages_embedding ON support_messages USING hnsw (embedding vector_cosine_ops);

CREATE TABLE bookings (
  id               bigserial PRIMARY KEY,
  ref              text NOT NULL UNIQUE,
  customer_id      bigint NOT NULL REFERENCES customers(id),
  flight_id        bigint NOT NULL REFERENCES flights(id),
  passengers       integer NOT NULL CHECK (passengers BETWEEN 1 AND 9),
  status           text NOT NULL CHECK (status IN ('held', 'confirmed', 'cancelled', 'expired')),
  contact_email    text,
  insured          boolean NOT NULL DEFAULT false,
  insurance_cents  integer NOT NULL DEFAULT 0,
  total_cents      integer NOT NULL CHECK (total_cents >= 0),
  hold_expires_at  timestamptz,
  idempotency_key  text UNIQUE,
  version          integer NOT NULL DEFAULT 1,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bookings_customer ON bookings (customer_id, created_at DESC);

CREATE TABLE payments (
  id               bigserial PRIMARY KEY,
  booking_id       bigint NOT NULL REFERENCES bookings(id),
  amount_cents     integer NOT NULL CHECK (amount_cents > 0),
  status           text NOT NULL CHECK (status IN ('succeeded', 'declined', 'refunded')),
  idempotency_key  text NOT NULL UNIQUE,
  card_last4       text,
  decline_reason   text,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_booking ON payments (booking_id);
-- At most one successful charge per booking, whatever the idempotency keys.
CREATE UNIQUE INDEX payments_one_success ON payments (booking_id) WHERE status = 'succeeded';
