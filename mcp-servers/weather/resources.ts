/**
 * flightly-weather resources and prompts: each known location (`flightly://locations/{iata}`:
 * the airport, its city and coordinates, and its monthly climate normals where the dataset has
 * them), listed and completable; and the `trip_weather` prompt, whose location completes from the
 * same places.
 */
import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { ErrorCode, McpError } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";
import { suggest } from "../features.js";
import { type ClimateDataset, MONTHS } from "./climate.js";
import type { LocationIndex } from "./locations.js";

export function registerWeatherResources(
  server: McpServer,
  index: LocationIndex,
  climate: ClimateDataset,
): void {
  const byCode = new Map(index.airports.map((a) => [a.iata, a]));
  const codes = index.airports.map((a) => a.iata).sort();
  const places = [...new Set([...index.airports.map((a) => a.city), ...codes])].sort();

  server.registerResource(
    "location",
    new ResourceTemplate("flightly://locations/{iata}", {
      list: async () => ({
        resources: index.airports.map((a) => ({
          uri: `flightly://locations/${a.iata}`,
          name: a.iata,
          title: `${a.city} (${a.iata})`,
          description: `${a.name}, ${a.city}, ${a.country}`,
          mimeType: "application/json",
        })),
      }),
      complete: {
        iata: (value) => {
          const typed = (value ?? "").toLowerCase();
          // A city typed in full or in part completes to its airport codes as well.
          const byCity = index.airports
            .filter((a) => a.city.toLowerCase().startsWith(typed))
            .map((a) => a.iata);
          return [...new Set([...suggest(codes, value), ...(typed ? byCity : [])])].slice(0, 100);
        },
      },
    }),
    {
      title: "Location",
      description:
        "An airport the weather tools know: city, coordinates, time zone and monthly climate normals",
      mimeType: "application/json",
    },
    async (uri, { iata }) => {
      const code = String(iata).toUpperCase();
      const airport = byCode.get(code);
      if (!airport) throw new McpError(ErrorCode.InvalidParams, `No known location ${String(iata)}`);
      const normals = climate.normals[code];
      const body = {
        iata: airport.iata,
        name: airport.name,
        city: airport.city,
        country: airport.country,
        lat: airport.lat,
        lon: airport.lon,
        timezone: airport.tz,
        climate_normals: normals
          ? {
              note: climate.note,
              source: climate.source,
              station: normals.station,
              months: MONTHS.map((month, i) => ({
                month,
                avg_high_c: normals.high_c[i],
                avg_low_c: normals.low_c[i],
                avg_precip_mm: normals.precip_mm[i],
                avg_rain_days: normals.rain_days[i],
              })),
            }
          : null,
      };
      return { contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(body) }] };
    },
  );

  server.registerPrompt(
    "trip_weather",
    {
      title: "Weather for a trip",
      description: "Check the weather for a destination and suggest what to pack and plan around",
      argsSchema: {
        location: completable(z.string().describe("A city or IATA airport code"), (value) =>
          suggest(places, value),
        ),
        when: z.string().optional().describe('When the trip is, e.g. "next week" or "in March"'),
      },
    },
    ({ location, when }) => ({
      description: `Weather for a trip to ${location}`,
      messages: [
        {
          role: "user",
          content: {
            type: "text",
            text:
              `I am planning a trip to ${location}${when ? ` ${when}` : ""}. Call get_forecast for it (and ` +
              "get_alerts for weather risks), then tell me what to expect day by day, what to pack, and which " +
              "days suit outdoor plans. If the answer is climate averages rather than a forecast, say so.",
          },
        },
      ],
    }),
  );
}
