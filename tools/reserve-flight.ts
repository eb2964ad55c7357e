/**
 * `reserve_flight`: holds seats for 15 minutes, on one flight or on both legs of a one-stop
 * connection (one booking, one reference, the legs' fares added up). One transaction takes the
 * seats with a guarded decrement (`seats_available >= n`, so concurrent holds never oversell) and
 * inserts the held booking; a connection whose second leg is full takes nothing. With an
 * idempotency key a repeated call returns the first booking instead of holding twice. Cached
 * searches on the legs' routes and dates are invalidated.
 */
import { z } from "zod";
import { connectionProblem } from "./booking-legs.js";
import { bookingJson, loadBooking, releaseExpiredHolds } from "./bookings.js";
import { isResult, newRef, rowId, seatChangeTags, signedInCustomer, type ToolDeps, usd } from "./common.js";
import { defineTool } from "./definition.js";
import { fail, ok, type Tool, type ToolResult } from "./types.js";

export const reserveFlightInput = z.object({
  flight_id: rowId("flight_id from search_flights"),
  connecting_flight_id: rowId(
    "The second leg of a one-stop connection from search_flights (its legs[1].flight_id; flight_id is " +
      "legs[0]): both legs are held as one booking",
  ).optional(),
  passengers: z.number().int().min(1).max(9).default(1).describe("Seats to hold on each leg (1-9)"),
  contact_email: z.email().optional().describe("Where confirmations go, if not the profile email"),
});
export type ReserveFlightInput = z.output<typeof reserveFlightInput>;

/** How long a hold keeps its seats before it must be confirmed. */
const HOLD_MINUTES = 15;

/** Rolls the transaction back when a concurrent call with the same idempotency key won. */
class SameKeyWon extends Error {}
/** Rolls back the seats already taken when a later leg cannot be held. */
class LegRefused extends Error {
  constructor(readonly result: ToolResult) {
    super("leg refused");
  }
}

interface Taken {
  price_cents: number;
  depart_at: Date;
  origin: string;
  destination: string;
  local_date: string;
}

