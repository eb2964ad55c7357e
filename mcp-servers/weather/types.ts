/** The weather providers' shared shapes: a resolved place in, a forecast (or averages) out. */

export interface Place {
  /** What the answer calls the place: "Honolulu (HNL)" or "21.3,-157.9". */
  label: string;
  city: string | null;
  country: string | null;
  iata: string | null;
  lat: number;
  lon: number;
  timezone: string | null;
}

export interface ResolvedLocation {
  query: string;
  matchedBy: "iata" | "city" | "alias" | "coordinates";
  place: Place;
  /** For coordinates: the nearest seeded airport and how far it is. */
  nearest?: { iata: string; city: string; distanceKm: number };
}

export interface ForecastDay {
  date: string;
  temp_max_c: number | null;
  temp_min_c: number | null;
  precipitation_mm: number | null;
  weather_code: number | null;
  conditions: string | null;
  wind_max_kmh: number | null;
  wind_gusts_kmh: number | null;
}

export interface LocationOut {
  query: string;
  matched_by: ResolvedLocation["matchedBy"];
  name: string;
  iata: string | null;
  country: string | null;
  lat: number;
  lon: number;
  nearest_airport?: { iata: string; city: string; distance_km: number };
}

/** A real forecast from a forecast API. */
export interface Forecast {
  kind: "forecast";
  provider: string;
  location: LocationOut;
  timezone: string | null;
  days: ForecastDay[];
}

export interface MonthNormals {
  month: string;
  avg_high_c: number;
  avg_low_c: number;
  avg_precip_mm: number;
  avg_rain_days: number;
}

/** Climate normals from the shipped dataset: always labelled as averages, never as a forecast. */
export interface ClimateNormalsReport {
  kind: "climate_normals";
  note: "Monthly averages, not a forecast";
  provider: "offline";
  location: LocationOut;
  station: string;
  period: { from: string; to: string };
  months: MonthNormals[];
  source: string;
}

export type WeatherReport = Forecast | ClimateNormalsReport;

export interface WeatherAlert {
  type: "heavy_rain" | "heat" | "cold" | "wind" | "thunderstorm" | "snow" | "freezing_rain";
  severity: "advisory" | "warning";
  date: string;
  message: string;
}

export interface AlertsReport {
  kind: "forecast_alerts" | "climate_normals";
  provider: string;
  location: LocationOut;
  /** How the alerts were made; they are never official warnings. */
  note: string;
  alerts: WeatherAlert[];
  /** Offline only: what the month is typically like (averages, not warnings). */
  seasonal_notes?: string[];
}

/** A failure the caller can read (unknown place, bad input, the forecast service down). */
export class WeatherError extends Error {
  override readonly name = "WeatherError";
}

export interface WeatherProvider {
  readonly name: "offline" | "open-meteo";
  /** Network providers are worth caching; the offline one answers from memory. */
  readonly cacheable: boolean;
  forecast(location: ResolvedLocation, days: number, signal?: AbortSignal): Promise<WeatherReport>;
  /** Alerts derived from a report this provider made for `location`. */
  alerts(location: ResolvedLocation, report: WeatherReport): AlertsReport;
}

export function locationOut(location: ResolvedLocation): LocationOut {
  const { place } = location;
  return {
    query: location.query,
    matched_by: location.matchedBy,
    name: place.label,
    iata: place.iata,
    country: place.country,
    lat: place.lat,
    lon: place.lon,
    ...(location.nearest
      ? {
          nearest_airport: {
            iata: location.nearest.iata,
            city: location.nearest.city,
            distance_km: location.nearest.distanceKm,
          },
        }
      : {}),
  };
}
