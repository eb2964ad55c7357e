/**
 * A fresh database (PGlite, or a private one on TEST_DATABASE_URL's server) with a small travel world, the real Valkey, the hash embedder, and
 * the tools built by `createTools`, for the tool suites. Each suite gets its own database and
 * its own cache namespace, so suites sharing the Valkey server never see each other's entries.
 */
import type { Sql } from "postgres";
import { z } from "zod";
import { type Config, loadConfig } from "../../core/config.js";
import { createLogger, type Logger } from "../../core/logger.js";
import { connectPostgres } from "../../memory/db/index.js";
import { migrate } from "../../memory/db/migrate.js";
import { toVector } from "../../memory/db/vector.js";
import type { Embedder } from "../../memory/embeddings/types.js";
import type { ShortTermStore } from "../../memory/store/types.js";
import { ValkeyStore } from "../../memory/store/valkey.js";
import { createToolCache, type ToolCache } from "../../tools/cache.js";
import { createTools } from "../../tools/index.js";
import { SimulatedProcessor } from "../../tools/payments-processor.js";
import type { Tool, ToolContext, ToolResult } from "../../tools/types.js";
import { TEST_VALKEY_URL, uniq } from "../support/env.js";
import { HashEmbedder } from "../support/hash-embedder.js";
import { openTestPostgres } from "../support/pg.js";

export const ALICE = "1";
export const BOB = "2";
/** A customer without a card on file. */
export const CAROL = "3";
export const GUEST = "guest-7f3a";

const DAY = 86_400_000;
/** A departure date a month ahead (UTC date; flights leave at midday in Seattle, still that date). */
export const D = new Date(Date.now() + 30 * DAY).toISOString().slice(0, 10);
export const D_NEXT = new Date(Date.now() + 31 * DAY).toISOString().slice(0, 10);

export interface Harness {
  sql: Sql;
  store: ShortTermStore;
  embedder: Embedder;
  cache: ToolCache;
  processor: SimulatedProcessor;
  // biome-ignore lint/suspicious/noExplicitAny: the tool map as createTools returns it
  tools: Record<string, Tool<any>>;
  config: Config;
  logger: Logger;
  /** Every log line written so far. */
  logs: string[];
  ctx(actor: string, options?: { idempotencyKey?: string }): ToolContext;
  /** Validates like the orchestrator's tool runner, then runs. */
  call(name: string, input: unknown, ctx: ToolContext): Promise<ToolResult>;
  /** A new flight; returns its id. */
  addFlight(f: Partial<FlightSpec>): Promise<string>;
  close(): Promise<void>;
}

export interface FlightSpec {
  airline: string;
  number: string;
  origin: string;
  destination: string;
  departAt: string;
  minutes: number;
  priceCents: number;
  seats: number;
}

let nextFlightId = 1000;

export interface HarnessOptions {
  /** Instead of the real Valkey. */
  store?: ShortTermStore;
  /** Instead of the hashed bag-of-words test embedder. */
  embedder?: Embedder;
  env?: Record<string, string>;
}

export async function openHarness(options: HarnessOptions = {}): Promise<Harness> {
  const pg = await openTestPostgres({ label: "tools" });
  // On PGlite, one connection: pglite-socket runs every connection's protocol messages on one PGlite
  // session and, outside a transaction, interleaves them message by message, so another
  // connection's transaction can destroy a pending query's unnamed portal ("portal \"\" does not
  // exist"). PGlite executes one statement at a time anyway; the tools' SQL is written for a
  // real multi-connection Postgres, which the real-PG lane gives them.
  const sql = connectPostgres(pg.url, {
    max: pg.real ? 10 : 1,
    onnotice: () => {},
    transform: { undefined: null },
  });
  const embedder = options.embedder ?? new HashEmbedder(64);
  await migrate(sql, embedder);
  await insertWorld(sql, embedder);

  const logs: string[] = [];
  const logger = createLogger({
    level: "debug",
    destination: { write: (line: string) => void logs.push(line) },
  });
  const store = options.store ?? (await ValkeyStore.connect({ url: TEST_VALKEY_URL }));
  const cache = createToolCache(store, { logger, namespace: uniq("tools-test") });
  const processor = new SimulatedProcessor();
  const config = loadConfig({ ...pg.env, LOG_LEVEL: "silent", ...options.env });
  const tools = createTools({ sql, store, embedder, config, logger, cache, processor });

  const ctx = (actor: string, o: { idempotencyKey?: string } = {}): ToolContext => ({
    actor: { id: actor, guest: !/^\d+$/.test(actor) },
    sessionId: uniq("session"),
    logger,
    signal: new AbortController().signal,
    deadline: Date.now() + 30_000,
    ...(o.idempotencyKey === undefined ? {} : { idempotencyKey: o.idempotencyKey }),
  });

  const call = async (name: string, input: unknown, c: ToolContext): Promise<ToolResult> => {
    const tool = tools[name];
    if (!tool) throw new Error(`no tool ${name}`);
    const parsed = tool.input.safeParse(input);
    if (!parsed.success) return { status: "error", error: `invalid input: ${z.prettifyError(parsed.error)}` };
    return tool.run(parsed.data, c);
  };

  const addFlight = async (f: Partial<FlightSpec>): Promise<string> => {
    const id = nextFlightId++;
    const depart = new Date(f.departAt ?? `${D}T20:00:00Z`);
    await sql`INSERT INTO flights (id, airline, flight_number, origin, destination, depart_at, arrive_at,
                                   price_cents, seats_total, seats_available)
      VALUES (${id}, ${f.airline ?? "PC"}, ${f.number ?? `PC${id}`}, ${f.origin ?? "SEA"}, ${f.destination ?? "LAX"},
              ${depart}, ${new Date(depart.getTime() + (f.minutes ?? 150) * 60_000)}, ${f.priceCents ?? 25_000},
              ${f.seats ?? 100}, ${f.seats ?? 100})`;
    return String(id);
  };

  return {
    sql,
    store,
    embedder,
    cache,
    processor,
    tools,
    config,
    logger,
    logs,
    ctx,
    call,
    addFlight,
    close: async () => {
      if (!options.store) await store.close();
      await sql.end({ timeout: 5 });
      await pg.close();
    },
  };
}

