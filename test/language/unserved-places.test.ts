/** Cities Flightly does not serve: recognised from the world reference, typed, with nearby airports. */
import { describe, expect, it } from "vitest";
import { defaultGazetteer, extractSlots } from "../../language/index.js";

/** Monday 4 January 2027. */
const NOW = new Date("2027-01-04T09:00:00Z");
const read = (text: string) => extractSlots(text, NOW);

describe("unserved cities", () => {
  it("types an unserved origin with the served airports nearest to it, nearest first", () => {
    const s = read("is there anything out of akron toward boston on friday");
    expect(s.origin).toBeUndefined();
    expect(s.destinations.map((d) => d.iata)).toEqual(["BOS"]);
    expect(s.unknownPlaces).toHaveLength(1);
    const akron = s.unknownPlaces[0]!;
    expect(akron).toMatchObject({ name: "Akron", role: "origin", country: "United States" });
    expect(akron.nearest.length).toBe(3);
    const km = akron.nearest.map((n) => n.km);
    expect([...km].sort((a, b) => a - b)).toEqual(km);
    // Every listed airport is one Flightly serves.
    for (const n of akron.nearest) expect(defaultGazetteer().airport(n.iata)?.city).toBe(n.city);
  });

  it("types an unserved destination, and one with no verb before it ('A to B')", () => {
    const s = read("chicago to tulsa next tuesday");
    expect(s.origin?.iata).toBe("ORD");
    expect(s.unknownPlaces.map((u) => [u.role, u.name])).toEqual([["destination", "Tulsa"]]);
    expect(s.unknownPlaces[0]?.nearest[0]?.iata).toBe("DFW");
  });

  it("types both ends when neither is served, in either spelling of a saint's name", () => {
    const s = read("we want to get from saint louis to albuquerque");
    expect(s.origin).toBeUndefined();
    expect(s.destinations).toEqual([]);
    expect(s.unknownPlaces.map((u) => [u.role, u.name])).toEqual([
      ["origin", "Saint Louis"],
      ["destination", "Albuquerque"],
    ]);
    expect(read("seats from st. louis into denver").unknownPlaces.map((u) => u.name)).toEqual(["St. Louis"]);
  });

  it("reads a state after a served city as its qualifier, not as another place", () => {
    const s = read("flying from miami florida to seattle washington in march");
    expect(s.origin?.iata).toBe("MIA");
    expect(s.destinations.map((d) => d.iata)).toEqual(["SEA"]);
    expect(s.unknownPlaces).toEqual([]);
    const q = read("what leaves denver for tacoma washington");
    expect(q.unknownPlaces.map((u) => u.name)).toEqual(["Tacoma"]);
    expect(q.destinations).toEqual([]);
  });

  it("does not read an everyday word as a city outside a place position", () => {
    // Reading, Mobile and Hope are cities with airports; here they are ordinary words.
    const s = read("reading the mobile app gives me hope of cheap seats to boston");
    expect(s.unknownPlaces).toEqual([]);
    expect(s.destinations.map((d) => d.iata)).toEqual(["BOS"]);
    // In a place position the same word is the city.
    expect(read("seats from boston to reading").unknownPlaces.map((u) => u.name)).toEqual(["Reading"]);
  });

  it("still matches a misspelt served city instead of calling it unserved", () => {
    const s = read("from phoenixx to denverr please");
    expect(s.unknownPlaces).toEqual([]);
    expect(s.origin?.iata).toBe("PHX");
    expect(s.destinations.map((d) => d.iata)).toEqual(["DEN"]);
  });

  it("keeps served alternatives next to an unserved one", () => {
    const s = read("from miami to boston, akron or denver");
    expect(s.destinations.map((d) => d.iata)).toEqual(["BOS", "DEN"]);
    expect(s.unknownPlaces).toMatchObject([{ name: "Akron", role: "destination", alternative: true }]);
  });
});

describe("unserved cities in the entity guard", () => {
  it("keeps two requests that differ only in an unserved city apart", async () => {
    const { extractEntities, sameEntities } = await import("../../language/index.js");
    const a = extractEntities("flights from akron to boston");
    const b = extractEntities("flights from tulsa to boston");
    expect(a.places).toContain("from:?akron");
    expect(sameEntities(a, b)).toBe(false);
  });
});
