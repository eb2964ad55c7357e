/** `search_flights`: bookable flights on a route, filtered and sorted, from the flights table. */
import { z } from "zod";
import type { ToolCachePolicy } from "./cache.js";
import { flightsTag, iata, isoDate, type ToolDeps, usd } from "./common.js";
import { defineTool } from "./definition.js";
import { fail, ok, type Tool } from "./types.js";

export const searchFlightsInput = z.object({
  origin: iata("Departure"),
  destination: iata("Arrival"),
  date: isoDate("Departure date in the origin's local time").optional(),
  date_from: isoDate("Earliest departure date (inclusive), when searching a range").optional(),
  date_to: isoDate("Latest departure date (inclusive), when searching a range").optional(),
  passengers: z.number().int().min(1).max(9).default(1).describe("Travellers needing a seat (1-9)"),
  max_price_usd: z.number().positive().optional().describe("Highest fare per passenger, USD"),
  avoid_airlines: z
    .array(z.string().trim().min(1))
    .max(20)
    .optional()
    .describe("Airlines to exclude, by name or code, case-insensitive (e.g. the customer's avoid list)"),
  airline: z.string().trim().min(1).optional().describe("Only this airline, by name or code"),
  depart_after: localTime("Earliest departure time of day, local to the origin").optional(),
  depart_before: localTime("Latest departure time of day, local to the origin").optional(),
  arrive_after: localTime("Earliest arrival time of day, local to the destination").optional(),
  arrive_before: localTime("Latest arrival time of day, local to the destination").optional(),
  return_date: isoDate(
    "Return date of a round trip: also lists flights back from the destination that day (local to it)",
  ).optional(),
  sort: z.enum(["price", "departure", "duration"]).default("price"),
  limit: z.number().int().min(1).max(20).default(5),
});
function localTime(description: string) {
  return z
    .string()
    .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, "a time of day, HH:MM")
    .describe(`${description}, HH:MM (24-hour)`);
}

export type SearchFlightsInput = z.output<typeof searchFlightsInput>;

/** Date ranges longer than this are tagged route-wide rather than per day. */
const MAX_TAGGED_DAYS = 31;

