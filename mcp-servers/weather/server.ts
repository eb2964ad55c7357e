/**
 * `flightly-weather`: get_forecast and get_alerts for a city, an IATA code or coordinates. The
 * provider is the offline climate normals (labelled as averages) or an Open-Meteo-compatible
 * forecast API; network forecasts go through the tool cache for about 15 minutes.
 */
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { Config } from "../../core/config.js";
import type { Logger } from "../../core/logger.js";
import {
  finishCapabilities,
  progressOf,
  SERVER_CAPABILITIES,
  type SessionLog,
  serverInfo,
} from "../features.js";
import { toolError, toolJson } from "../tool-result.js";
import { type ClimateDataset, createClimateProvider, loadClimateNormals } from "./climate.js";
import { type Airport, createLocationIndex, type LocationIndex, loadAirports } from "./locations.js";
import { createOpenMeteoProvider } from "./open-meteo.js";
import { registerWeatherResources } from "./resources.js";
import {
  locationOut,
  type ResolvedLocation,
  WeatherError,
  type WeatherProvider,
  type WeatherReport,
} from "./types.js";

/** The read-through cache forecasts go through; `ToolCache` from tools/cache.ts fits. */
export interface ForecastCache {
  wrap<T>(key: string, ttlMs: number, fn: () => Promise<T>, options?: { name?: string }): Promise<T>;
}

export interface WeatherMcpDeps {
  readonly weather: Config["weather"];
  readonly logger: Logger;
  readonly cache?: ForecastCache | undefined;
  /** Default 15 minutes. */
  readonly cacheTtlMs?: number;
  /** Per forecast request (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** Clock for "today" (tests). */
  readonly now?: () => Date;
  /** Data overrides (tests); default the shipped `data/` files, read once per process. */
  readonly airports?: readonly Airport[];
  readonly climate?: ClimateDataset;
}

const MAX_DAYS = 16;
const ALERT_DAYS = 7;
const READ_ONLY = { readOnlyHint: true, destructiveHint: false, idempotentHint: true };

let shipped: { index: LocationIndex; climate: ClimateDataset } | undefined;
const shippedData = (): { index: LocationIndex; climate: ClimateDataset } => {
  shipped ??= { index: createLocationIndex(loadAirports()), climate: loadClimateNormals() };
  return shipped;
};

const locationInput = z
  .string()
  .min(1)
  .max(120)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), "location must not contain control characters")
  .describe('A city ("Honolulu"), an IATA airport code ("HNL") or coordinates ("21.31,-157.86")');

const nullableNumber = z.number().nullable();
const locationOutput = z.object({
  query: z.string(),
  matched_by: z.enum(["iata", "city", "alias", "coordinates"]),
  name: z.string(),
  iata: z.string().nullable(),
  country: z.string().nullable(),
  lat: z.number(),
  lon: z.number(),
  nearest_airport: z.object({ iata: z.string(), city: z.string(), distance_km: z.number() }).optional(),
});

const forecastOutput = {
  kind: z.enum(["forecast", "climate_normals"]).describe("climate_normals: monthly averages, not a forecast"),
  provider: z.string(),
  note: z.string().optional(),
  location: locationOutput,
  timezone: z.string().nullable().optional(),
  station: z.string().optional(),
  period: z.object({ from: z.string(), to: z.string() }).optional(),
  days: z
    .array(
      z.object({
        date: z.string(),
        temp_max_c: nullableNumber,
        temp_min_c: nullableNumber,
        precipitation_mm: nullableNumber,
        weather_code: nullableNumber,
        conditions: z.string().nullable(),
        wind_max_kmh: nullableNumber,
        wind_gusts_kmh: nullableNumber,
      }),
    )
    .optional(),
  months: z
    .array(
      z.object({
        month: z.string(),
        avg_high_c: z.number(),
        avg_low_c: z.number(),
        avg_precip_mm: z.number(),
        avg_rain_days: z.number(),
      }),
    )
    .optional(),
  source: z.string().optional(),
};

const alertsOutput = {
  kind: z.enum(["forecast_alerts", "climate_normals"]),
  provider: z.string(),
  location: locationOutput,
  note: z.string(),
  alerts: z.array(
    z.object({
      type: z.string(),
      severity: z.enum(["advisory", "warning"]),
      date: z.string(),
      message: z.string(),
    }),
  ),
  seasonal_notes: z.array(z.string()).optional(),
};

function createWeatherProvider(deps: WeatherMcpDeps, climate: ClimateDataset): WeatherProvider {
  return deps.weather.provider === "open-meteo"
    ? createOpenMeteoProvider({
        baseUrl: deps.weather.baseUrl,
        ...(deps.requestTimeoutMs !== undefined ? { timeoutMs: deps.requestTimeoutMs } : {}),
      })
    : createClimateProvider(climate, deps.now);
}

/** The shipped averages for the next occurrence of `month` (1–12), whatever the live provider. */
function monthAverages(climate: ClimateDataset, location: ResolvedLocation, month: number, now: Date) {
  const year = now.getUTCMonth() + 1 > month ? now.getUTCFullYear() + 1 : now.getUTCFullYear();
  const first = new Date(Date.UTC(year, month - 1, 1, 12));
  return createClimateProvider(climate, () => first).forecast(location, 1);
}

