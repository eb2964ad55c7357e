/**
 * The deterministic Flightly world: airports, airlines, a flight schedule (the whole network
 * for 120 days, the key routes for a year), hotels, customers with profiles and their past support conversations. Pure functions
 * of the anchor date and a seeded PRNG; `seed.ts` writes the result.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DATA } from "../../core/paths.js";
import { supportHistory } from "./world-support.js";
import type {
  AirlineRow,
  AirportRow,
  CustomerRow,
  FlightRow,
  HotelRow,
  KnowledgeDoc,
  World,
} from "./world-types.js";

export type {
  AirlineRow,
  AirportRow,
  CustomerProfile,
  CustomerRow,
  FlightRow,
  HotelRow,
  KnowledgeDoc,
  SupportConversationRow,
  World,
} from "./world-types.js";

export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const readData = <T>(...path: string[]): T => JSON.parse(readFileSync(join(DATA, ...path), "utf8")) as T;

export function haversineKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

const HAWAII = new Set(["HNL", "OGG", "KOA", "LIH"]);
/** Routes every world has, whatever the nearest-neighbour network gives. */
const KEY_ROUTES: [string, string][] = [
  ["SEA", "NRT"],
  ["SEA", "HND"],
  ["SEA", "HNL"],
  ["SEA", "LAX"],
  ["SEA", "SFO"],
  ["LAS", "HNL"],
  ["LAS", "OGG"],
  ["LAS", "LAX"],
  ["LAS", "JFK"],
  ["HNL", "OGG"],
  ["HNL", "KOA"],
  ["HNL", "LIH"],
  ["OGG", "KOA"],
  ["LAX", "HNL"],
  ["SFO", "HNL"],
  ["LAX", "NRT"],
  ["SFO", "NRT"],
  ["LAX", "SYD"],
  ["JFK", "LHR"],
  ["JFK", "CDG"],
  ["JFK", "MIA"],
  ["LHR", "CDG"],
  ["CDG", "FCO"],
  ["NRT", "KIX"],
  ["HND", "KIX"],
  ["HND", "DPS"],
  ["SYD", "DPS"],
  ["HNL", "NRT"],
  ["LAX", "JFK"],
  ["MIA", "CUN"],
];

/**
 * Trunk routes a customer tries first (coast to coast, hub to hub), flown daily for half a year by
 * every world. Scheduled after the network with a PRNG of their own, so adding one leaves every
 * other flight, hotel and customer of the world as it was.
 */
const TRUNK_ROUTES: [string, string][] = [
  ["SFO", "JFK"],
  ["SFO", "EWR"],
  ["SFO", "ORD"],
  ["SFO", "BOS"],
  ["SFO", "IAD"],
  ["LAX", "ORD"],
  ["DEN", "ORD"],
  ["DEN", "LAX"],
  ["DEN", "JFK"],
  ["SEA", "JFK"],
  ["SEA", "DEN"],
  ["ATL", "JFK"],
  ["ATL", "ORD"],
  ["ATL", "LAX"],
  ["BOS", "ORD"],
  ["DFW", "ORD"],
  ["DFW", "JFK"],
  ["MIA", "ORD"],
  ["MCO", "JFK"],
  ["PHX", "ORD"],
];
const TRUNK_DAYS = 180;

function buildRoutes(airports: AirportRow[], rnd: () => number): [string, string][] {
  const byCode = new Map(airports.map((a) => [a.iata, a]));
  const pairs = new Set<string>();
  const add = (a: string, b: string): void => {
    if (a === b || !byCode.has(a) || !byCode.has(b)) return;
    pairs.add(`${a}-${b}`);
    pairs.add(`${b}-${a}`);
  };
  for (const [a, b] of KEY_ROUTES) add(a, b);
  for (const a of airports) {
    const nearest = airports
      .filter((b) => b.iata !== a.iata)
      .map((b) => ({ b, d: haversineKm(a, b) }))
      .sort((x, y) => x.d - y.d)
      .slice(0, 3);
    for (const { b } of nearest) add(a.iata, b.iata);
    // One long-haul link per airport keeps the network connected across regions.
    const far = airports[Math.floor(rnd() * airports.length)]!;
    add(a.iata, far.iata);
  }
  return [...pairs].sort().map((p) => p.split("-") as [string, string]);
}

