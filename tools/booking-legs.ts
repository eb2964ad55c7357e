/**
 * The onward legs of a connecting booking (`booking_legs`; leg 1 is `bookings.flight_id`): how a
 * booking's query reads them, how a connection is checked before seats are taken, and how every
 * leg's seats go back when a booking ends.
 */
import type { Sql } from "../memory/db/index.js";
import { seatChangeTags } from "./common.js";

type Tx = Parameters<Parameters<Sql["begin"]>[1]>[0];
type Q = Sql | Tx;

/** One flight of a booking as the bookings tools return it. */
export type LegView = {
  flight_id: string;
  airline: string;
  airline_code: string;
  flight_number: string;
  origin: string;
  destination: string;
  depart_at: string;
  arrive_at: string;
};

/** An onward leg as `onwardLegs` reads it (timestamps as JSON text). */
export type OnwardRow = LegView & { price_cents: number };

/** Connections: the next leg leaves the stop this long after the previous one lands (as searched). */
export const MIN_CONNECT_MINUTES = 60;
export const MAX_CONNECT_MINUTES = 8 * 60;

/** A select-list column `onward`: the booking `b`'s onward legs in order, as JSON. */
export const onwardLegs = (q: Q) => q`
  (SELECT coalesce(json_agg(json_build_object(
            'flight_id', lf.id::text, 'airline', la.name, 'airline_code', lf.airline,
            'flight_number', lf.flight_number, 'origin', lf.origin, 'destination', lf.destination,
            'depart_at', lf.depart_at, 'arrive_at', lf.arrive_at, 'price_cents', lf.price_cents)
          ORDER BY l.leg), '[]'::json)
   FROM booking_legs l JOIN flights lf ON lf.id = l.flight_id JOIN airlines la ON la.code = lf.airline
   WHERE l.booking_id = b.id) AS onward`;

/** An onward leg with its instants as ISO strings (json_build_object writes them its own way). */
export const legView = (r: OnwardRow): LegView => ({
  flight_id: r.flight_id,
  airline: r.airline,
  airline_code: r.airline_code,
  flight_number: r.flight_number,
  origin: r.origin,
  destination: r.destination,
  depart_at: new Date(r.depart_at).toISOString(),
  arrive_at: new Date(r.arrive_at).toISOString(),
});

/**
 * Why two flights do not make a one-stop connection (undefined when they do): the second leaves
 * from where the first lands, 1 to 8 hours after it lands, for somewhere other than the start.
 */
export async function connectionProblem(q: Q, first: string, second: string): Promise<string | undefined> {
  const [row] = await q<{ found: number; meets: boolean; gap: number; back: boolean }[]>`
    SELECT count(*)::int AS found,
           bool_and(f2.origin = f1.destination) AS meets,
           min(extract(epoch FROM f2.depart_at - f1.arrive_at) / 60)::int AS gap,
           bool_or(f2.destination = f1.origin) AS back
    FROM flights f1, flights f2 WHERE f1.id = ${first} AND f2.id = ${second}`;
  if (!row || row.found === 0)
    return `no connection of flights ${first} and ${second}; use a connection's legs from search_flights`;
  if (!row.meets) return `flight ${second} does not leave from where flight ${first} lands`;
  if (row.back) return `flight ${second} flies back to where flight ${first} left from`;
  if (row.gap < MIN_CONNECT_MINUTES || row.gap > MAX_CONNECT_MINUTES)
    return `flight ${second} leaves ${row.gap} minutes after flight ${first} lands; a connection needs 1 to 8 hours`;
  return undefined;
}

/** Returns `seats` to each flight; the tags of the searches that changed. */
export async function releaseFlights(q: Q, flightIds: readonly string[], seats: number): Promise<string[]> {
  if (flightIds.length === 0) return [];
  const rows = await q<{ origin: string; destination: string; local_date: string }[]>`
    UPDATE flights f SET seats_available = LEAST(f.seats_total, f.seats_available + ${seats})
    FROM airports o
    WHERE f.id IN ${q(flightIds as string[])} AND o.iata = f.origin
    RETURNING f.origin, f.destination, to_char(f.depart_at AT TIME ZONE o.timezone, 'YYYY-MM-DD') AS local_date`;
  return [...new Set(rows.flatMap((f) => seatChangeTags(f.origin, f.destination, f.local_date)))];
}
