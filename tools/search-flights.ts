/** `search_flights`: bookable flights on a route, filtered and sorted, from the flights table. */

import { z } from "zod";
import { MAX_CONNECT_MINUTES, MIN_CONNECT_MINUTES } from "./booking-legs.js";
import type { ToolCachePolicy } from "./cache.js";
import { arrivalsTag, departuresTag, flightsTag, iata, isoDate, type ToolDeps, usd } from "./common.js";
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
  max_stops: z
    .union([z.literal(0), z.literal(1)])
    .optional()
    .describe(
      "1 also lists one-stop connections (two flights, 1 to 8 hours apart at the stop) as `connections`; " +
        "each leg is reserved on its own. Default 0: non-stop flights only",
    ),
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

/** The searched days (local to the origin), or undefined when they are many or unbounded. */
function searchedDays(input: SearchFlightsInput): string[] | undefined {
  if (input.date) return [input.date];
  if (!input.date_from || !input.date_to) return undefined;
  const days = (Date.parse(input.date_to) - Date.parse(input.date_from)) / 86_400_000;
  if (days < 0 || days >= MAX_TAGGED_DAYS) return undefined;
  return Array.from({ length: days + 1 }, (_, i) => addDays(input.date_from!, i));
}

/**
 * The searched route and dates as invalidation tags (see `seatChangeTags`). A search with
 * connections also depends on every flight leaving the origin on those days and every flight into
 * the destination that can follow one (its departure day at the stop: a day before to two after).
 */
