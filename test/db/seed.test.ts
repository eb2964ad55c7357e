/** The Flightly world: deterministic, realistic, and written once. */
import { createHash } from "node:crypto";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.js";
import { createLogger } from "../../core/logger.js";
import { connectPostgres } from "../../memory/db/index.js";
import { countWorld, insertRows, seed } from "../../memory/db/seed.js";
import { generateWorld, haversineKm } from "../../memory/db/world.js";
import { createEmbedder } from "../../memory/embeddings/index.js";
import { openTestPostgres, type TestPostgres } from "../support/pg.js";
import { worldDir } from "../support/world.js";

const digest = (value: unknown): string => createHash("sha256").update(JSON.stringify(value)).digest("hex");

describe("the generated world", () => {
  const anchor = new Date("2026-11-21T08:00:00Z");
  const world = generateWorld(anchor);

  it("is the same every time for the same day", () => {
    expect(digest(generateWorld(new Date("2026-11-21T23:59:00Z")))).toBe(digest(world));
    expect(digest(generateWorld(new Date("2026-11-22T00:00:00Z")).flights)).not.toBe(digest(world.flights));
  });

  it("has the required airports with true coordinates, and Island Air", () => {
    expect(world.airports.length).toBeGreaterThanOrEqual(60);
    const codes = new Set(world.airports.map((a) => a.iata));
    for (const c of [
      "LAS",
      "HNL",
      "OGG",
      "KOA",
      "SEA",
      "LAX",
      "SFO",
      "JFK",
      "MIA",
      "NRT",
      "HND",
      "KIX",
      "DPS",
      "CDG",
      "FCO",
      "LHR",
      "SYD",
    ]) {
      expect(codes.has(c), c).toBe(true);
    }
    const at = (c: string) => world.airports.find((a) => a.iata === c)!;
    expect(haversineKm(at("JFK"), at("LHR"))).toBeGreaterThan(5_400);
    expect(haversineKm(at("JFK"), at("LHR"))).toBeLessThan(5_700);
    expect(world.airlines.map((a) => a.name)).toContain("Island Air");
  });

  it("schedules plausible flights over the next 120 days", () => {
    const day = 86_400_000;
    const next120 = world.flights.filter((f) => f.depart_at.getTime() < anchor.getTime() + 121 * day);
    expect(next120.length).toBeGreaterThanOrEqual(20_000);
    expect(Math.min(...world.flights.map((f) => f.depart_at.getTime()))).toBeGreaterThan(anchor.getTime());
    for (const f of world.flights.slice(0, 2_000)) {
      expect(f.arrive_at.getTime()).toBeGreaterThan(f.depart_at.getTime());
      expect(f.seats_available).toBeLessThanOrEqual(f.seats_total);
      expect(f.price_cents).toBeGreaterThan(0);
    }
    // Longer flights cost more on average.
    const avg = (o: string, d: string) => {
      const xs = world.flights.filter((f) => f.origin === o && f.destination === d).map((f) => f.price_cents);
      return xs.reduce((a, b) => a + b, 0) / xs.length;
    };
    expect(avg("SEA", "NRT")).toBeGreaterThan(avg("HNL", "OGG"));
    expect(world.flights.some((f) => f.airline === "IA" && f.origin === "HNL")).toBe(true);
  });

  it("has hotels, documents, customers with profiles, and support emails that differ from the profile", () => {
    expect(world.hotels.length).toBeGreaterThanOrEqual(500);
    expect(world.documents.filter((d) => d.kind === "guide").length).toBeGreaterThanOrEqual(100);
    expect(world.documents.filter((d) => d.kind !== "guide").length).toBeGreaterThanOrEqual(60);
    expect(world.customers.length).toBeGreaterThanOrEqual(200);
    expect(world.customers.some((c) => c.profile.children_ages.length > 0)).toBe(true);
    const differing = world.conversations.filter((c) => c.contact_email !== null);
    expect(differing.length).toBeGreaterThan(20);
    for (const conv of differing) {
      const customer = world.customers.find((c) => c.id === conv.customer_id)!;
      expect(conv.contact_email).not.toBe(customer.email);
      expect(conv.messages.some((m) => m.content.includes(conv.contact_email!))).toBe(true);
    }
    const topics = new Set(world.documents.map((d) => d.topic));
    for (const t of [
      "baggage",
      "check-in",
      "cancellation",
      "refunds",
      "pets",
      "insurance",
      "loyalty",
      "seats",
      "delays",
      "wifi",
      "visas",
    ]) {
      expect(topics.has(t), t).toBe(true);
    }
  });
});

