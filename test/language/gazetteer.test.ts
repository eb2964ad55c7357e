import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DATA } from "../../core/paths.js";
import { defaultGazetteer, Gazetteer } from "../../language/index.js";

const airports = JSON.parse(readFileSync(join(DATA, "airports.json"), "utf8")) as Array<
  Record<string, unknown>
>;
const airlines = JSON.parse(readFileSync(join(DATA, "airlines.json"), "utf8")) as Array<
  Record<string, unknown>
>;

const REQUIRED =
  "LAS HNL OGG KOA SEA LAX SFO JFK MIA NRT HND KIX DPS CDG FCO LHR SYD ORD DEN BOS MCO ATL DFW PHX SAN PDX ANC YVR YYZ MEX CUN MAD BCN AMS FRA MUC ZRH LIS ATH IST DXB SIN HKG ICN BKK MEL AKL KEF DUB CPH VIE PRG CPT GRU EZE LIM BOG DEL BOM CTS FUK NCE VCE EDI SLC BNA MSY AUS IAD NAN PPT GUM LIH EWR".split(
    " ",
  );

/** Great-circle distance in km. */
function km(a: string, b: string): number {
  const g = defaultGazetteer();
  const p = g.airport(a)!;
  const q = g.airport(b)!;
  const rad = Math.PI / 180;
  const h =
    Math.sin(((q.lat - p.lat) * rad) / 2) ** 2 +
    Math.cos(p.lat * rad) * Math.cos(q.lat * rad) * Math.sin(((q.lon - p.lon) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

describe("data/airports.json and data/airlines.json", () => {
  it("has at least 70 unique airports including every required code", () => {
    expect(airports.length).toBeGreaterThanOrEqual(70);
    const codes = airports.map((a) => a.iata);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of REQUIRED) expect(codes, code).toContain(code);
  });

  it("uses the documented shape with valid IANA time zones", () => {
    for (const a of airports) {
      expect(Object.keys(a).sort()).toEqual([
        "aliases",
        "city",
        "country",
        "iata",
        "lat",
        "lon",
        "name",
        "tz",
      ]);
      expect(() => new Intl.DateTimeFormat("en", { timeZone: String(a.tz) })).not.toThrow();
    }
    expect(airports.find((a) => a.iata === "HNL")?.tz).toBe("Pacific/Honolulu");
    expect(airports.find((a) => a.iata === "DPS")?.tz).toBe("Asia/Makassar");
  });

  it("has true coordinates (known great-circle distances within 2%)", () => {
    const known: Array<[string, string, number]> = [
      ["LAS", "HNL", 4_445],
      ["LHR", "CDG", 344],
      ["JFK", "LHR", 5_540],
      ["SEA", "NRT", 7_690],
      ["SYD", "LAX", 12_051],
      ["HNL", "OGG", 161],
    ];
    for (const [a, b, d] of known) expect(Math.abs(km(a, b) - d) / d, `${a}-${b}`).toBeLessThan(0.02);
  });

  it("has 8-10 airlines including Island Air, hubs at known airports", () => {
    expect(airlines.length).toBeGreaterThanOrEqual(8);
    expect(airlines.length).toBeLessThanOrEqual(10);
    expect(airlines.some((a) => a.name === "Island Air")).toBe(true);
    const codes = new Set(airports.map((a) => a.iata));
    for (const al of airlines)
      for (const hub of al.hubs as string[]) expect(codes, `${al.name} hub ${hub}`).toContain(hub);
  });
});

describe("Gazetteer", () => {
  const g = defaultGazetteer();

  it.each([
    ["Vegas", ["LAS"]],
    ["maui", ["OGG"]],
    ["Big Island", ["KOA"]],
    ["Kona", ["KOA"]],
    ["Oahu", ["HNL"]],
    ["Kauai", ["LIH"]],
    ["Tokyo", ["NRT", "HND"]],
    ["Bali", ["DPS"]],
    ["NYC", ["JFK", "EWR"]],
    ["New York", ["JFK", "EWR"]],
    ["Osaka", ["KIX"]],
    ["sea", ["SEA"]],
    ["Zürich", ["ZRH"]],
  ])("resolves %s", (name, codes) => {
    expect(g.resolve(name).map((a) => a.iata)).toEqual(codes);
  });

  it("finds the longest name first and keeps offsets into the text", () => {
    const text = "From Salt Lake City to New York City, then Las Vegas";
    const found = g.findPlaces(text);
    expect(found.map((m) => m.airports[0]?.iata)).toEqual(["SLC", "JFK", "LAS"]);
    expect(found.map((m) => text.slice(m.start, m.end))).toEqual([
      "Salt Lake City",
      "New York City",
      "Las Vegas",
    ]);
  });

  it("reads upper-case codes as airports and lower-case words as words", () => {
    expect(g.findPlaces("SEA to MAD").map((m) => m.airports[0]?.iata)).toEqual(["SEA", "MAD"]);
    expect(g.findPlaces("a sea view, mad about it")).toEqual([]);
  });

  it("reads two codes written as a route in any case, word codes too", () => {
    const iata = (text: string) => g.findPlaces(text).map((m) => m.airports[0]?.iata);
    expect(iata("sea-mad on the 2nd")).toEqual(["SEA", "MAD"]);
    expect(iata("one way den → bos")).toEqual(["DEN", "BOS"]);
    // A hyphenated word is no route, nor is one code alone.
    expect(iata("a sea-facing room, den mother")).toEqual([]);
  });

  it("matches airlines by name, alias or code, and flights by either", () => {
    expect(g.airline("island air")?.code).toBe("IA");
    expect(g.airline("IA")?.name).toBe("Island Air");
    expect(g.sameAirline({ airline: "Island Air", airline_code: "IA" }, "island air")).toBe(true);
    expect(g.sameAirline({ airline: "Pacific Crest Airlines", airline_code: "PC" }, "Island Air")).toBe(
      false,
    );
    expect(g.sameAirline({ airline_code: "IA" }, "Island Air")).toBe(true);
  });

  it("rejects malformed data with the reason", () => {
    expect(() => new Gazetteer([], [])).not.toThrow();
    expect(() => Gazetteer.load("/nonexistent-dir")).toThrow(/ENOENT/);
  });
});
