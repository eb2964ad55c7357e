/**
 * flightly-weather through the official SDK client: the offline provider (climate normals, always
 * labelled as averages), the Open-Meteo provider against a local HTTP server speaking its API, the
 * tool cache in front of it, location resolution and input errors.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadClimateNormals } from "../../mcp-servers/weather/climate.js";
import { createLocationIndex, loadAirports } from "../../mcp-servers/weather/locations.js";
import { createWeatherMcpServer } from "../../mcp-servers/weather/server.js";
import { InProcessStore } from "../../memory/store/index.js";
import { createToolCache } from "../../tools/cache.js";
import { uniq } from "../support/env.js";
import { callTool, connectInMemory, silentLogger } from "./fixtures.js";

const JULY_10 = new Date("2025-07-10T12:00:00Z");

describe("climate-normals.json", () => {
  it("covers every seeded airport with 12 months of plausible values", () => {
    const { normals, note } = loadClimateNormals();
    expect(note).toBe("Monthly averages, not a forecast");
    for (const airport of loadAirports()) {
      const n = normals[airport.iata];
      expect(n, airport.iata).toBeDefined();
      for (let m = 0; m < 12; m++) {
        expect(n!.high_c[m]!, `${airport.iata} month ${m + 1}`).toBeGreaterThan(n!.low_c[m]!);
        expect(n!.rain_days[m]!).toBeLessThanOrEqual(31);
        expect(n!.precip_mm[m]!).toBeGreaterThanOrEqual(0);
      }
    }
    // Spot checks against published normals: Honolulu in July, Las Vegas in July, Tokyo in January.
    expect(normals.HNL).toMatchObject({ high_c: expect.arrayContaining([31]), precip_mm: expect.any(Array) });
    expect(normals.LAS?.high_c[6]).toBe(40);
    expect(normals.NRT?.low_c[0]).toBe(1);
  });
});

describe("location resolution", () => {
  const index = createLocationIndex(loadAirports());

  it.each([
    ["HNL", "iata", "HNL"],
    ["hnl", "iata", "HNL"],
    ["Honolulu", "city", "HNL"],
    ["  honolulu ", "city", "HNL"],
    ["Maui", "alias", "OGG"],
    ["Sao Paulo", "city", "GRU"],
    ["São Paulo", "city", "GRU"],
    ["Paris, France", "city", "CDG"],
    ["new york city", "alias", "JFK"],
    ["Kailua-Kona", "city", "KOA"],
    ["O'Hare", "alias", "ORD"],
  ])("%s → %s %s", (query, matchedBy, iata) => {
    const resolved = index.resolve(query);
    expect(resolved.matchedBy).toBe(matchedBy);
    expect(resolved.place.iata).toBe(iata);
  });

  it("resolves coordinates and names the nearest airport", () => {
    const resolved = index.resolve("21.28,-157.83");
    expect(resolved).toMatchObject({
      matchedBy: "coordinates",
      place: { lat: 21.28, lon: -157.83, iata: null },
    });
    expect(resolved.nearest).toMatchObject({ iata: "HNL" });
    expect(resolved.nearest!.distanceKm).toBeLessThan(15);
  });

  it("refuses unknown places with suggestions, and bad coordinates", () => {
    expect(() => index.resolve("Atlantis")).toThrow(/unknown location "Atlantis"/);
    expect(() => index.resolve("Honolul")).toThrow(/did you mean Honolulu \(HNL\)/);
    expect(() => index.resolve("95,10")).toThrow(/coordinates out of range/);
  });
});

describe("flightly-weather, offline provider", () => {
  let client: Client;

  beforeAll(async () => {
    client = await connectInMemory(
      createWeatherMcpServer({
        weather: { provider: "offline", baseUrl: "http://127.0.0.1:9" },
        logger: silentLogger,
        now: () => JULY_10,
      }),
    );
  });
  afterAll(async () => {
    await client?.close();
  });

  it("lists get_forecast and get_alerts, annotated read-only and closed-world", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["get_alerts", "get_forecast"]);
    for (const tool of tools)
      expect(tool.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: false });
  });

  it("answers with monthly averages, labelled as such, never as a forecast", async () => {
    const result = await callTool(client, "get_forecast", { location: "Honolulu", days: 3 });
    expect(result.isError, result.text).toBeFalsy();
    expect(result.structuredContent).toEqual({
      kind: "climate_normals",
      note: "Monthly averages, not a forecast",
      provider: "offline",
      location: {
        query: "Honolulu",
        matched_by: "city",
        name: "Honolulu (HNL)",
        iata: "HNL",
        country: "US",
        lat: 21.3187,
        lon: -157.9225,
      },
      station: "Honolulu (Intl Airport)",
      period: { from: "2025-07-10", to: "2025-07-12" },
      months: [{ month: "July", avg_high_c: 31, avg_low_c: 24, avg_precip_mm: 12, avg_rain_days: 7 }],
      source: expect.stringContaining("normals"),
    });
    expect(result.text).toContain('"note":"Monthly averages, not a forecast"');
    expect(result.structuredContent).not.toHaveProperty("days");
  });

  it("covers every month the requested days span", async () => {
    const result = await callTool(client, "get_forecast", { location: "LAS", days: 16 });
    expect(result.structuredContent).toMatchObject({
      period: { from: "2025-07-10", to: "2025-07-25" },
      months: [{ month: "July" }],
    });
    const late = await connectInMemory(
      createWeatherMcpServer({
        weather: { provider: "offline", baseUrl: "http://127.0.0.1:9" },
        logger: silentLogger,
        now: () => new Date("2025-07-28T12:00:00Z"),
      }),
    );
    const span = await callTool(late, "get_forecast", { location: "LAS", days: 7 });
    expect(
      (span.structuredContent as { months: Array<{ month: string }> }).months.map((m) => m.month),
    ).toEqual(["July", "August"]);
    await late.close();
  });

  it("gives a travel month beyond the forecast's reach its averages: the next such month", async () => {
    const result = await callTool(client, "get_forecast", { location: "LAS", month: 2 });
    expect(result.isError, result.text).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      kind: "climate_normals",
      note: "Monthly averages, not a forecast",
      period: { from: "2026-02-01" },
      months: [{ month: "February" }],
    });
    const bad = await callTool(client, "get_forecast", { location: "LAS", month: 13 });
    expect(bad.isError).toBe(true);
    expect(bad.text).toMatch(/month must be 1–12/);
  });

  it("resolves coordinates to the nearest airport's normals, and refuses the open ocean", async () => {
    const near = await callTool(client, "get_forecast", { location: "20.89,-156.44" });
    expect(near.structuredContent).toMatchObject({
      kind: "climate_normals",
      location: { matched_by: "coordinates", nearest_airport: { iata: "OGG" } },
    });
    const far = await callTool(client, "get_forecast", { location: "0,-140" });
    expect(far.isError).toBe(true);
    expect(far.text).toMatch(/no offline climate data near 0,-140/);
  });

  it("unknown locations and out-of-range days are clear tool errors", async () => {
    const unknown = await callTool(client, "get_forecast", { location: "Atlantis" });
    expect(unknown.isError).toBe(true);
    expect(unknown.text).toMatch(/unknown location "Atlantis"/);
    for (const days of [0, 17, 2.5]) {
      const bad = await callTool(client, "get_forecast", { location: "HNL", days });
      expect(bad.isError, `days=${days}`).toBe(true);
      expect(bad.text).toMatch(/days must be (between 1 and 16|a whole number)/);
    }
  });

  it("get_alerts offline lists no live alerts and describes the month", async () => {
    const result = await callTool(client, "get_alerts", { location: "Mumbai" });
    expect(result.isError, result.text).toBeFalsy();
    expect(result.structuredContent).toMatchObject({
      kind: "climate_normals",
      alerts: [],
      note: expect.stringContaining("Monthly averages, not a forecast"),
      seasonal_notes: [expect.stringMatching(/July is a wet month in Mumbai: 919 mm/)],
    });
  });
});

describe("flightly-weather, Open-Meteo provider against a local server", () => {
  let upstream: Server;
  let baseUrl: string;
  const requests: URL[] = [];
  let client: Client;
  const cache = createToolCache(new InProcessStore(), { namespace: uniq("weather") });

  /** Speaks Open-Meteo's /v1/forecast; a few coordinates trigger failures. */
  const answer = (url: URL): { status: number; body: string; delayMs?: number } => {
    const lat = Number(url.searchParams.get("latitude"));
    if (lat === 10) return { status: 500, body: "oops" };
    if (lat === 11)
      return { status: 400, body: JSON.stringify({ error: true, reason: "Latitude must be in range" }) };
    if (lat === 12) return { status: 200, body: JSON.stringify({ hello: "world" }) };
    if (lat === 13) return { status: 200, body: "{}", delayMs: 1_000 };
    const n = Number(url.searchParams.get("forecast_days"));
    const pick = <T>(values: T[]): T[] => Array.from({ length: n }, (_, i) => values[i % values.length]!);
    return {
      status: 200,
      body: JSON.stringify({
        latitude: lat,
        longitude: Number(url.searchParams.get("longitude")),
        timezone: "Pacific/Honolulu",
        daily_units: { temperature_2m_max: "°C" },
        daily: {
          time: Array.from({ length: n }, (_, i) => `2025-07-${String(10 + i).padStart(2, "0")}`),
          temperature_2m_max: pick([30.1, 41.2, 29]),
          temperature_2m_min: pick([23.4, 24, null]),
          precipitation_sum: pick([0, 62.5, 3]),
          weather_code: pick([1, 95, 61]),
          wind_speed_10m_max: pick([20, 45, 10]),
          wind_gusts_10m_max: pick([35, 95, 20]),
        },
      }),
    };
  };

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://localhost");
      requests.push(url);
      if (url.pathname !== "/v1/forecast") {
        res.writeHead(404).end();
        return;
      }
      const { status, body, delayMs } = answer(url);
      setTimeout(() => res.writeHead(status, { "content-type": "application/json" }).end(body), delayMs ?? 0);
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/`;
    client = await connectInMemory(
      createWeatherMcpServer({
        weather: { provider: "open-meteo", baseUrl },
        logger: silentLogger,
        cache,
        requestTimeoutMs: 300,
      }),
    );
  });
  afterAll(async () => {
    await client?.close();
    upstream?.closeAllConnections();
    await new Promise((resolve) => upstream?.close(resolve));
  });

  it("is annotated open-world", async () => {
    const { tools } = await client.listTools();
    for (const tool of tools)
      expect(tool.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: true });
  });

  it("asks /v1/forecast for the place's coordinates and returns a labelled forecast", async () => {
    const result = await callTool(client, "get_forecast", { location: "HNL", days: 3 });
    expect(result.isError, result.text).toBeFalsy();
    const sent = requests.at(-1)!;
    expect(sent.pathname).toBe("/v1/forecast");
    expect(Object.fromEntries(sent.searchParams)).toEqual({
      latitude: "21.3187",
      longitude: "-157.9225",
      daily:
        "temperature_2m_max,temperature_2m_min,precipitation_sum,weather_code,wind_speed_10m_max,wind_gusts_10m_max",
      timezone: "auto",
      forecast_days: "3",
    });
    expect(result.structuredContent).toMatchObject({
      kind: "forecast",
      provider: "open-meteo",
      timezone: "Pacific/Honolulu",
      location: { matched_by: "iata", iata: "HNL" },
      days: [
        {
          date: "2025-07-10",
          temp_max_c: 30.1,
          temp_min_c: 23.4,
          precipitation_mm: 0,
          conditions: "mainly clear",
        },
        { date: "2025-07-11", temp_max_c: 41.2, weather_code: 95, conditions: "thunderstorm" },
        { date: "2025-07-12", temp_min_c: null, conditions: "light rain" },
      ],
    });
    expect(result.structuredContent).not.toHaveProperty("note");
  });

  it("caches forecasts through the tool cache: the same place and days asks upstream once", async () => {
    const count = (): number => requests.filter((u) => u.searchParams.get("latitude") === "21.9758").length;
    const first = await callTool(client, "get_forecast", { location: "Lihue", days: 5 });
    const second = await callTool(client, "get_forecast", { location: "LIH", days: 5 });
    expect(count()).toBe(1);
    expect(second.structuredContent).toMatchObject({ location: { query: "LIH", matched_by: "iata" } });
    expect((second.structuredContent as { days: unknown[] }).days).toEqual(
      (first.structuredContent as { days: unknown[] }).days,
    );
    expect(cache.stats().byName.weather).toMatchObject({ hits: 1 });
    await callTool(client, "get_forecast", { location: "LIH", days: 6 });
    expect(count()).toBe(2);
  });

  it("derives alerts from forecast thresholds", async () => {
    const result = await callTool(client, "get_alerts", { location: "Honolulu" });
    expect(result.isError, result.text).toBeFalsy();
    const report = result.structuredContent as {
      kind: string;
      note: string;
      alerts: Array<Record<string, string>>;
    };
    expect(report.kind).toBe("forecast_alerts");
    expect(report.note).toMatch(/not official warnings/);
    expect(report.alerts).toEqual(
      expect.arrayContaining([
        {
          type: "heavy_rain",
          severity: "warning",
          date: "2025-07-11",
          message: "heavy rain: 62.5 mm expected",
        },
        { type: "heat", severity: "warning", date: "2025-07-11", message: "heat: high of 41.2 °C" },
        expect.objectContaining({ type: "wind", severity: "warning", date: "2025-07-11" }),
        expect.objectContaining({ type: "thunderstorm", severity: "advisory", date: "2025-07-11" }),
      ]),
    );
    expect(report.alerts.filter((a) => a.date === "2025-07-10")).toEqual([]);
  });

  it("turns upstream failures into clear tool errors", async () => {
    const cases: Array<[string, RegExp]> = [
      ["10,10", /answered HTTP 500/],
      ["11,10", /rejected the request: Latitude must be in range/],
      ["12,10", /unexpected shape/],
      ["13,10", /did not answer within 300 ms/],
    ];
    for (const [location, reason] of cases) {
      const result = await callTool(client, "get_forecast", { location });
      expect(result.isError, location).toBe(true);
      expect(result.text).toMatch(reason);
    }
    const unknown = await callTool(client, "get_forecast", { location: "Atlantis" });
    expect(unknown.text).toMatch(/unknown location/);
  });
});