const GUIDES = [
  {
    slug: "guide-honolulu",
    title: "Honolulu for families",
    city: "Honolulu",
    iata: "HNL",
    body:
      "Honolulu is on Oahu. Waikiki Beach has calm water for children in the morning. " +
      "Hanauma Bay is a snorkeling reserve; book the entry online. The Honolulu Zoo and the aquarium " +
      "are next to Waikiki. Trade winds keep evenings mild all year.",
  },
  {
    slug: "guide-tokyo",
    title: "Tokyo essentials",
    city: "Tokyo",
    iata: "NRT",
    body:
      "Tokyo's trains are fast and punctual; buy a Suica card at the airport. Ramen and sushi are " +
      "everywhere, from tiny counters to department store food halls. Cherry blossoms peak in early April.",
  },
];

const POLICIES = [
  {
    slug: "refund-policy",
    title: "Refunds and cancellations",
    kind: "policy",
    topic: "refunds",
    body:
      "You can cancel any booking. A cancellation within 24 hours of booking, when departure is at least " +
      "7 days away, gets a full refund to the card. Insured bookings get the fare refunded. Otherwise a " +
      "cancellation 14 or more days before departure gets 50% as travel credit.",
  },
  {
    slug: "baggage-policy",
    title: "Checked baggage",
    kind: "policy",
    topic: "baggage",
    body: "Each passenger may check one bag up to 23 kg. A second checked bag costs $45. Oversized bags cost $100.",
  },
  {
    slug: "pets-faq",
    title: "Can I fly with my pet?",
    kind: "faq",
    topic: "pets",
    body: "Small cats and dogs can fly in the cabin in a carrier under the seat for $95 each way.",
  },
];

interface Conversation {
  id: number;
  customer: number;
  subject: string;
  messages: string[];
}

const CONVERSATIONS: Conversation[] = [
  {
    id: 1,
    customer: 1,
    subject: "Updating my contact email for travel notifications",
    messages: [
      "Hi, I no longer check alice@example.com often. For bookings and travel alerts please use alice.travel@mailbox.example.org from now on.",
      "Noted: alice.travel@mailbox.example.org is your preferred contact for trip notifications. Your login email stays alice@example.com.",
    ],
  },
  {
    id: 2,
    customer: 1,
    subject: "Delayed bag after flight to Honolulu",
    messages: [
      "My checked bag didn't arrive in Honolulu. My card 4242 4242 4242 4242 was charged for it.",
      "Sorry about that. We'll call +1-555-201-3344 as soon as the bag is scanned at HNL.",
    ],
  },
  {
    id: 3,
    customer: 2,
    subject: "Refund question for cancelled Tokyo trip",
    messages: [
      "I cancelled my Tokyo trip. Please send the refund notice to bob.alt@mailbox.example.org.",
      "Card refunds take 5 to 10 business days; I'll email bob.alt@mailbox.example.org.",
    ],
  },
];

