/**
 * A reference in a new session ("over there") resolved from the customer's long-term memory: the
 * flight they booked in an earlier session names the place, the hotel search runs there and the
 * answer's trail says the place came from memory. A guest has no memory and is asked; another
 * customer's bookings are never used, and no answer built on one customer's memory is served to
 * anyone else from the cache: a request that needed memory is neither looked up nor stored.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readMemoryRecords } from "../../memory/referents.js";
import { MODES, type Scenario, startScenario, trail } from "./harness.js";

describe.each(MODES)("references resolved from long-term memory (%s)", (mode) => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(mode);
  });
  afterAll(async () => {
    await s?.close();
  });

  /** Books the cheapest flight of `route` in a session of its own; returns the booking's ref. */
  async function bookTrip(actor: string, route: string): Promise<string> {
    const session = randomUUID();
    const search = await s.invoke(`show me flights ${route}`, { actor, session });
    expect(search.status).toBe(200);
    expect(s.calls.some((c) => c.name === "search_flights" && c.status === "success")).toBe(true);
    const book = await s.invoke("book the cheapest one for me", { actor, session });
    expect(book.status).toBe(200);
    const reserve = s.calls.find((c) => c.name === "reserve_flight" && c.status === "success");
    expect(reserve).toBeDefined();
    return (reserve!.json as { booking_ref: string }).booking_ref;
  }

  const hotelSearches = () => s.calls.filter((c) => c.name === "search_hotels");
  const prompt = "Could you also find me a room over there?";

  it("a customer's new session finds hotels where their booked flight goes, and says so", async () => {
    const ref = await bookTrip("61", "from Seattle to Honolulu on June 12");
    const [booked] = await s.sql<{ destination: string }[]>`
      SELECT f.destination FROM bookings b JOIN flights f ON f.id = b.flight_id
      WHERE b.ref = ${ref} AND b.customer_id = 61`;
    expect(booked?.destination).toBe("HNL");

    const later = await s.invoke(prompt, { actor: "61", session: randomUUID() });
    expect(later.status).toBe(200);
    expect(trail(later)).toContain("booking");
    const searches = hotelSearches();
    expect(searches.length).toBeGreaterThan(0);
    expect(searches.every((c) => c.input.city === "HNL" && c.status === "success")).toBe(true);
    expect(later.body.references).toEqual([
      expect.objectContaining({ kind: "place", iata: "HNL", source: "memory", via: "booking", ref }),
    ]);
  });

  it("a guest asking the same is asked where, and given no customer's city", async () => {
    const guest = await s.invoke(prompt, { actor: `guest-${randomUUID()}`, session: randomUUID() });
    expect(guest.status).toBe(200);
    expect(guest.body.cache.hit).toBe(false);
    expect(hotelSearches()).toEqual([]);
    expect(guest.body.references).toEqual([]);
    expect(guest.body.response).toMatch(/\?/);
    expect(guest.body.response).not.toMatch(/Honolulu/);
  });

  it("a customer with nothing in memory is asked too; one with their own booking gets their own city", async () => {
    const empty = await s.invoke(prompt, { actor: "62", session: randomUUID() });
    expect(empty.status).toBe(200);
    expect(empty.body.cache.hit).toBe(false);
    expect(hotelSearches()).toEqual([]);
    expect(empty.body.references).toEqual([]);
    expect(empty.body.response).not.toMatch(/Honolulu/);

    const ref = await bookTrip("63", "from Seattle to Tokyo in June");
    const own = await s.invoke(prompt, { actor: "63", session: randomUUID() });
    expect(own.status).toBe(200);
    expect(own.body.cache.hit).toBe(false);
    const searches = hotelSearches();
    expect(searches.length).toBeGreaterThan(0);
    expect(searches.every((c) => ["NRT", "HND"].includes(String(c.input.city)))).toBe(true);
    expect(own.body.references).toEqual([expect.objectContaining({ source: "memory", via: "booking", ref })]);
  });

  it("the session still beats memory: a place named in this session is where 'over there' points", async () => {
    const session = randomUUID();
    await s.invoke("what's the weather like in Denver next week?", { actor: "61", session });
    const here = await s.invoke(prompt, { actor: "61", session });
    expect(here.status).toBe(200);
    const searches = hotelSearches();
    expect(searches.length).toBeGreaterThan(0);
    expect(searches.every((c) => c.input.city === "DEN")).toBe(true);
    expect(here.body.references).toEqual([expect.objectContaining({ iata: "DEN", source: "session" })]);
  });

  it("a memory-resolved question never touches the cache: neither served nor stored", async () => {
    // 61 booked Honolulu, 63 booked Tokyo (above); forecasts are shared across customers.
    const words = "Is it going to rain over there this week?";
    const first = await s.invoke(words, { actor: "61", session: randomUUID() });
    expect(first.status).toBe(200);
    expect(first.body.cache).toMatchObject({ hit: false, reason: "needs long-term memory" });
    expect(first.body.references).toEqual([expect.objectContaining({ iata: "HNL", source: "memory" })]);

    const again = await s.invoke(words, { actor: "61", session: randomUUID() });
    expect(again.body.cache).toMatchObject({ hit: false, reason: "needs long-term memory" });
    expect(again.body.usage.modelCalls).toBeGreaterThan(0);

    const tokyo = await s.invoke(words, { actor: "63", session: randomUUID() });
    expect(tokyo.body.cache.hit).toBe(false);
    expect(tokyo.body.response).not.toBe(first.body.response);
    expect(tokyo.body.references).toEqual([expect.objectContaining({ source: "memory", via: "booking" })]);
    expect(["NRT", "HND"]).toContain(tokyo.body.references[0]?.iata);

    const guest = await s.invoke(words, { actor: `guest-${randomUUID()}`, session: randomUUID() });
    expect(guest.body.cache.hit).toBe(false);
    expect(guest.body.response).not.toBe(first.body.response);

    // Nothing was stored under the place it resolved to either: Honolulu in words is computed.
    const named = await s.invoke("Is it going to rain in Honolulu this week?", {
      actor: "64",
      session: randomUUID(),
    });
    expect(named.body.cache.hit).toBe(false);
  });

  it("reads memory in one query, only for a signed-in customer whose words refer to a place the session lacks", async () => {
    const memory = s.rt.app.memory;
    const read = memory.remembered.bind(memory);
    const asked: string[] = [];
    memory.remembered = async (actorId) => {
      asked.push(actorId);
      return read(actorId);
    };
    try {
      await s.invoke(prompt, { actor: `guest-${randomUUID()}`, session: randomUUID() });
      await s.invoke("Could you find me a room in Denver?", { actor: "61", session: randomUUID() });
      await s.invoke("Any rooms with a sea view?", { actor: "61", session: randomUUID() });
      const session = randomUUID();
      await s.invoke("show me flights from Seattle to Boston on June 20", { actor: "61", session });
      await s.invoke(prompt, { actor: "61", session });
      expect(asked).toEqual([]);
      await s.invoke(prompt, { actor: "61", session: randomUUID() });
      expect(asked).toEqual(["61"]);
    } finally {
      memory.remembered = read;
    }
  });

  it("the memory query returns only the asking customer's bookings and memories", async () => {
    const mine = await readMemoryRecords(s.sql, "61");
    const theirs = await readMemoryRecords(s.sql, "63");
    const bookingsOf = async (id: number) =>
      (await s.sql<{ ref: string }[]>`SELECT ref FROM bookings WHERE customer_id = ${id}`).map((r) => r.ref);
    expect(mine.filter((r) => r.kind === "booking").map((r) => r.ref)).toEqual(await bookingsOf(61));
    expect(theirs.filter((r) => r.kind === "booking").map((r) => r.ref)).toEqual(await bookingsOf(63));
    expect(mine.some((r) => theirs.some((t) => t.kind === r.kind && t.ref === r.ref))).toBe(false);
    expect(await readMemoryRecords(s.sql, `guest-${randomUUID()}`)).toEqual([]);
    expect((await readMemoryRecords(s.sql, "62")).filter((r) => r.kind === "booking")).toEqual([]);
  });
});
