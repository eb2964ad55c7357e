/**
 * Alerts derived from a daily forecast by fixed thresholds (heavy rain, heat, cold, wind,
 * thunderstorms, heavy snow, freezing rain), and the WMO weather-code descriptions. They are
 * travel advice computed from the forecast, never official warnings, and say so.
 */
import type { ForecastDay, MonthNormals, WeatherAlert } from "./types.js";

const ALERT_THRESHOLDS = {
  rainAdvisoryMm: 20,
  rainWarningMm: 50,
  heatAdvisoryC: 35,
  heatWarningC: 40,
  coldAdvisoryC: -10,
  coldWarningC: -20,
  gustAdvisoryKmh: 60,
  gustWarningKmh: 90,
  windAdvisoryKmh: 40,
  windWarningKmh: 62,
} as const;

const WMO: Readonly<Record<number, string>> = {
  0: "clear sky",
  1: "mainly clear",
  2: "partly cloudy",
  3: "overcast",
  45: "fog",
  48: "depositing rime fog",
  51: "light drizzle",
  53: "drizzle",
  55: "dense drizzle",
  56: "light freezing drizzle",
  57: "freezing drizzle",
  61: "light rain",
  63: "rain",
  65: "heavy rain",
  66: "light freezing rain",
  67: "freezing rain",
  71: "light snow",
  73: "snow",
  75: "heavy snow",
  77: "snow grains",
  80: "light rain showers",
  81: "rain showers",
  82: "violent rain showers",
  85: "snow showers",
  86: "heavy snow showers",
  95: "thunderstorm",
  96: "thunderstorm with hail",
  99: "thunderstorm with heavy hail",
};

export const describeWeatherCode = (code: number | null): string | null =>
  code === null ? null : (WMO[code] ?? `weather code ${code}`);

/** Threshold alerts for each forecast day, most severe first within a day. */
export function deriveAlerts(days: readonly ForecastDay[]): WeatherAlert[] {
  const t = ALERT_THRESHOLDS;
  const alerts: WeatherAlert[] = [];
  for (const day of days) {
    const add = (type: WeatherAlert["type"], severity: WeatherAlert["severity"], message: string): void => {
      alerts.push({ type, severity, date: day.date, message });
    };
    const rain = day.precipitation_mm;
    if (rain !== null && rain >= t.rainAdvisoryMm) {
      add("heavy_rain", rain >= t.rainWarningMm ? "warning" : "advisory", `heavy rain: ${rain} mm expected`);
    }
    const high = day.temp_max_c;
    if (high !== null && high >= t.heatAdvisoryC) {
      add("heat", high >= t.heatWarningC ? "warning" : "advisory", `heat: high of ${high} °C`);
    }
    const low = day.temp_min_c;
    if (low !== null && low <= t.coldAdvisoryC) {
      add("cold", low <= t.coldWarningC ? "warning" : "advisory", `severe cold: low of ${low} °C`);
    }
    const gust = day.wind_gusts_kmh;
    const wind = day.wind_max_kmh;
    if ((gust !== null && gust >= t.gustAdvisoryKmh) || (wind !== null && wind >= t.windAdvisoryKmh)) {
      const warning = (gust ?? 0) >= t.gustWarningKmh || (wind ?? 0) >= t.windWarningKmh;
      const parts = [
        wind !== null ? `winds up to ${wind} km/h` : "",
        gust !== null ? `gusts to ${gust} km/h` : "",
      ];
      add("wind", warning ? "warning" : "advisory", `strong wind: ${parts.filter(Boolean).join(", ")}`);
    }
    const code = day.weather_code;
    if (code === 95 || code === 96 || code === 99) {
      add("thunderstorm", code === 95 ? "advisory" : "warning", `${describeWeatherCode(code)} forecast`);
    }
    if (code === 75 || code === 86) add("snow", "advisory", `${describeWeatherCode(code)} forecast`);
    if (code === 66 || code === 67) add("freezing_rain", "advisory", `${describeWeatherCode(code)} forecast`);
  }
  return alerts;
}

/** What a month is typically like, from its averages; for the offline provider (not warnings). */
export function seasonalNotes(place: string, normals: MonthNormals): string[] {
  const notes: string[] = [];
  const m = normals.month;
  if (normals.avg_high_c >= ALERT_THRESHOLDS.heatAdvisoryC) {
    notes.push(`${m} is hot in ${place}: the average high is ${normals.avg_high_c} °C`);
  }
  if (normals.avg_low_c <= ALERT_THRESHOLDS.coldAdvisoryC) {
    notes.push(`${m} is very cold in ${place}: the average low is ${normals.avg_low_c} °C`);
  }
  if (normals.avg_precip_mm >= 200 || normals.avg_rain_days >= 15) {
    notes.push(
      `${m} is a wet month in ${place}: ${normals.avg_precip_mm} mm over about ${normals.avg_rain_days} days on average`,
    );
  }
  return notes;
}
