/**
 * Location resolution over the seeded airports (`data/airports.json`): an IATA code, a city name or
 * alias (case- and accent-insensitive, "City, Country" accepted), or "lat,lon" coordinates, which
 * also report the nearest airport.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DATA } from "../../core/paths.js";
import { type ResolvedLocation, WeatherError } from "./types.js";

export interface Airport {
  iata: string;
  name: string;
  city: string;
  country: string;
  lat: number;
  lon: number;
  tz: string;
  aliases?: string[];
}

export interface LocationIndex {
  resolve(query: string): ResolvedLocation;
  /** The nearest airport to a point, with its distance in km. */
  nearest(lat: number, lon: number): { airport: Airport; distanceKm: number };
  airports: readonly Airport[];
}

const COORDINATES = /^\s*([+-]?\d{1,3}(?:\.\d+)?)\s*,\s*([+-]?\d{1,3}(?:\.\d+)?)\s*$/;

/** Lower case, accents and punctuation dropped, spaces collapsed: "São Paulo" → "sao paulo". */
function normalizeName(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase()
    .replace(/['’`.]/g, "")
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLon = (lon2 - lon1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(a)));
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

export function loadAirports(path = join(DATA, "airports.json")): Airport[] {
  return JSON.parse(readFileSync(path, "utf8")) as Airport[];
}

export function createLocationIndex(airports: readonly Airport[]): LocationIndex {
  const byCode = new Map(airports.map((a) => [a.iata.toUpperCase(), a]));
  const byCity = new Map<string, Airport>();
  const byAlias = new Map<string, Airport>();
  // First listed wins (JFK before EWR for "new york").
  for (const a of airports) {
    const city = normalizeName(a.city);
    if (!byCity.has(city)) byCity.set(city, a);
    for (const alias of a.aliases ?? []) {
      const key = normalizeName(alias);
      if (!byAlias.has(key)) byAlias.set(key, a);
    }
  }

  const nearest = (lat: number, lon: number): { airport: Airport; distanceKm: number } => {
    let best: { airport: Airport; distanceKm: number } | undefined;
    for (const airport of airports) {
      const d = distanceKm(lat, lon, airport.lat, airport.lon);
      if (!best || d < best.distanceKm) best = { airport, distanceKm: d };
    }
    if (!best) throw new WeatherError("no airports are loaded");
    return best;
  };

  const fromAirport = (
    query: string,
    a: Airport,
    matchedBy: ResolvedLocation["matchedBy"],
  ): ResolvedLocation => ({
    query,
    matchedBy,
    place: {
      label: `${a.city} (${a.iata})`,
      city: a.city,
      country: a.country,
      iata: a.iata,
      lat: a.lat,
      lon: a.lon,
      timezone: a.tz,
    },
  });

  const byName = (query: string, name: string): ResolvedLocation | undefined => {
    const key = normalizeName(name);
    const city = byCity.get(key);
    if (city) return fromAirport(query, city, "city");
    const alias = byAlias.get(key);
    return alias ? fromAirport(query, alias, "alias") : undefined;
  };

  const suggestions = (text: string): string[] => {
    const key = normalizeName(text);
    const names = [...new Set([...byCity.keys(), ...byAlias.keys()])];
    return names
      .map((n) => ({ n, d: editDistance(key, n) }))
      .filter((x) => x.d <= Math.max(1, Math.floor(key.length / 4)))
      .sort((x, y) => x.d - y.d)
      .slice(0, 3)
      .map((x) => {
        const a = byCity.get(x.n) ?? byAlias.get(x.n)!;
        return `${a.city} (${a.iata})`;
      });
  };

  return {
    airports,
    nearest,
    resolve(raw) {
      const query = raw.trim();
      if (!query) throw new WeatherError('location is empty: give a city, an IATA airport code or "lat,lon"');
      const coords = COORDINATES.exec(query);
      if (coords) {
        const lat = Number(coords[1]);
        const lon = Number(coords[2]);
        if (Math.abs(lat) > 90 || Math.abs(lon) > 180) {
          throw new WeatherError(
            `coordinates out of range: latitude must be within ±90 and longitude within ±180`,
          );
        }
        const near = nearest(lat, lon);
        return {
          query,
          matchedBy: "coordinates",
          place: { label: `${lat},${lon}`, city: null, country: null, iata: null, lat, lon, timezone: null },
          nearest: {
            iata: near.airport.iata,
            city: near.airport.city,
            distanceKm: Math.round(near.distanceKm),
          },
        };
      }
      if (/^[A-Za-z]{3}$/.test(query)) {
        const airport = byCode.get(query.toUpperCase());
        if (airport) return fromAirport(query, airport, "iata");
      }
      const found =
        byName(query, query) ?? (query.includes(",") ? byName(query, query.split(",")[0] ?? "") : undefined);
      if (found) return found;
      const hint = suggestions(query.split(",")[0] ?? query);
      throw new WeatherError(
        `unknown location "${query}": give a city or airport code from Flightly's destinations (e.g. Honolulu, HNL) ` +
          `or coordinates as "lat,lon"${hint.length > 0 ? `; did you mean ${hint.join(", ")}?` : ""}`,
      );
    },
  };
}