function airlinesFor(route: [string, string], airlines: AirlineRow[], rnd: () => number): AirlineRow[] {
  const island = airlines.find((a) => a.name === "Island Air");
  const others = airlines.filter((a) => a !== island);
  const pick = (): AirlineRow => others[Math.floor(rnd() * others.length)]!;
  const hubbed = others.filter((a) => a.hubs.includes(route[0]) || a.hubs.includes(route[1]));
  const first = hubbed.length > 0 ? hubbed[Math.floor(rnd() * hubbed.length)]! : pick();
  const touchesHawaii = HAWAII.has(route[0]) || HAWAII.has(route[1]);
  const set = new Set<AirlineRow>([first]);
  if (touchesHawaii && island) set.add(island);
  if (rnd() < 0.45) set.add(pick());
  return [...set];
}

export function generateWorld(anchor: Date, seed = 20_261_121): World {
  const rnd = prng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  const choice = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;

  const airports = readData<AirportRow[]>("airports.json");
  const airlines = readData<AirlineRow[]>("airlines.json");
  const names = readData<{
    first: string[];
    last: string[];
    hotelPrefix: string[];
    hotelSuffix: string[];
    amenities: string[];
  }>("names.json");
  const byCode = new Map(airports.map((a) => [a.iata, a]));
  const day0 = Date.UTC(anchor.getUTCFullYear(), anchor.getUTCMonth(), anchor.getUTCDate());

  // Flights: every route flown daily by each of its airlines for 120 days.
  const flights: FlightRow[] = [];
  let flightId = 1;
  const key = new Set(KEY_ROUTES.flatMap(([a, b]) => [`${a}-${b}`, `${b}-${a}`]));
  const network = buildRoutes(airports, rnd);
  const flown = new Set(network.map(([a, b]) => `${a}-${b}`));
  const trunkRnd = prng(seed + 1);
  const trunks = TRUNK_ROUTES.flatMap(([a, b]): [string, string][] => [
    [a, b],
    [b, a],
  ]).filter(([a, b]) => !flown.has(`${a}-${b}`) && byCode.has(a) && byCode.has(b));
  const schedule = [
    ...network.map((route) => ({ route, trunk: false })),
    ...trunks.map((route) => ({ route, trunk: true })),
  ];
  for (const { route, trunk } of schedule) {
    // Trunk routes draw from their own PRNG: the network's draws stay as they were.
    const r = trunk ? trunkRnd : rnd;
    const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
    const choice = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const [o, d] = [byCode.get(route[0])!, byCode.get(route[1])!];
    // Key routes fly daily for a year (customers plan months ahead), trunk routes daily for half
    // a year; the rest of the network three days a week over the next 120 days.
    const daily = trunk || key.has(`${o.iata}-${d.iata}`);
    const horizon = trunk ? TRUNK_DAYS : daily ? 365 : 120;
    const phase = int(0, 6);
    const km = haversineKm(o, d);
    const minutes = Math.round((km / 820) * 60 + 35);
    for (const airline of airlinesFor(route, airlines, r)) {
      const number = `${airline.code}${int(100, 2999)}`;
      const departMinute = int(6 * 60, 22 * 60);
      const base = 45 + km * (km > 4000 ? 0.075 : 0.11) * (0.85 + r() * 0.3);
      const seatsTotal = km > 4000 ? choice([240, 280, 300]) : choice([76, 120, 150, 180]);
      for (let day = 1; day <= horizon; day++) {
        if (!daily && (day + phase) % 7 > 2) continue;
        const depart = new Date(day0 + day * 86_400_000 + departMinute * 60_000 + int(-20, 20) * 60_000);
        const weekday = depart.getUTCDay();
        const demand = (weekday === 5 || weekday === 0 ? 1.18 : 1) * (day < 14 ? 1.25 : day > 60 ? 0.92 : 1);
        const price = Math.round(base * demand * (0.9 + r() * 0.25)) * 100 - 1;
        flights.push({
          id: flightId++,
          airline: airline.code,
          flight_number: number,
          origin: o.iata,
          destination: d.iata,
          depart_at: depart,
          arrive_at: new Date(depart.getTime() + minutes * 60_000),
          price_cents: Math.max(3_900, price),
          seats_total: seatsTotal,
          seats_available: Math.max(0, Math.round(seatsTotal * (0.05 + r() * 0.6))),
        });
      }
    }
  }

  // Hotels: seven or more per city, priced by stars and the city's cost of living.
  const hotels: HotelRow[] = [];
  let hotelId = 1;
  for (const a of airports) {
    const cost = 0.7 + rnd() * 0.9;
    const count = int(7, 9);
    const used = new Set<string>();
    for (let i = 0; i < count; i++) {
      let name: string;
      do name = `${choice(names.hotelPrefix)} ${choice(names.hotelSuffix)} ${a.city}`;
      while (used.has(name));
      used.add(name);
      const stars = choice([2, 3, 3, 4, 4, 5]);
      const amenities = [...new Set(Array.from({ length: int(3, 6) }, () => choice(names.amenities)))].sort();
      hotels.push({
        id: hotelId++,
        name,
        iata: a.iata,
        city: a.city,
        stars,
        price_per_night_cents: Math.round((45 + stars * stars * 14) * cost * (0.85 + rnd() * 0.3)) * 100,
        rating: Math.round((3.4 + stars * 0.25 + rnd() * 0.5) * 10) / 10,
        family_friendly: amenities.includes("kids club") || amenities.includes("family rooms") || rnd() < 0.4,
        amenities,
      });
    }
  }

  // Customers with profiles.
  const customers: CustomerRow[] = [];
  const homes = ["SEA", "LAS", "LAX", "SFO", "JFK", "MIA", "HNL", "ORD", "DEN", "BOS", "ATL", "DFW"].filter(
    (c) => byCode.has(c),
  );
  const islandAir = airlines.find((a) => a.name === "Island Air")?.name;
  for (let id = 1; id <= 240; id++) {
    const first = names.first[(id - 1) % names.first.length]!;
    const last = names.last[Math.floor((id - 1) / names.first.length + id * 7) % names.last.length]!;
    const kids =
      rnd() < 0.45 ? Array.from({ length: int(1, 3) }, () => int(1, 15)).sort((x, y) => x - y) : [];
    const adults = kids.length > 0 ? choice([1, 2, 2]) : choice([1, 1, 2]);
    const family =
      kids.length > 0
        ? `${adults === 2 ? "two adults" : "one adult"} and ${kids.length === 1 ? "a child" : `${kids.length} children`} aged ${kids.join(" and ")}`
        : adults === 2
          ? "a couple"
          : "travels solo";
    const avoid = rnd() < 0.18 && islandAir ? [islandAir] : [];
    customers.push({
      id,
      name: `${first} ${last}`,
      email: `${first}.${last}${id}@example.com`.toLowerCase().replace(/[^a-z0-9.@]/g, ""),
      phone: `+1-555-${String(int(100, 999))}-${String(int(1000, 9999))}`,
      card_last4: "4242",
      profile: {
        home_airport: choice(homes),
        adults,
        children_ages: kids,
        family,
        budget_per_night_usd: choice([120, 150, 200, 250, 300, 400]),
        seat: rnd() < 0.6 ? "window" : "aisle",
        avoid_airlines: avoid,
        preferred_airline: rnd() < 0.3 ? choice(airlines.filter((a) => a.name !== islandAir)).name : null,
        loyalty_tier: choice(["blue", "blue", "silver", "gold"] as const),
      },
    });
  }

  const conversations = supportHistory(customers, airports, day0, int, choice);

  const policies = readData<Array<Omit<KnowledgeDoc, "keywords"> & { topic: string; keywords?: string[] }>>(
    "knowledge",
    "policies.json",
  );
  const guides = readData<Array<Omit<KnowledgeDoc, "keywords"> & { city: string; iata: string }>>(
    "knowledge",
    "guides.json",
  );
  const documents: KnowledgeDoc[] = [
    ...policies.map((p) => ({
      slug: p.slug,
      title: p.title,
      kind: p.kind,
      topic: p.topic,
      keywords: (p.keywords ?? []).join(", "),
      city: null,
      iata: null,
      body: p.body,
    })),
    ...guides.map((g) => ({
      slug: g.slug,
      title: g.title,
      kind: "guide" as const,
      topic: "destination",
      keywords: "",
      city: g.city,
      iata: g.iata,
      body: g.body,
    })),
  ];

  return { anchor: new Date(day0), airports, airlines, flights, hotels, customers, conversations, documents };
}