const addDays = (date: string, n: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/** The searched route and dates as invalidation tags (see `seatChangeTags`). */
function searchFlightsTags(input: SearchFlightsInput): string[] {
  const { origin, destination } = input;
  if (input.return_date) {
    const { return_date, ...outbound } = input;
    return [...searchFlightsTags(outbound), flightsTag(destination, origin, return_date)];
  }
  if (input.date) return [flightsTag(origin, destination, input.date)];
  if (input.date_from && input.date_to) {
    const days = (Date.parse(input.date_to) - Date.parse(input.date_from)) / 86_400_000;
    if (days >= 0 && days < MAX_TAGGED_DAYS) {
      return Array.from({ length: days + 1 }, (_, i) =>
        flightsTag(origin, destination, addDays(input.date_from!, i)),
      );
    }
  }
  return [flightsTag(origin, destination)];
}

/** Prices move: a short TTL, shared by everyone, dropped when a seat on the route and date changes. */
export const searchFlightsCachePolicy: ToolCachePolicy<SearchFlightsInput> = {
  ttlMs: 60_000,
  scope: "global",
  tags: searchFlightsTags,
};

interface Row {
  flight_id: string;
  airline: string;
  airline_code: string;
  flight_number: string;
  origin: string;
  destination: string;
  depart_at: Date;
  arrive_at: Date;
  price_cents: number;
  seats_available: number;
}

export function searchFlightsTool(deps: Pick<ToolDeps, "sql">): Tool<SearchFlightsInput> {
  const { sql } = deps;
  return {
    name: "search_flights",
    description:
      "Search bookable flights between two airports (IATA codes). Give `date` for one day, or " +
      "`date_from`/`date_to` for a range (dates are local to the origin); without dates, all upcoming " +
      "flights. Only flights with enough free seats for `passengers` that have not departed are returned. " +
      "Filter by `max_price_usd` (per passenger), `airline`, times of day (`depart_after`, " +
      "`depart_before`, `arrive_after`, `arrive_before`, local HH:MM), or exclude `avoid_airlines` (names or codes). " +
      "For a round trip give `return_date`: the flights back are listed as `return_flights`. " +
      "Sort by price (default), departure or duration. Returns flight_id values to pass to reserve_flight; " +
      "prices are per passenger in USD.",
    input: searchFlightsInput,
    sideEffect: false,
    async run(input) {
      if (input.origin === input.destination) return fail("origin and destination are the same airport");
      const from = input.date ?? input.date_from;
      const to = input.date ?? input.date_to;
      if (from && to && from > to) return fail("date_from is after date_to");
      if (input.return_date && from && input.return_date < from)
        return fail("return_date is before the departure date");
      const rows = await legRows(sql, input);
      if (rows.length === 0) {
        const known = await sql<{ iata: string }[]>`
          SELECT iata FROM airports WHERE iata IN ${sql([input.origin, input.destination])}`;
        const unknown = [input.origin, input.destination].filter((c) => !known.some((k) => k.iata === c));
        if (unknown.length > 0) return fail(`unknown airport code ${unknown.join(" and ")}`);
      }
      // The way back: same party, fare cap and airlines; the times of day are the outbound's.
      const back = input.return_date
        ? await legRows(sql, {
            ...input,
            origin: input.destination,
            destination: input.origin,
            date: input.return_date,
            date_from: undefined,
            date_to: undefined,
            depart_after: undefined,
            depart_before: undefined,
            arrive_after: undefined,
            arrive_before: undefined,
          })
        : undefined;
      return ok({
        flights: rows.map(flightJson),
        count: rows.length,
        ...(back ? { return_flights: back.map(flightJson) } : {}),
      });
    },
  };
}

const flightJson = (r: Row) => ({
  flight_id: r.flight_id,
  airline: r.airline,
  airline_code: r.airline_code,
  flight_number: r.flight_number,
  origin: r.origin,
  destination: r.destination,
  depart_at: r.depart_at.toISOString(),
  arrive_at: r.arrive_at.toISOString(),
  price_usd: usd(r.price_cents),
  seats_available: r.seats_available,
});

/** One leg's bookable flights, filtered and sorted. */
async function legRows(sql: ToolDeps["sql"], input: SearchFlightsInput): Promise<Row[]> {
  const from = input.date ?? input.date_from;
  const to = input.date ?? input.date_to;
  const avoid = (input.avoid_airlines ?? []).map((a) => a.toLowerCase());
  const airline = input.airline?.toLowerCase();
  const order =
    input.sort === "departure"
      ? sql`f.depart_at, f.price_cents`
      : input.sort === "duration"
        ? sql`f.arrive_at - f.depart_at, f.price_cents`
        : sql`f.price_cents, f.depart_at`;
  // The UTC bounds (a day either side) keep the route index usable; the local date decides.
  return sql<Row[]>`
    SELECT f.id::text AS flight_id, al.name AS airline, f.airline AS airline_code, f.flight_number,
           f.origin, f.destination, f.depart_at, f.arrive_at, f.price_cents, f.seats_available
    FROM flights f
    JOIN airlines al ON al.code = f.airline
    JOIN airports o ON o.iata = f.origin
    JOIN airports d ON d.iata = f.destination
    WHERE f.origin = ${input.origin} AND f.destination = ${input.destination}
      AND f.depart_at > now()
      AND f.seats_available >= ${input.passengers}
      ${
        from
          ? sql`AND f.depart_at >= ${from}::date - 1
                AND (f.depart_at AT TIME ZONE o.timezone)::date >= ${from}::date`
          : sql``
      }
      ${
        to
          ? sql`AND f.depart_at < ${to}::date + 2
                AND (f.depart_at AT TIME ZONE o.timezone)::date <= ${to}::date`
          : sql``
      }
      ${input.max_price_usd !== undefined ? sql`AND f.price_cents <= ${Math.round(input.max_price_usd * 100)}` : sql``}
      ${avoid.length > 0 ? sql`AND lower(al.code) NOT IN ${sql(avoid)} AND lower(al.name) NOT IN ${sql(avoid)}` : sql``}
      ${
        airline
          ? sql`AND (lower(al.code) = ${airline} OR lower(al.name) = ${airline}
                OR lower(al.name) LIKE ${`%${airline.replace(/[\\%_]/g, "\\$&")}%`})`
          : sql``
      }
      ${input.depart_after ? sql`AND (f.depart_at AT TIME ZONE o.timezone)::time >= ${input.depart_after}::time` : sql``}
      ${input.depart_before ? sql`AND (f.depart_at AT TIME ZONE o.timezone)::time <= ${input.depart_before}::time` : sql``}
      ${input.arrive_after ? sql`AND (f.arrive_at AT TIME ZONE d.timezone)::time >= ${input.arrive_after}::time` : sql``}
      ${input.arrive_before ? sql`AND (f.arrive_at AT TIME ZONE d.timezone)::time <= ${input.arrive_before}::time` : sql``}
    ORDER BY ${order}
    LIMIT ${input.limit}`;
}

export const searchFlights = defineTool({
  name: "search_flights",
  answers: "availability",
  cache: searchFlightsCachePolicy,
  session: (input, result) => ({
    last_flights: JSON.stringify(result.flights ?? []),
    last_origin: input.origin,
    last_destination: input.destination,
    last_list: "flights",
  }),
  create: searchFlightsTool,
});
