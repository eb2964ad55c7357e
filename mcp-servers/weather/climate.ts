/**
 * The offline provider: monthly climate normals from `data/climate-normals.json` for the months a
 * request covers, for the place's airport (or, for coordinates, the nearest airport within reach).
 * Every answer is labelled `"kind": "climate_normals"` and "Monthly averages, not a forecast".
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DATA } from "../../core/paths.js";
import { seasonalNotes } from "./alerts.js";
import {
  type AlertsReport,
  type ClimateNormalsReport,
  locationOut,
  type MonthNormals,
  type ResolvedLocation,
  WeatherError,
  type WeatherProvider,
  type WeatherReport,
} from "./types.js";

interface StationNormals {
  station: string;
  high_c: number[];
  low_c: number[];
  precip_mm: number[];
  rain_days: number[];
}

export interface ClimateDataset {
  note: string;
  source: string;
  normals: Record<string, StationNormals>;
}

export const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
] as const;

const NOT_A_FORECAST = "Monthly averages, not a forecast";

/** Coordinates farther than this from every seeded airport get no offline answer. */
const MAX_NEAREST_KM = 500;

export function loadClimateNormals(path = join(DATA, "climate-normals.json")): ClimateDataset {
  const data = JSON.parse(readFileSync(path, "utf8")) as ClimateDataset;
  for (const [code, n] of Object.entries(data.normals)) {
    for (const series of [n.high_c, n.low_c, n.precip_mm, n.rain_days]) {
      if (!Array.isArray(series) || series.length !== 12) {
        throw new Error(`climate-normals.json: ${code} needs 12 monthly values per series`);
      }
    }
  }
  return data;
}

/** The calendar date in `timeZone` (UTC when unknown), as YYYY-MM-DD. */
function localDate(now: Date, timeZone: string | null): string {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone: timeZone ?? "UTC" }).format(now);
  } catch {
    return now.toISOString().slice(0, 10);
  }
}

const addDays = (isoDate: string, days: number): string =>
  new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

export function createClimateProvider(
  dataset: ClimateDataset,
  now: () => Date = () => new Date(),
): WeatherProvider {
  const stationFor = (location: ResolvedLocation): { code: string; normals: StationNormals } => {
    if (location.nearest && location.nearest.distanceKm > MAX_NEAREST_KM) {
      throw new WeatherError(
        `no offline climate data near ${location.place.label}: the nearest Flightly destination, ` +
          `${location.nearest.city} (${location.nearest.iata}), is ${location.nearest.distanceKm} km away`,
      );
    }
    const code = location.place.iata ?? location.nearest?.iata;
    const normals = code ? dataset.normals[code] : undefined;
    if (!code || !normals) throw new WeatherError(`no climate normals for ${location.place.label}`);
    return { code, normals };
  };

  const monthNormals = (n: StationNormals, month: number): MonthNormals => ({
    month: MONTHS[month]!,
    avg_high_c: n.high_c[month]!,
    avg_low_c: n.low_c[month]!,
    avg_precip_mm: n.precip_mm[month]!,
    avg_rain_days: n.rain_days[month]!,
  });

  const report = (location: ResolvedLocation, days: number): ClimateNormalsReport => {
    const { normals } = stationFor(location);
    const from = localDate(now(), location.place.timezone);
    const to = addDays(from, days - 1);
    const months: number[] = [];
    for (let d = 0; d < days; d++) {
      const month = Number(addDays(from, d).slice(5, 7)) - 1;
      if (!months.includes(month)) months.push(month);
    }
    return {
      kind: "climate_normals",
      note: NOT_A_FORECAST,
      provider: "offline",
      location: locationOut(location),
      station: normals.station,
      period: { from, to },
      months: months.map((m) => monthNormals(normals, m)),
      source: dataset.source,
    };
  };

  return {
    name: "offline",
    cacheable: false,
    forecast: async (location, days): Promise<WeatherReport> => report(location, days),
    alerts(location, made): AlertsReport {
      const normals = made.kind === "climate_normals" ? made : report(location, 1);
      const place = location.place.city ?? location.nearest?.city ?? location.place.label;
      return {
        kind: "climate_normals",
        provider: "offline",
        location: normals.location,
        note: `${NOT_A_FORECAST}: the offline provider has no live alerts; seasonal notes describe typical conditions`,
        alerts: [],
        seasonal_notes: normals.months.flatMap((m) => seasonalNotes(place, m)),
      };
    },
  };
}
