/**
 * One-stop connections in `search_flights` (`max_stops: 1`): legs that meet at a stop 1 to 8 hours
 * apart, with the party's seats on both, fares added up; and a cached search with connections is
 * dropped when a seat on one of its legs is sold, so it never offers seats that are gone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, D, GUEST, type Harness, json, openHarness } from "./fixture.js";

interface Leg {
  flight_id: string;
  origin: string;
  destination: string;
  flight_number: string;
}
interface Found {
  flights: Leg[];
  connections?: { via: string; legs: Leg[]; price_usd: number; layover_minutes: number }[];
}

describe("search_flights with connections", () => {
  let h: Harness;
  let feeder: string;

  beforeAll(async () => {
    h = await openHarness();
    // Seattle → Los Angeles lands at 16:30 UTC; Island Air IA602 leaves Los Angeles for Honolulu
    // at 19:00 (80 seats), PC601 at 18:00 is sold out. No Seattle → Honolulu flight exists.
    feeder = await h.addFlight({
      airline: "SB",
      number: "SB77",
      origin: "SEA",
      destination: "LAX",
      departAt: `${D}T14:00:00Z`,
      minutes: 150,
      priceCents: 12_000,
      seats: 3,
    });
    // Lands too late for anything the same evening (the next Honolulu flight is > 8 h away).
    await h.addFlight({
      airline: "PC",
      number: "PC88",
      origin: "SEA",
      destination: "LAX",
      departAt: `${D}T05:00:00Z`,
      minutes: 150,
      priceCents: 9_000,
      seats: 50,
    });
  });
  afterAll(async () => {
    await h.close();
  });

  const search = async (input: Record<string, unknown>): Promise<Found> =>
    json<Found>(
      await h.call("search_flights", { origin: "SEA", destination: "HNL", date: D, ...input }, h.ctx(GUEST)),
    );

  it("lists only non-stop flights unless asked for connections", async () => {
    const direct = await search({});
    expect(direct.flights).toEqual([]);
    expect(direct.connections).toBeUndefined();
  });

  it("joins legs 1 to 8 hours apart with seats for the party, fares added up", async () => {
    const found = await search({ max_stops: 1, passengers: 2 });
    expect(found.flights).toEqual([]);
    expect(found.connections).toHaveLength(1);
    const [c] = found.connections!;
    expect(c!.via).toBe("LAX");
    expect(c!.legs.map((l) => l.flight_number)).toEqual(["SB77", "IA602"]);
    expect(c!.layover_minutes).toBe(150);
    expect(c!.price_usd).toBe(120 + 450);
    // A party larger than the first leg's seats has no connection.
    expect((await search({ max_stops: 1, passengers: 4 })).connections).toEqual([]);
    // The fare cap applies to both legs together.
    expect((await search({ max_stops: 1, passengers: 2, max_price_usd: 560 })).connections).toEqual([]);
  });

  it("drops a cached search with connections when a seat on a leg is sold", async () => {
    const before = await search({ max_stops: 1, passengers: 2 });
    expect(before.connections).toHaveLength(1);
    const hits = h.cache.stats().hits;
    expect((await search({ max_stops: 1, passengers: 2 })).connections).toHaveLength(1);
    expect(h.cache.stats().hits).toBe(hits + 1);

    const held = json<{ status: string }>(
      await h.call("reserve_flight", { flight_id: feeder, passengers: 2 }, h.ctx(ALICE)),
    );
    expect(held.status).toBe("held");
    // One seat is left on the first leg: the same search, asked again, no longer offers it.
    expect((await search({ max_stops: 1, passengers: 2 })).connections).toEqual([]);
  });
});