function reserveFlightTool(deps: Pick<ToolDeps, "sql" | "cache">): Tool<ReserveFlightInput> {
  const { sql, cache } = deps;

  const replay = async (customerId: string, key: string): Promise<ToolResult | undefined> => {
    const [prior] = await sql<{ ref: string; customer_id: string }[]>`
      SELECT ref, customer_id::text AS customer_id FROM bookings WHERE idempotency_key = ${key}`;
    if (!prior) return undefined;
    if (prior.customer_id !== customerId) return fail("this request was already used for another booking");
    const b = await loadBooking(sql, customerId, prior.ref);
    if (!b) return undefined;
    const view = bookingJson(b);
    return ok({
      booking_ref: view.booking_ref,
      status: view.status,
      hold_expires_at: view.hold_expires_at,
      total_usd: view.total_usd,
      flight_id: view.flight_id,
      ...(view.legs ? { connecting_flight_id: view.legs[1]!.flight_id, via: view.legs[0]!.destination } : {}),
      passengers: view.passengers,
      origin: view.origin,
      destination: view.destination,
      depart_at: view.depart_at,
      replayed: true,
    });
  };

  return {
    name: "reserve_flight",
    description:
      `Hold seats on a flight for the signed-in customer for ${HOLD_MINUTES} minutes. Pass the flight_id ` +
      "from search_flights and the number of passengers; for a one-stop connection pass its first leg as " +
      "flight_id and its second as connecting_flight_id: both legs are held as one booking priced at the " +
      "connection's total. Returns the booking_ref (status held), the hold " +
      "expiry and the total in USD; the booking must then be confirmed with confirm_booking before the " +
      "hold expires. Requires a signed-in customer.",
    input: reserveFlightInput,
    sideEffect: true,
    async run(input, ctx) {
      const customer = await signedInCustomer(sql, ctx);
      if (isResult(customer)) return customer;
      const key = ctx.idempotencyKey;
      if (key) {
        const prior = await replay(customer.id, key);
        if (prior) return prior;
      }
      ctx.signal.throwIfAborted();
      const legs = [input.flight_id, ...(input.connecting_flight_id ? [input.connecting_flight_id] : [])];
      if (legs.length > 1) {
        const problem = await connectionProblem(sql, legs[0]!, legs[1]!);
        if (problem) return fail(problem);
      }
      let outcome:
        | { booking: { ref: string; hold_expires_at: Date; total_cents: number }; taken: Taken[] }
        | ToolResult;
      try {
        outcome = await sql.begin(async (tx) => {
          const take = async (flightId: string): Promise<Taken | undefined> => {
            const [row] = await tx<Taken[]>`
              UPDATE flights f SET seats_available = f.seats_available - ${input.passengers}
              FROM airports o
              WHERE f.id = ${flightId} AND o.iata = f.origin
                AND f.seats_available >= ${input.passengers} AND f.depart_at > now()
              RETURNING f.price_cents, f.depart_at, f.origin, f.destination,
                        to_char(f.depart_at AT TIME ZONE o.timezone, 'YYYY-MM-DD') AS local_date`;
            return row;
          };
          const refused = async (flightId: string): Promise<ToolResult> => {
            const [f] = await tx<{ seats_available: number; departed: boolean }[]>`
              SELECT seats_available, depart_at <= now() AS departed FROM flights WHERE id = ${flightId}`;
            if (!f) return fail(`no flight ${flightId}; use a flight_id from search_flights`);
            if (f.departed) return fail(`flight ${flightId} has already departed`);
            return fail(
              f.seats_available === 0
                ? `flight ${flightId} is sold out`
                : `only ${f.seats_available} seat(s) left on flight ${flightId}, not ${input.passengers}`,
            );
          };
          // Seats are taken in flight id order, so two holds sharing flights never wait on each other.
          const byId = [...legs].sort((a, b) => Number(a) - Number(b));
          const got = new Map<string, Taken>();
          for (const flightId of byId) {
            let taken = await take(flightId);
            // Lapsed holds still count against the flight until something releases them: do it now.
            if (!taken && (await releaseExpiredHolds(tx, flightId)).expired > 0) taken = await take(flightId);
            if (!taken) {
              const why = await refused(flightId);
              // A later leg refused: what the earlier legs took goes back with the rollback.
              if (got.size > 0) throw new LegRefused(why);
              return why;
            }
            got.set(flightId, taken);
          }
          const taken = legs.map((id) => got.get(id)!);
          const fares = taken.reduce((n, t) => n + t.price_cents, 0);
          for (let attempt = 0; attempt < 5; attempt++) {
            const [booking] = await tx<
              { id: string; ref: string; hold_expires_at: Date; total_cents: number }[]
            >`
              INSERT INTO bookings (ref, customer_id, flight_id, passengers, status, contact_email,
                                    total_cents, hold_expires_at, idempotency_key)
              VALUES (${newRef("FL")}, ${customer.id}, ${input.flight_id}, ${input.passengers}, 'held',
                      ${input.contact_email ?? null}, ${fares * input.passengers},
                      now() + make_interval(mins => ${HOLD_MINUTES}), ${key ?? null})
              ON CONFLICT DO NOTHING
              RETURNING id::text AS id, ref, hold_expires_at, total_cents`;
            if (booking) {
              for (const [i, flightId] of legs.entries()) {
                if (i === 0) continue;
                await tx`INSERT INTO booking_legs (booking_id, leg, flight_id) VALUES (${booking.id}, ${i + 1}, ${flightId})`;
              }
              return { booking, taken };
            }
            if (key) {
              const [same] = await tx`SELECT 1 FROM bookings WHERE idempotency_key = ${key}`;
              if (same) throw new SameKeyWon();
            }
            // Otherwise the random reference collided: draw another.
          }
          throw new Error("could not allocate a unique booking reference");
        });
      } catch (err) {
        if (err instanceof LegRefused) return err.result;
        if (!(err instanceof SameKeyWon) || !key) throw err;
        return (
          (await replay(customer.id, key)) ?? fail("the booking could not be read back; try get_booking")
        );
      }
      if (isResult(outcome)) return outcome;
      const { booking, taken } = outcome;
      await cache.invalidate(
        ...new Set(taken.flatMap((t) => seatChangeTags(t.origin, t.destination, t.local_date))),
      );
      const [first, last] = [taken[0]!, taken.at(-1)!];
      return ok({
        booking_ref: booking.ref,
        status: "held",
        hold_expires_at: booking.hold_expires_at.toISOString(),
        total_usd: usd(booking.total_cents),
        flight_id: input.flight_id,
        ...(input.connecting_flight_id
          ? { connecting_flight_id: input.connecting_flight_id, via: first.destination }
          : {}),
        passengers: input.passengers,
        origin: first.origin,
        destination: last.destination,
        depart_at: first.depart_at.toISOString(),
      });
    },
  };
}

export const reserveFlight = defineTool({
  name: "reserve_flight",
  answers: "action",
  // The booking just made is what the next turn's "pay for it" or "cancel that booking" means.
  session: (_input, result) =>
    typeof result.booking_ref === "string" ? { last_booking: result.booking_ref } : {},
  create: reserveFlightTool,
});
