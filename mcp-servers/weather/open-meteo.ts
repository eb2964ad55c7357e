/**
 * A forecast provider for any Open-Meteo-compatible API at `baseUrl`:
 * `GET /v1/forecast?latitude&longitude&daily=…&timezone=auto&forecast_days=N`. Failures become
 * `WeatherError`s with a reason (unreachable, timed out, rejected, unexpected answer).
 */
import { z } from "zod";
import { deriveAlerts, describeWeatherCode } from "./alerts.js";
import {
  type AlertsReport,
  type Forecast,
  type ForecastDay,
  locationOut,
  type ResolvedLocation,
  WeatherError,
  type WeatherProvider,
} from "./types.js";

export interface OpenMeteoOptions {
  baseUrl: string;
  /** Per request (default 10 s). */
  timeoutMs?: number;
}

const DAILY = [
  "temperature_2m_max",
  "temperature_2m_min",
  "precipitation_sum",
  "weather_code",
  "wind_speed_10m_max",
  "wind_gusts_10m_max",
] as const;

const series = z.array(z.number().nullable()).optional();

const responseSchema = z.object({
  timezone: z.string().optional(),
  daily: z.object({
    time: z.array(z.string()),
    temperature_2m_max: series,
    temperature_2m_min: series,
    precipitation_sum: series,
    weather_code: series,
    wind_speed_10m_max: series,
    wind_gusts_10m_max: series,
  }),
});

const errorSchema = z.object({ reason: z.string() });

export function createOpenMeteoProvider(options: OpenMeteoOptions): WeatherProvider {
  const endpoint = `${options.baseUrl.replace(/\/+$/, "")}/v1/forecast`;
  const timeoutMs = options.timeoutMs ?? 10_000;

  const request = async (
    location: ResolvedLocation,
    days: number,
    signal?: AbortSignal,
  ): Promise<unknown> => {
    const url = new URL(endpoint);
    url.searchParams.set("latitude", location.place.lat.toFixed(4));
    url.searchParams.set("longitude", location.place.lon.toFixed(4));
    url.searchParams.set("daily", DAILY.join(","));
    url.searchParams.set("timezone", "auto");
    url.searchParams.set("forecast_days", String(days));
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { accept: "application/json" },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (err) {
      if (timeout.aborted)
        throw new WeatherError(`the forecast service did not answer within ${timeoutMs} ms`);
      if (signal?.aborted) throw new WeatherError("the forecast request was cancelled");
      throw new WeatherError(
        `the forecast service is unreachable (${(err as Error).cause ?? (err as Error).message})`,
      );
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const reason = errorSchema.safeParse(body);
      throw new WeatherError(
        reason.success
          ? `the forecast service rejected the request: ${reason.data.reason}`
          : `the forecast service answered HTTP ${response.status}`,
      );
    }
    if (body === undefined)
      throw new WeatherError("the forecast service answered with something other than JSON");
    return body;
  };

  return {
    name: "open-meteo",
    cacheable: true,
    async forecast(location, days, signal): Promise<Forecast> {
      const parsed = responseSchema.safeParse(await request(location, days, signal));
      if (!parsed.success) throw new WeatherError("the forecast service answered in an unexpected shape");
      const d = parsed.data.daily;
      const at = (values: Array<number | null> | undefined, i: number): number | null => values?.[i] ?? null;
      const out: ForecastDay[] = d.time.map((date, i) => {
        const code = at(d.weather_code, i);
        return {
          date,
          temp_max_c: at(d.temperature_2m_max, i),
          temp_min_c: at(d.temperature_2m_min, i),
          precipitation_mm: at(d.precipitation_sum, i),
          weather_code: code,
          conditions: describeWeatherCode(code),
          wind_max_kmh: at(d.wind_speed_10m_max, i),
          wind_gusts_kmh: at(d.wind_gusts_10m_max, i),
        };
      });
      return {
        kind: "forecast",
        provider: "open-meteo",
        location: locationOut(location),
        timezone: parsed.data.timezone ?? location.place.timezone,
        days: out,
      };
    },
    alerts(location, report): AlertsReport {
      return {
        kind: "forecast_alerts",
        provider: "open-meteo",
        location: locationOut(location),
        note: "Derived from the daily forecast by fixed thresholds (rain ≥ 20 mm, high ≥ 35 °C, low ≤ -10 °C, gusts ≥ 60 km/h, thunderstorms, heavy snow, freezing rain); not official warnings",
        alerts: report.kind === "forecast" ? deriveAlerts(report.days) : [],
      };
    },
  };
}