function searchFlightsTags(input: SearchFlightsInput): string[] {
  const { origin, destination } = input;
  if (input.return_date) {
    const { return_date, ...outbound } = input;
    return [...searchFlightsTags(outbound), flightsTag(destination, origin, return_date)];
  }
  const days = searchedDays(input);
  const direct = days
    ? days.map((d) => flightsTag(origin, destination, d))
    : [flightsTag(origin, destination)];
  if (input.max_stops !== 1) return direct;
  if (!days) return [...direct, departuresTag(origin), arrivalsTag(destination)];
  const legDays = [addDays(days[0]!, -1), ...days, addDays(days.at(-1)!, 1), addDays(days.at(-1)!, 2)];
  return [
    ...direct,
    ...days.map((d) => departuresTag(origin, d)),
    ...legDays.map((d) => arrivalsTag(destination, d)),
  ];
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
      const connections = input.max_stops === 1 && !input.return_date ? await connectionRows(sql, input) : [];
      return ok({
        flights: rows.map(flightJson),
        count: rows.length,
        ...(back ? { return_flights: back.map(flightJson) } : {}),
        ...(input.max_stops === 1 ? { connections } : {}),
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

/**
 * The times-of-day filters: departure local to the origin (`o`) on flight `first`, arrival local
 * to the destination (`d`) on flight `last` (the same flight for a non-stop search).
 */
function timesOfDay(sql: ToolDeps["sql"], input: SearchFlightsInput, first: string, last: string) {
  const [f, l] = [sql(first), sql(last)];
  return sql`
    ${input.depart_after ? sql`AND (${f}.depart_at AT TIME ZONE o.timezone)::time >= ${input.depart_after}::time` : sql``}
    ${input.depart_before ? sql`AND (${f}.depart_at AT TIME ZONE o.timezone)::time <= ${input.depart_before}::time` : sql``}
    ${input.arrive_after ? sql`AND (${l}.arrive_at AT TIME ZONE d.timezone)::time >= ${input.arrive_after}::time` : sql``}
    ${input.arrive_before ? sql`AND (${l}.arrive_at AT TIME ZONE d.timezone)::time <= ${input.arrive_before}::time` : sql``}`;
}

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
      ${timesOfDay(sql, input, "f", "f")}
    ORDER BY ${order}
    LIMIT ${input.limit}`;
}

/** Connections: at the stop the second flight leaves this long after the first one lands. */
const MIN_CONNECT = `${MIN_CONNECT_MINUTES} minutes`;
const MAX_CONNECT = `${MAX_CONNECT_MINUTES} minutes`;

/**
 * One-stop connections: a flight from the origin to any served airport, then one from there to the
 * destination, 1 to 8 hours later. The date, departure-time, party, airline and fare filters
 * apply as for a non-stop search (dates and departure times to the first leg, arrival times to
 * the second, the fare cap to both legs together).
 */
async function connectionRows(sql: ToolDeps["sql"], input: SearchFlightsInput) {
  const from = input.date ?? input.date_from;
  const to = input.date ?? input.date_to;
  const avoid = (input.avoid_airlines ?? []).map((a) => a.toLowerCase());
  const airline = input.airline?.toLowerCase();
  const carrier = (al: "a1" | "a2") => {
    const t = sql(al);
    return sql`
      ${avoid.length > 0 ? sql`AND lower(${t}.code) NOT IN ${sql(avoid)} AND lower(${t}.name) NOT IN ${sql(avoid)}` : sql``}
      ${airline ? sql`AND (lower(${t}.code) = ${airline} OR lower(${t}.name) = ${airline} OR lower(${t}.name) LIKE ${`%${airline.replace(/[\\%_]/g, "\\$&")}%`})` : sql``}`;
  };
  const order =
    input.sort === "departure"
      ? sql`f1.depart_at, total`
      : input.sort === "duration"
        ? sql`f2.arrive_at - f1.depart_at, total`
        : sql`total, f2.arrive_at - f1.depart_at`;
  const rows = await sql<
    {
      a: Omit<Row, "depart_at" | "arrive_at"> & { depart_at: string; arrive_at: string };
      b: Omit<Row, "depart_at" | "arrive_at"> & { depart_at: string; arrive_at: string };
      total: number;
    }[]
  >`
    SELECT json_build_object('flight_id', f1.id::text, 'airline', a1.name, 'airline_code', f1.airline,
             'flight_number', f1.flight_number, 'origin', f1.origin, 'destination', f1.destination,
             'depart_at', f1.depart_at, 'arrive_at', f1.arrive_at, 'price_cents', f1.price_cents,
             'seats_available', f1.seats_available) AS a,
           json_build_object('flight_id', f2.id::text, 'airline', a2.name, 'airline_code', f2.airline,
             'flight_number', f2.flight_number, 'origin', f2.origin, 'destination', f2.destination,
             'depart_at', f2.depart_at, 'arrive_at', f2.arrive_at, 'price_cents', f2.price_cents,
             'seats_available', f2.seats_available) AS b,
           f1.price_cents + f2.price_cents AS total
    FROM flights f1
    JOIN airports o ON o.iata = f1.origin
    JOIN airlines a1 ON a1.code = f1.airline
    JOIN flights f2 ON f2.origin = f1.destination AND f2.destination = ${input.destination}
      AND f2.depart_at BETWEEN f1.arrive_at + ${MIN_CONNECT}::interval AND f1.arrive_at + ${MAX_CONNECT}::interval
    JOIN airlines a2 ON a2.code = f2.airline
    JOIN airports d ON d.iata = f2.destination
    WHERE f1.origin = ${input.origin} AND f1.destination <> ${input.destination}
      AND f1.depart_at > now()
      AND f1.seats_available >= ${input.passengers} AND f2.seats_available >= ${input.passengers}
      ${from ? sql`AND f1.depart_at >= ${from}::date - 1 AND (f1.depart_at AT TIME ZONE o.timezone)::date >= ${from}::date` : sql``}
      ${to ? sql`AND f1.depart_at < ${to}::date + 2 AND (f1.depart_at AT TIME ZONE o.timezone)::date <= ${to}::date` : sql``}
      ${input.max_price_usd !== undefined ? sql`AND f1.price_cents + f2.price_cents <= ${Math.round(input.max_price_usd * 100)}` : sql``}
      ${carrier("a1")} ${carrier("a2")}
      ${timesOfDay(sql, input, "f1", "f2")}
    ORDER BY ${order}
    LIMIT ${input.limit}`;
  const leg = (r: (typeof rows)[number]["a"]): Row => ({
    ...r,
    depart_at: new Date(r.depart_at),
    arrive_at: new Date(r.arrive_at),
  });
  return rows.map((r) => {
    const [a, b] = [leg(r.a), leg(r.b)];
    return {
      via: a.destination,
      legs: [flightJson(a), flightJson(b)],
      price_usd: usd(r.total),
      layover_minutes: Math.round((b.depart_at.getTime() - a.arrive_at.getTime()) / 60_000),
      duration_minutes: Math.round((b.arrive_at.getTime() - a.depart_at.getTime()) / 60_000),
    };
  });
}

export const searchFlights = defineTool({
  name: "search_flights",
  answers: "availability",
  cache: searchFlightsCachePolicy,
  // Connections are what a list shows when no non-stop flight was found: "book the first one" then
  // books that connection's legs, for the party searched for.
  session: (input, result) => ({
    last_flights: JSON.stringify(result.flights ?? []),
    last_connections: JSON.stringify(
      Array.isArray(result.flights) && result.flights.length === 0 && Array.isArray(result.connections)
        ? result.connections.map((c) =>
            typeof c === "object" && c !== null && !Array.isArray(c)
              ? { ...c, passengers: input.passengers }
              : c,
          )
        : [],
    ),
    last_origin: input.origin,
    last_destination: input.destination,
    last_list: "flights",
  }),
  create: searchFlightsTool,
});