describe("flightly seed", () => {
  let pg: TestPostgres;
  let sql: postgres.Sql;
  const logger = createLogger({ level: "silent" });
  const embedder = createEmbedder(loadConfig({}));

  beforeAll(async () => {
    pg = await openTestPostgres({ world: true, label: "seed", copyWorld: worldDir });
    sql = connectPostgres(pg.url, { max: 4, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
    await pg?.close();
  });

  it("stores every column as generated (arrays, JSON profiles, instants, vectors) and rebuilds the indexes it deferred", async () => {
    const [{ value: anchor } = { value: "" }] = await sql<
      { value: string }[]
    >`SELECT value FROM flightly_meta WHERE key = 'seed_anchor'`;
    const world = generateWorld(new Date(anchor));
    const hotel = world.hotels.find((h) => h.amenities.length > 1)!;
    const [storedHotel] =
      await sql`SELECT name, amenities, family_friendly FROM hotels WHERE id = ${hotel.id}`;
    expect(storedHotel).toEqual({
      name: hotel.name,
      amenities: hotel.amenities,
      family_friendly: hotel.family_friendly,
    });
    const customer = world.customers.find((c) => c.profile.children_ages.length > 0)!;
    const [storedCustomer] = await sql`SELECT email, profile FROM customers WHERE id = ${customer.id}`;
    expect(storedCustomer).toEqual({ email: customer.email, profile: customer.profile });
    const flight = world.flights[world.flights.length - 1]!;
    const [storedFlight] = await sql<{ depart_at: Date; price_cents: number }[]>`
      SELECT depart_at, price_cents FROM flights WHERE id = ${flight.id}`;
    expect(storedFlight?.depart_at.getTime()).toBe(flight.depart_at.getTime());
    expect(storedFlight?.price_cents).toBe(flight.price_cents);
    const [message] = await sql<{ content: string; embedding: string }[]>`
      SELECT content, embedding::text AS embedding FROM support_messages ORDER BY id DESC LIMIT 1`;
    const [expected] = await embedder.embed([message!.content]);
    const stored = JSON.parse(message!.embedding) as number[];
    expect(stored).toHaveLength(expected!.length);
    for (const [i, x] of stored.entries()) expect(x).toBeCloseTo(expected![i]!, 5);
    const indexes = (await sql<{ indexname: string }[]>`SELECT indexname FROM pg_indexes`).map(
      (r) => r.indexname,
    );
    for (const name of [
      "flights_route_time",
      "hotels_city",
      "knowledge_documents_embedding",
      "knowledge_documents_search",
      "support_messages_conversation",
      "support_messages_embedding",
    ]) {
      expect(indexes, name).toContain(name);
    }
  });

  it("keeps the foreign keys it deferred while loading, checked against the loaded rows", async () => {
    const keys = await sql<{ table: string; valid: boolean }[]>`
      SELECT t.relname AS table, k.convalidated AS valid FROM pg_constraint k
      JOIN pg_class t ON t.oid = k.conrelid
      WHERE k.contype = 'f' AND t.relname IN ('flights', 'hotels', 'support_conversations', 'support_messages')`;
    expect(keys.filter((k) => k.table === "flights").length).toBeGreaterThanOrEqual(3);
    expect(keys.filter((k) => k.table === "support_messages").length).toBeGreaterThanOrEqual(1);
    expect(keys.every((k) => k.valid)).toBe(true);
    const [flight] = await sql<{ id: number }[]>`SELECT id FROM flights ORDER BY id LIMIT 1`;
    await expect(sql`UPDATE flights SET airline = 'Q9' WHERE id = ${flight!.id}`).rejects.toMatchObject({
      code: "23503",
    });
  });

  it("writes text with quotes, backslashes, commas and braces, numbers, nulls and JSON exactly", async () => {
    await sql`CREATE TABLE seed_rows (id int, name text, note text, amount numeric, data jsonb, at timestamptz)`;
    const rows = [
      { id: 1, name: 'say "hi", {ok}', note: null, amount: 1.5, data: { a: 'x"y\\z' }, at: new Date(0) },
      { id: 2, name: "back\\slash\\", note: "NULL", amount: -2, data: [1, "two"], at: new Date(1e12) },
    ];
    await insertRows(sql, "seed_rows", rows, 1);
    const stored =
      await sql`SELECT id, name, note, amount::float AS amount, data, at FROM seed_rows ORDER BY id`;
    await sql`DROP TABLE seed_rows`;
    expect(stored).toEqual(rows);
  });

  it("a second seed finds the world and changes nothing; --reset writes the same world again", async () => {
    const before = await countWorld(sql);
    const flightsDigest = async () =>
      digest(
        await sql`SELECT id, airline, origin, destination, depart_at, price_cents FROM flights ORDER BY id LIMIT 500`,
      );
    const firstDigest = await flightsDigest();
    const again = await seed(sql, embedder, logger);
    expect(again.seeded).toBe(false);
    expect(await countWorld(sql)).toEqual(before);

    const [{ value: anchor } = { value: "" }] = await sql<
      { value: string }[]
    >`SELECT value FROM flightly_meta WHERE key = 'seed_anchor'`;
    const reset = await seed(sql, embedder, logger, { reset: true, anchor: new Date(anchor) });
    expect(reset.seeded).toBe(true);
    expect(reset.counts).toEqual(before);
    expect(await flightsDigest()).toBe(firstDigest);
  }, 120_000);
});