/** A new server instance (one per MCP session). */
export function createWeatherMcpServer(deps: WeatherMcpDeps): McpServer {
  const data = deps.airports && deps.climate ? undefined : shippedData();
  const index = deps.airports ? createLocationIndex(deps.airports) : data!.index;
  const climate = deps.climate ?? data!.climate;
  const provider = createWeatherProvider(deps, climate);
  const ttlMs = deps.cacheTtlMs ?? 15 * 60_000;
  const logger = deps.logger.child({ mcpServer: "weather", provider: provider.name });

  const forecast = (
    location: ResolvedLocation,
    days: number,
    signal: AbortSignal,
  ): Promise<WeatherReport> => {
    if (!provider.cacheable || !deps.cache) return provider.forecast(location, days, signal);
    const { lat, lon } = location.place;
    const key = `weather:${provider.name}:${lat.toFixed(3)},${lon.toFixed(3)}:${days}`;
    // Entries are keyed by coordinates, so the location block is restamped for this query.
    return deps.cache
      .wrap(key, ttlMs, () => provider.forecast(location, days, signal), { name: "weather" })
      .then((report) => ({ ...report, location: locationOut(location) }));
  };

  const failure = (tool: string, err: unknown) => {
    if (err instanceof WeatherError) return toolError(err.message);
    logger.error({ err, tool }, "weather MCP tool failed");
    return toolError(`${tool} failed: an internal error occurred`);
  };

  const known =
    "Known places are resources (flightly://locations/{iata}); the trip_weather prompt plans around the weather.";
  const server = new McpServer(serverInfo("flightly-weather", "Flightly weather"), {
    capabilities: SERVER_CAPABILITIES,
    instructions:
      provider.name === "offline"
        ? `Weather for Flightly destinations. This deployment has no live forecast: answers are monthly climate averages, labelled as such. ${known}`
        : `Weather forecasts (up to 16 days) and forecast-derived alerts for Flightly destinations. ${known}`,
  });
  // Bound once every feature is registered (below); handlers run only after that.
  let log: SessionLog | undefined;

  server.registerTool(
    "get_forecast",
    {
      title: "Weather forecast",
      description:
        "Daily weather for a place for the next `days` days (1–16): high/low °C, precipitation, conditions, " +
        'wind. When `kind` is "climate_normals" the answer is monthly averages for the period, not a forecast; ' +
        "say so when you use it.",
      inputSchema: z.strictObject({
        location: locationInput,
        days: z
          .number()
          .int("days must be a whole number")
          .min(1, "days must be between 1 and 16")
          .max(MAX_DAYS, "days must be between 1 and 16")
          .optional()
          .describe("How many days ahead, 1–16 (default 7)"),
        month: z
          .number()
          .int("month must be a whole number")
          .min(1, "month must be 1–12")
          .max(12, "month must be 1–12")
          .optional()
          .describe(
            "A month of travel beyond the forecast's reach (1–12): its monthly climate averages, labelled as such",
          ),
      }),
      outputSchema: forecastOutput,
      annotations: { title: "Weather forecast", ...READ_ONLY, openWorldHint: provider.name !== "offline" },
    },
    async ({ location, days, month }, extra) => {
      const progress = progressOf(extra, 2);
      try {
        const resolved = index.resolve(location);
        await progress(1, `resolved ${resolved.place.label}`);
        const report =
          month === undefined
            ? await forecast(resolved, days ?? 7, extra.signal)
            : await monthAverages(climate, resolved, month, deps.now?.() ?? new Date());
        await progress(2, "forecast received");
        await log?.send(
          "info",
          { tool: "get_forecast", location: resolved.place.label, kind: report.kind },
          extra,
        );
        return toolJson({ ...report });
      } catch (err) {
        await log?.send(
          "warning",
          { tool: "get_forecast", error: String((err as Error)?.message ?? err) },
          extra,
        );
        return failure("get_forecast", err);
      }
    },
  );

  server.registerTool(
    "get_alerts",
    {
      title: "Weather alerts",
      description:
        "Weather risks for a place over the next 7 days (heavy rain, heat, cold, strong wind, thunderstorms, " +
        "snow), derived from the forecast by fixed thresholds — not official warnings. Offline, it lists what " +
        "the month is typically like instead.",
      inputSchema: z.strictObject({ location: locationInput }),
      outputSchema: alertsOutput,
      annotations: { title: "Weather alerts", ...READ_ONLY, openWorldHint: provider.name !== "offline" },
    },
    async ({ location }, extra) => {
      try {
        const resolved = index.resolve(location);
        const report = await forecast(resolved, ALERT_DAYS, extra.signal);
        return toolJson({ ...provider.alerts(resolved, report) });
      } catch (err) {
        return failure("get_alerts", err);
      }
    },
  );

  registerWeatherResources(server, index, climate);
  log = finishCapabilities(server, "flightly-weather");
  return server;
}
