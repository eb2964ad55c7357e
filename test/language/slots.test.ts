import { describe, expect, it } from "vitest";
import { extractSlots, type Slots } from "../../language/index.js";

/** Wednesday 13 May 2026. */
const NOW = new Date("2026-05-13T10:00:00Z");

interface Case {
  text: string;
  /** Fields checked with toMatchObject; `origin`/`destinations` are compared by IATA. */
  expect: Partial<Omit<Slots, "origin" | "destinations">> & {
    origin?: string | null;
    destinations?: string[];
    /** Every airport of the first destination ("Tokyo" → NRT, HND). */
    destinationAirports?: string[];
    originAirports?: string[];
  };
  /** Fields that must be absent. */
  absent?: Array<keyof Slots>;
  now?: string;
}

const CASES: Case[] = [
  // the four from the issue
  { text: "not Island Air", expect: { avoidAirlines: ["Island Air"] }, absent: ["preferredAirline"] },
  { text: "from Vegas", expect: { origin: "LAS", destinations: [] } },
  { text: "Honolulu or Maui", expect: { destinations: ["HNL", "OGG"] }, absent: ["origin"] },
  {
    text: "two adults and kids aged 4 and 8",
    expect: { adults: 2, childrenAges: [4, 8], children: 2, passengers: 4 },
    absent: ["date", "dateRange"],
  },

  // places
  {
    text: "to Tokyo from Seattle",
    expect: { origin: "SEA", destinations: ["NRT"], destinationAirports: ["NRT", "HND"] },
  },
  { text: "SEA to NRT", expect: { origin: "SEA", destinations: ["NRT"], destinationAirports: ["NRT"] } },
  { text: "a hotel with a sea view in Maui", expect: { destinations: ["OGG"] }, absent: ["origin"] },
  { text: "fly out of Vegas next Friday", expect: { origin: "LAS", destinations: [], date: "2026-05-15" } },
  { text: "LAS-HNL on 2026-07-04", expect: { origin: "LAS", destinations: ["HNL"], date: "2026-07-04" } },
  { text: "NYC to Paris", expect: { origin: "JFK", originAirports: ["JFK", "EWR"], destinations: ["CDG"] } },
  { text: "flights to the Big Island", expect: { destinations: ["KOA"] } },
  { text: "Kauai or Oahu from LAX", expect: { origin: "LAX", destinations: ["LIH", "HNL"] } },
  { text: "lax security at the airport", expect: { destinations: [] }, absent: ["origin"] },
  { text: "I live in Seattle and want to visit Bali", expect: { origin: "SEA", destinations: ["DPS"] } },
  { text: "a week in Nice", expect: { destinations: ["NCE"], nights: 7 } },
  { text: "Nice hotel in Paris please", expect: { destinations: ["CDG"] } },
  { text: "São Paulo to Bogotá", expect: { origin: "GRU", destinations: ["BOG"] } },
  { text: "from sea to nrt", expect: { destinations: ["NRT"] }, absent: ["origin"] },
  {
    text: "Osaka from Honolulu, not Kaze Airways",
    expect: { origin: "HNL", destinations: ["KIX"], avoidAirlines: ["Kaze Airways"] },
  },

  // dates relative to Wednesday 2026-05-13
  { text: "tomorrow", expect: { date: "2026-05-14" } },
  { text: "day after tomorrow", expect: { date: "2026-05-15" } },
  { text: "next month", expect: { dateRange: { from: "2026-06-01", to: "2026-06-30" } }, absent: ["date"] },
  { text: "in June", expect: { dateRange: { from: "2026-06-01", to: "2026-06-30" } } },
  { text: "in March", expect: { dateRange: { from: "2027-03-01", to: "2027-03-31" } } },
  { text: "in May", expect: { dateRange: { from: "2026-05-13", to: "2026-05-31" } } },
  { text: "late June", expect: { dateRange: { from: "2026-06-21", to: "2026-06-30" } } },
  { text: "on March 3", expect: { date: "2027-03-03" } },
  { text: "3 March", expect: { date: "2027-03-03" } },
  { text: "May 20th", expect: { date: "2026-05-20" } },
  { text: "March 3, 2026", expect: { date: "2026-03-03" } },
  { text: "June 3-10", expect: { date: "2026-06-03", returnDate: "2026-06-10", nights: 7 } },
  { text: "from June 3 to June 8", expect: { date: "2026-06-03", returnDate: "2026-06-08", nights: 5 } },
  { text: "in 2 weeks", expect: { date: "2026-05-27" } },
  { text: "this weekend", expect: { dateRange: { from: "2026-05-16", to: "2026-05-17" } } },
  { text: "next week", expect: { dateRange: { from: "2026-05-18", to: "2026-05-24" } } },
  { text: "Friday", expect: { date: "2026-05-15" } },
  { text: "next Wednesday", expect: { date: "2026-05-20" } },
  { text: "for 5 nights", expect: { nights: 5 } },
  {
    text: "next month",
    now: "2026-12-15T08:00:00Z",
    expect: { dateRange: { from: "2027-01-01", to: "2027-01-31" } },
  },
  { text: "March 3", now: "2026-03-03T23:00:00Z", expect: { date: "2026-03-03" } },
  {
    text: "the first week of June",
    expect: { dateRange: { from: "2026-06-01", to: "2026-06-30" } },
    absent: ["selection"],
  },
  { text: "May I bring a stroller?", expect: {}, absent: ["date", "dateRange"] },

  // party
  { text: "family of four, kids 4 and 8", expect: { passengers: 4, adults: 2, childrenAges: [4, 8] } },
  { text: "for 3 people", expect: { passengers: 3 } },
  // "the top one" is the first of the list shown; a top floor is no pick.
  { text: "go with the top option", expect: { selection: { by: "index", index: 0 } } },
  // One seat, ticket or traveller in the singular; "ppl" in chat spelling.
  { text: "just the 1 ticket to Lima please", expect: { passengers: 1 } },
  { text: "a room in Quito for 3 ppl", expect: { passengers: 3 } },
  { text: "me, my wife and our kids 3 and 6", expect: { adults: 2, childrenAges: [3, 6], passengers: 4 } },
  { text: "3 kids, 2 adults", expect: { adults: 2, children: 3, passengers: 5, childrenAges: [] } },
  { text: "a 4-year-old and an 8-year-old", expect: { childrenAges: [4, 8], children: 2 } },
  { text: "two kids (5 and 9) and a baby", expect: { childrenAges: [5, 9, 0], children: 3 } },
  { text: "just me", expect: { adults: 1, passengers: 1 } },
  { text: "Do kids under 12 fly free?", expect: { childrenAges: [] }, absent: ["passengers"] },

  // budgets
  { text: "$300 a night", expect: { budget: { amountUsd: 300, per: "night" } }, absent: ["nights"] },
  { text: "under $800", expect: { budget: { amountUsd: 800, per: "unspecified" } } },
  { text: "budget of 1,200", expect: { budget: { amountUsd: 1200, per: "total" } } },
  { text: "$1.5k total", expect: { budget: { amountUsd: 1500, per: "total" } } },
  { text: "250 dollars per person", expect: { budget: { amountUsd: 250, per: "person" } } },
  { text: "I was charged $50 twice", expect: {}, absent: ["budget"] },

  // airlines
  { text: "anything but Island Air or Northwind", expect: { avoidAirlines: ["Island Air", "Northwind"] } },
  {
    text: "avoid Pacific Crest, prefer SkyBridge",
    expect: { avoidAirlines: ["Pacific Crest Airlines"], preferredAirline: "SkyBridge" },
  },
  { text: "I don't mind Island Air", expect: { avoidAirlines: [], preferredAirline: "Island Air" } },
  {
    text: "book the cheapest, but not Island Air",
    expect: { avoidAirlines: ["Island Air"], selection: { by: "cheapest" }, sort: "price" },
  },
  {
    text: "no Delta Air Lines please, to LAX",
    expect: { avoidAirlines: ["Delta Air Lines"], destinations: ["LAX"] },
  },
  {
    text: "on Aurora Air to Reykjavik",
    expect: { preferredAirline: "Aurora Air", destinations: ["KEF"], avoidAirlines: [] },
  },

  // contact details and references
  { text: "email me at Ana.Silva@example.com.", expect: { emails: ["Ana.Silva@example.com"] } },
  { text: "what's the status of fl-7k2q9d", expect: { bookingRefs: ["FL-7K2Q9D"] } },
  { text: "cancel FL-7K2Q9D and FL-ABC123", expect: { bookingRefs: ["FL-7K2Q9D", "FL-ABC123"] } },
  { text: "pay with my visa ending in 4242", expect: { cardLast4: "4242" }, absent: ["budget"] },

  // seat, sort, selection
  { text: "window seat please", expect: { seat: "window" } },
  { text: "an aisle for me", expect: { seat: "aisle" } },
  { text: "book the second one", expect: { selection: { by: "index", index: 1 } } },
  { text: "option 3", expect: { selection: { by: "index", index: 2 } } },
  { text: "the fastest flight", expect: { sort: "duration", selection: { by: "fastest" } } },
  { text: "earliest departure", expect: { sort: "departure" }, absent: ["selection"] },
];

