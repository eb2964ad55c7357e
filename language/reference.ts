/**
 * The world reference of cities with airports (`data/reference/cities.json`, derived from
 * OpenFlights): recognises a city whether or not Flightly serves it, and the US state and country
 * names that qualify a city ("Tacoma Washington"). Names are matched on whole tokens, longest first.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { DATA } from "../core/paths.js";
import { MAX_NAME_TOKENS, nameKey, spanKey, type Token } from "./names.js";

const citySchema = z.object({
  name: z.string().min(1),
  country: z.string().min(1),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  iata: z.array(z.string().regex(/^[A-Z]{3}$/)),
});
const fileSchema = z.object({
  usStates: z.array(z.string()),
  countries: z.array(z.string()),
  cities: z.array(citySchema),
});

export type ReferenceCity = z.infer<typeof citySchema>;

export interface Coordinates {
  lat: number;
  lon: number;
}

/** Written forms of one name: "St. Louis" is also "Saint Louis", "Mt." also "Mount". */
const VARIANTS: ReadonlyArray<[RegExp, string]> = [
  [/^st /, "saint "],
  [/^saint /, "st "],
  [/^ste /, "sainte "],
  [/^sainte /, "ste "],
  [/^mt /, "mount "],
  [/^mount /, "mt "],
  [/^ft /, "fort "],
  [/^fort /, "ft "],
];

function variants(key: string): string[] {
  return [key, ...VARIANTS.filter(([re]) => re.test(key)).map(([re, to]) => key.replace(re, to))];
}

export class PlaceReference {
  readonly #cities = new Map<string, ReferenceCity[]>();
  readonly #regions = new Set<string>();

  constructor(cities: readonly ReferenceCity[], regions: readonly string[]) {
    for (const c of cities) {
      for (const key of variants(nameKey(c.name))) {
        if (!key) continue;
        const list = this.#cities.get(key) ?? [];
        list.push(c);
        this.#cities.set(key, list);
      }
    }
    for (const r of regions) for (const key of variants(nameKey(r))) if (key) this.#regions.add(key);
  }

  static load(dir: string = DATA): PlaceReference {
    const file = fileSchema.parse(JSON.parse(readFileSync(join(dir, "reference", "cities.json"), "utf8")));
    return new PlaceReference(file.cities, [...file.usStates, ...file.countries]);
  }

  /** Every reference city a whole name stands for ("saint louis" → St. Louis, US). */
  cities(name: string): ReferenceCity[] {
    return [...(this.#cities.get(nameKey(name)) ?? [])];
  }

  /** The longest city name starting at token `i` that `accept` allows: its cities and token count. */
  cityAt(
    folded: string,
    tokens: readonly Token[],
    i: number,
    accept: (key: string) => boolean,
  ): { key: string; cities: ReferenceCity[]; length: number } | undefined {
    for (let n = Math.min(MAX_NAME_TOKENS, tokens.length - i); n >= 1; n--) {
      const key = spanKey(folded, tokens, i, n);
      const cities = key === undefined ? undefined : this.#cities.get(key);
      if (key !== undefined && cities && accept(key)) return { key, cities: [...cities], length: n };
    }
    return undefined;
  }

  /** Tokens of a state or country name starting at token `i` ("north carolina" → 2), else 0. */
  regionAt(folded: string, tokens: readonly Token[], i: number): number {
    for (let n = Math.min(4, tokens.length - i); n >= 1; n--) {
      const key = spanKey(folded, tokens, i, n);
      if (key !== undefined && this.#regions.has(key)) return n;
    }
    return 0;
  }
}

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance in kilometres (haversine). */
export function greatCircleKm(a: Coordinates, b: Coordinates): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