async function insertWorld(sql: Sql, embedder: Embedder): Promise<void> {
  const vec = async (text: string): Promise<string> => toVector((await embedder.embed([text]))[0]!);
  await sql`INSERT INTO airports (iata, name, city, country, lat, lon, timezone) VALUES
    ('SEA', 'Seattle-Tacoma International Airport', 'Seattle', 'US', 47.45, -122.31, 'America/Los_Angeles'),
    ('NRT', 'Narita International Airport', 'Tokyo', 'JP', 35.77, 140.39, 'Asia/Tokyo'),
    ('HNL', 'Daniel K. Inouye International Airport', 'Honolulu', 'US', 21.32, -157.92, 'Pacific/Honolulu'),
    ('LAX', 'Los Angeles International Airport', 'Los Angeles', 'US', 33.94, -118.41, 'America/Los_Angeles')`;
  await sql`INSERT INTO airlines (code, name) VALUES
    ('PC', 'Pacific Crest Airlines'), ('IA', 'Island Air'), ('SB', 'SkyBridge')`;
  await sql`INSERT INTO customers (id, name, email, phone, card_last4) VALUES
    (1, 'Alice Example', 'alice@example.com', '+1-555-000-0001', '4242'),
    (2, 'Bob Example', 'bob@example.com', '+1-555-000-0002', '0002'),
    (3, 'Carol Example', 'carol@example.com', '+1-555-000-0003', NULL)`;
  const at = (date: string, time: string): Date => new Date(`${date}T${time}Z`);
  const flights = [
    // id, airline, number, origin, destination, depart, minutes, price, seats
    [1, "PC", "PC101", "SEA", "NRT", at(D, "20:00:00"), 630, 85_000, 100],
    [2, "IA", "IA202", "SEA", "NRT", at(D, "18:00:00"), 660, 70_000, 50],
    [3, "SB", "SB303", "SEA", "NRT", at(D, "22:00:00"), 600, 99_000, 2],
    [4, "PC", "PC102", "SEA", "NRT", at(D_NEXT, "20:00:00"), 630, 80_000, 100],
    [5, "PC", "PC500", "SEA", "NRT", new Date(Date.now() - DAY), 630, 10_000, 100],
    [6, "PC", "PC601", "LAX", "HNL", at(D, "18:00:00"), 330, 40_000, 0],
    [7, "IA", "IA602", "LAX", "HNL", at(D, "19:00:00"), 320, 45_000, 80],
  ] as const;
  for (const [id, airline, number, origin, destination, depart, minutes, price, seats] of flights) {
    await sql`INSERT INTO flights (id, airline, flight_number, origin, destination, depart_at, arrive_at,
                                   price_cents, seats_total, seats_available)
      VALUES (${id}, ${airline}, ${number}, ${origin}, ${destination}, ${depart},
              ${new Date(depart.getTime() + minutes * 60_000)}, ${price}, ${Math.max(seats, 1)}, ${seats})`;
  }
  await sql`INSERT INTO hotels (id, name, iata, city, stars, price_per_night_cents, rating, family_friendly, amenities) VALUES
    (1, 'Lagoon Family Resort Honolulu', 'HNL', 'Honolulu', 4, 28000, 4.6, true, ${["kids club", "pool"]}),
    (2, 'Harbor Business Hotel Honolulu', 'HNL', 'Honolulu', 3, 16000, 4.1, false, ${["gym", "wifi"]}),
    (3, 'Palm Budget Inn Honolulu', 'HNL', 'Honolulu', 2, 9000, 3.7, true, ${["wifi"]}),
    (4, 'Shinjuku Grand Tokyo', 'NRT', 'Tokyo', 5, 42000, 4.8, false, ${["spa", "wifi"]})`;
  for (const g of GUIDES) {
    await sql`INSERT INTO knowledge_documents (slug, title, body, kind, topic, city, iata, embedding)
      VALUES (${g.slug}, ${g.title}, ${g.body}, 'guide', 'destination', ${g.city}, ${g.iata},
              ${await vec(`${g.title}. ${g.body}`)}::vector)`;
  }
  for (const p of POLICIES) {
    await sql`INSERT INTO knowledge_documents (slug, title, body, kind, topic, embedding)
      VALUES (${p.slug}, ${p.title}, ${p.body}, ${p.kind}, ${p.topic}, ${await vec(`${p.title}. ${p.body}`)}::vector)`;
  }
  let messageId = 1;
  for (const c of CONVERSATIONS) {
    const started = new Date(Date.now() - (40 + c.id) * DAY);
    await sql`INSERT INTO support_conversations (id, customer_id, subject, started_at)
      VALUES (${c.id}, ${c.customer}, ${c.subject}, ${started})`;
    for (const [i, content] of c.messages.entries()) {
      await sql`INSERT INTO support_messages (id, conversation_id, role, content, created_at, embedding)
        VALUES (${messageId++}, ${c.id}, ${i % 2 === 0 ? "customer" : "agent"}, ${content},
                ${new Date(started.getTime() + i * 60_000)}, ${await vec(content)}::vector)`;
    }
  }
}

/** The JSON of a successful result (fails the test otherwise). */
export function json<T = Record<string, unknown>>(result: ToolResult): T {
  if (result.status !== "success") throw new Error(`expected success, got error: ${result.error}`);
  return result.json as T;
}

/** The error text of a failed result (fails the test otherwise). */
export function errorOf(result: ToolResult): string {
  if (result.status !== "error") throw new Error(`expected an error, got ${JSON.stringify(result.json)}`);
  return result.error;
}