function view(s: Slots): Record<string, unknown> {
  const { origin, destinations, ...rest } = s;
  return {
    ...rest,
    origin: origin?.iata ?? null,
    originAirports: origin?.airports,
    destinations: destinations.map((d) => d.iata),
    destinationAirports: destinations[0]?.airports,
  };
}

describe("extractSlots", () => {
  it.each(CASES)("$text", (c) => {
    const slots = extractSlots(c.text, c.now ? new Date(c.now) : NOW);
    expect(view(slots)).toMatchObject(c.expect);
    for (const key of c.absent ?? []) expect(slots[key], `${key} should be absent`).toBeUndefined();
  });

  it("puts the whole flagship sentence together", () => {
    const s = extractSlots(
      "Flights from Vegas to Maui or Kauai next month for two adults and kids aged 4 and 8, not Island Air, under $900, window seat",
      NOW,
    );
    expect(view(s)).toMatchObject({
      origin: "LAS",
      destinations: ["OGG", "LIH"],
      dateRange: { from: "2026-06-01", to: "2026-06-30" },
      adults: 2,
      childrenAges: [4, 8],
      passengers: 4,
      avoidAirlines: ["Island Air"],
      budget: { amountUsd: 900, per: "unspecified" },
      seat: "window",
    });
  });

  it("labels places the way the customer named them", () => {
    const s = extractSlots("from vegas to Maui", NOW);
    expect(s.origin?.label).toBe("Vegas");
    expect(s.destinations[0]?.label).toBe("Maui");
    expect(s.destinations[0]?.city).toBe("Kahului");
  });

  it("is a pure function of text and time", () => {
    const text = "SEA to Tokyo next Friday for 2 adults, under $700";
    expect(extractSlots(text, NOW)).toEqual(extractSlots(text, new Date(NOW.getTime())));
  });
});
