/** `search_hotels`: hotels in a city from the hotels table. */
import { z } from "zod";
import type { ToolCachePolicy } from "./cache.js";
import { isoDate, type ToolDeps, usd } from "./common.js";
import { defineTool } from "./definition.js";
import { fail, ok, type Tool } from "./types.js";

export const searchHotelsInput = z.object({
  city: z
    .string()
    .trim()
    .min(2)
    .max(80)
    .describe("City name or its airport's IATA code (e.g. Honolulu or HNL)"),
  check_in: isoDate("Check-in date").optional(),
  nights: z.number().int().min(1).max(60).optional().describe("Nights to stay; adds a total price"),
  guests: z.number().int().min(1).max(12).optional().describe("Guests, adults and children"),
  max_price_per_night_usd: z.number().positive().optional(),
  family_friendly: z.boolean().optional().describe("Only family-friendly hotels when true"),
  limit: z.number().int().min(1).max(20).default(5),
});
export type SearchHotelsInput = z.output<typeof searchHotelsInput>;

const searchHotelsCachePolicy: ToolCachePolicy<SearchHotelsInput> = {
  ttlMs: 10 * 60_000,
  scope: "global",
};

interface Row {
  hotel_id: string;
  name: string;
  city: string;
  iata: string;
  stars: number;
  price_per_night_cents: number;
  family_friendly: boolean;
  rating: number;
  amenities: string[];
}

function searchHotelsTool(deps: Pick<ToolDeps, "sql">): Tool<SearchHotelsInput> {
  const { sql } = deps;
  return {
    name: "search_hotels",
    description:
      "Search hotels in a city (name or airport IATA code), best rated first. Filter by " +
      "`max_price_per_night_usd` and `family_friendly`; give `nights` to get each hotel's total. " +
      "Prices are per room per night in USD.",
    input: searchHotelsInput,
    sideEffect: false,
    async run(input) {
      if (input.check_in && input.check_in < new Date().toISOString().slice(0, 10)) {
        return fail("check_in is in the past");
      }
      const city = input.city.toLowerCase();
      const rows = await sql<Row[]>`
        SELECT h.id::text AS hotel_id, h.name, h.city, h.iata, h.stars, h.price_per_night_cents,
               h.family_friendly, h.rating::float8 AS rating, h.amenities
        FROM hotels h
        WHERE (lower(h.iata) = ${city} OR lower(h.city) = ${city}
               OR h.iata IN (SELECT iata FROM airports WHERE lower(city) = ${city}))
          ${input.max_price_per_night_usd !== undefined ? sql`AND h.price_per_night_cents <= ${Math.round(input.max_price_per_night_usd * 100)}` : sql``}
          ${input.family_friendly === true ? sql`AND h.family_friendly` : sql``}
        ORDER BY h.rating DESC, h.price_per_night_cents, h.id
        LIMIT ${input.limit}`;
      const nights = input.nights;
      return ok({
        hotels: rows.map((r) => ({
          hotel_id: r.hotel_id,
          name: r.name,
          city: r.city,
          iata: r.iata,
          stars: r.stars,
          price_per_night_usd: usd(r.price_per_night_cents),
          family_friendly: r.family_friendly,
          rating: r.rating,
          amenities: r.amenities,
          ...(nights === undefined ? {} : { total_usd: usd(r.price_per_night_cents * nights) }),
        })),
        count: rows.length,
        ...(input.check_in === undefined ? {} : { check_in: input.check_in }),
        ...(nights === undefined ? {} : { nights }),
        ...(input.guests === undefined ? {} : { guests: input.guests }),
      });
    },
  };
}

export const searchHotels = defineTool({
  name: "search_hotels",
  answers: "availability",
  cache: searchHotelsCachePolicy,
  // Each listed hotel keeps the stay it was searched for: "book the cheapest" books those dates.
  session: (input, result) => ({
    last_hotels: JSON.stringify(
      (Array.isArray(result.hotels) ? result.hotels : []).map((h) =>
        typeof h === "object" && h !== null && !Array.isArray(h)
          ? {
              ...h,
              ...(input.check_in === undefined ? {} : { check_in: input.check_in }),
              ...(input.nights === undefined ? {} : { nights: input.nights }),
              ...(input.guests === undefined ? {} : { guests: input.guests }),
            }
          : h,
      ),
    ),
    last_list: "hotels",
  }),
  create: searchHotelsTool,
});
