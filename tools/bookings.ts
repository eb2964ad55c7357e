/**
 * Bookings as the signed-in customer sees them: `get_booking`, `list_bookings`, and the loading
 * and shaping shared by the tools that change a booking. Every query is keyed on the customer id
 * of the actor: another customer's reference reads as "not found", never as "not yours".
 */
import { z } from "zod";
import type { Sql } from "../memory/db/index.js";
import { type LegView, legView, type OnwardRow, onwardLegs, releaseFlights } from "./booking-legs.js";
import {
  anyBookingRef,
  isResult,
  isStayRef,
  seatChangeTags,
  signedInCustomer,
  type ToolDeps,
  usd,
} from "./common.js";
import { defineTool } from "./definition.js";
import { listStays, loadStay, stayJson } from "./hotel-stays.js";
import { fail, ok, type Tool } from "./types.js";

export type BookingStatus = "held" | "confirmed" | "cancelled" | "expired";

/** A booking joined with its flight. */
export interface BookingRow {
  id: string;
  ref: string;
  status: BookingStatus;
  passengers: number;
  contact_email: string | null;
  insured: boolean;
  insurance_cents: number;
  total_cents: number;
  hold_expires_at: Date | null;
  version: number;
  created_at: Date;
  flight_id: string;
  airline: string;
  airline_code: string;
  flight_number: string;
  origin: string;
  destination: string;
  depart_at: Date;
  arrive_at: Date;
  price_cents: number;
  /** Onward legs of a connecting booking (empty for a non-stop one). */
  onward: OnwardRow[];
}

export interface PaymentRow {
  id: string;
  booking_id: string;
  amount_cents: number;
  status: "succeeded" | "declined" | "refunded";
  card_last4: string | null;
  decline_reason: string | null;
  idempotency_key: string;
  created_at: Date;
}

export interface RefundRow {
  amount_cents: number;
  kind: "card" | "travel_credit" | "none";
  rule: string;
  reason: string | null;
  created_at: Date;
}

/** The transaction handle `sql.begin` passes (derived, so only `memory/` names postgres.js). */
type Tx = Parameters<Parameters<Sql["begin"]>[1]>[0];
/** A connection or a transaction. */
type Q = Sql | Tx;

export const notFound = (ref: string): string => `no booking ${ref} on your account`;

/** The customer's booking by reference (locked for update inside a transaction when asked). */
export async function loadBooking(
  q: Q,
  customerId: string,
  ref: string,
  options: { forUpdate?: boolean } = {},
): Promise<BookingRow | undefined> {
  const [row] = await q<BookingRow[]>`
    SELECT b.id::text AS id, b.ref, b.status, b.passengers, b.contact_email, b.insured, b.insurance_cents,
           b.total_cents, b.hold_expires_at, b.version, b.created_at, b.flight_id::text AS flight_id,
           al.name AS airline, f.airline AS airline_code, f.flight_number, f.origin, f.destination,
           f.depart_at, f.arrive_at, f.price_cents, ${onwardLegs(q)}
    FROM bookings b
    JOIN flights f ON f.id = b.flight_id
    JOIN airlines al ON al.code = f.airline
    WHERE b.ref = ${ref} AND b.customer_id = ${customerId}
    ${options.forUpdate ? q`FOR UPDATE OF b` : q``}`;
  return row;
}

/** The payment that settled the booking, else its latest attempt. */
export async function loadPayment(q: Q, bookingId: string): Promise<PaymentRow | undefined> {
  const [row] = await q<PaymentRow[]>`
    SELECT id::text AS id, booking_id::text AS booking_id, amount_cents, status, card_last4, decline_reason,
           idempotency_key, created_at
    FROM payments WHERE booking_id = ${bookingId}
    ORDER BY (status = 'succeeded') DESC, created_at DESC, id DESC
    LIMIT 1`;
  return row;
}

export async function loadRefund(q: Q, bookingId: string): Promise<RefundRow | undefined> {
  const [row] = await q<RefundRow[]>`
    SELECT amount_cents, kind, rule, reason, created_at FROM refunds WHERE booking_id = ${bookingId}`;
  return row;
}

/** A hold past its expiry reads as expired even before anything releases it. */
export const effectiveStatus = (
  b: Pick<BookingRow, "status" | "hold_expires_at">,
  now = new Date(),
): BookingStatus =>
  b.status === "held" && b.hold_expires_at !== null && b.hold_expires_at <= now ? "expired" : b.status;

/**
 * Puts an expired hold's seats back (status `expired`, version bumped) inside the caller's
 * transaction; returns the cache tags to invalidate, or undefined when the hold was not expired.
 */
export async function expireHold(q: Q, b: BookingRow): Promise<string[] | undefined> {
  const [done] = await q`
    UPDATE bookings SET status = 'expired', version = version + 1, updated_at = now()
    WHERE id = ${b.id} AND status = 'held' AND hold_expires_at <= now()
    RETURNING id`;
  if (!done) return undefined;
  return releaseFlights(q, bookingFlights(b), b.passengers);
}

/** Every flight a booking holds seats on: the first leg, then the onward ones. */
export const bookingFlights = (b: Pick<BookingRow, "flight_id" | "onward">): string[] => [
  b.flight_id,
  ...b.onward.map((l) => l.flight_id),
];

/**
 * Expires every lapsed hold (of one flight, or of all) and gives the seats back, in one statement.
 * `reserve_flight` calls it for a flight that looks full; a background job can call it for all.
 * Returns how many holds expired and the search tags to invalidate.
 */
export async function releaseExpiredHolds(
  q: Q,
  flightId?: string,
): Promise<{ expired: number; tags: string[] }> {
  // A connecting hold gives its seats back on every leg (booking_legs), and counts once.
  const rows = await q<{ holds: number; origin: string; destination: string; local_date: string }[]>`
    WITH expired AS (
      UPDATE bookings b SET status = 'expired', version = version + 1, updated_at = now()
      WHERE status = 'held' AND hold_expires_at <= now()
        ${
          flightId === undefined
            ? q``
            : q`AND (b.flight_id = ${flightId}
                     OR EXISTS (SELECT 1 FROM booking_legs l WHERE l.booking_id = b.id AND l.flight_id = ${flightId}))`
        }
      RETURNING id, flight_id, passengers
    ), seats AS (
      SELECT flight_id, passengers, 1 AS first FROM expired
      UNION ALL
      SELECT l.flight_id, e.passengers, 0 FROM booking_legs l JOIN expired e ON e.id = l.booking_id
    ), per_flight AS (
      SELECT flight_id, sum(first)::int AS holds, sum(passengers)::int AS seats FROM seats GROUP BY flight_id
    )
    UPDATE flights f SET seats_available = LEAST(f.seats_total, f.seats_available + p.seats)
    FROM per_flight p, airports o
    WHERE f.id = p.flight_id AND o.iata = f.origin
    RETURNING p.holds, f.origin, f.destination,
              to_char(f.depart_at AT TIME ZONE o.timezone, 'YYYY-MM-DD') AS local_date`;
  return {
    expired: rows.reduce((n, r) => n + r.holds, 0),
    tags: [...new Set(rows.flatMap((r) => seatChangeTags(r.origin, r.destination, r.local_date)))],
  };
}

/** A booking as tools return it (USD, ISO times). */
export type BookingView = {
  kind: "flight";
  booking_ref: string;
  status: BookingStatus;
} & LegView & {
    passengers: number;
    contact_email: string | null;
    insured: boolean;
    insurance_usd: number;
    fare_usd: number;
    total_usd: number;
    hold_expires_at: string | null;
    created_at: string;
    /** A connecting booking's flights in order (origin, destination and times above are the trip's). */
    legs?: LegView[];
    payment: {
      payment_id: string;
      status: PaymentRow["status"];
      amount_usd: number;
      card_last4: string | null;
      decline_reason?: string;
    } | null;
    refund: { refund_usd: number; refund_kind: RefundRow["kind"]; rule: string; cancelled_at: string } | null;
  };

export function bookingJson(b: BookingRow, payment?: PaymentRow, refund?: RefundRow): BookingView {
  const status = effectiveStatus(b);
  const onward = b.onward.map(legView);
  const last = onward.at(-1);
  return {
    kind: "flight",
    booking_ref: b.ref,
    status,
    flight_id: b.flight_id,
    airline: b.airline,
    airline_code: b.airline_code,
    flight_number: b.flight_number,
    origin: b.origin,
    destination: last?.destination ?? b.destination,
    depart_at: b.depart_at.toISOString(),
    arrive_at: last?.arrive_at ?? b.arrive_at.toISOString(),
    passengers: b.passengers,
    contact_email: b.contact_email,
    insured: b.insured,
    insurance_usd: usd(b.insurance_cents),
    fare_usd: usd(b.total_cents - b.insurance_cents),
    total_usd: usd(b.total_cents),
    hold_expires_at: status === "held" && b.hold_expires_at ? b.hold_expires_at.toISOString() : null,
    created_at: b.created_at.toISOString(),
    ...(last
      ? {
          legs: [
            {
              flight_id: b.flight_id,
              airline: b.airline,
              airline_code: b.airline_code,
              flight_number: b.flight_number,
              origin: b.origin,
              destination: b.destination,
              depart_at: b.depart_at.toISOString(),
              arrive_at: b.arrive_at.toISOString(),
            },
            ...onward,
          ],
        }
      : {}),
    payment: payment
      ? {
          payment_id: payment.id,
          status: payment.status,
          amount_usd: usd(payment.amount_cents),
          card_last4: payment.card_last4,
          ...(payment.decline_reason ? { decline_reason: payment.decline_reason } : {}),
        }
      : null,
    refund: refund
      ? {
          refund_usd: usd(refund.amount_cents),
          refund_kind: refund.kind,
          rule: refund.rule,
          cancelled_at: refund.created_at.toISOString(),
        }
      : null,
  };
}

export const getBookingInput = z.object({ booking_ref: anyBookingRef });
export type GetBookingInput = z.output<typeof getBookingInput>;

function getBookingTool(deps: Pick<ToolDeps, "sql">): Tool<GetBookingInput> {
  const { sql } = deps;
  return {
    name: "get_booking",
    description:
      "Look up one of the signed-in customer's bookings by reference: a flight booking (FL-XXXXXX): " +
      "flight (or a connection's legs), status (held, confirmed, cancelled, expired), passengers, insurance, " +
      "total, payment and refund; or a hotel stay (HT-XXXXXX): hotel, city, dates, guests, status " +
      "(confirmed, cancelled) and total, paid at the hotel.",
    input: getBookingInput,
    sideEffect: false,
    async run(input, ctx) {
      const customer = await signedInCustomer(sql, ctx);
      if (isResult(customer)) return customer;
      if (isStayRef(input.booking_ref)) {
        const stay = await loadStay(sql, customer.id, input.booking_ref);
        return stay ? ok(stayJson(stay)) : fail(notFound(input.booking_ref));
      }
      const b = await loadBooking(sql, customer.id, input.booking_ref);
      if (!b) return fail(notFound(input.booking_ref));
      const [payment, refund] = await Promise.all([loadPayment(sql, b.id), loadRefund(sql, b.id)]);
      return ok(bookingJson(b, payment, refund));
    },
  };
}

export const listBookingsInput = z.object({
  status: z
    .enum(["held", "confirmed", "cancelled", "expired"])
    .optional()
    .describe("Only bookings in this status"),
});
export type ListBookingsInput = z.output<typeof listBookingsInput>;

const LIST_LIMIT = 50;

function listBookingsTool(deps: Pick<ToolDeps, "sql">): Tool<ListBookingsInput> {
  const { sql } = deps;
  return {
    name: "list_bookings",
    description:
      "List the signed-in customer's bookings, newest first (at most 50): flight bookings (kind flight, " +
      "FL-…) and hotel stays (kind hotel, HT-…, paid at the hotel). Optionally only one status: held " +
      "(reserved, awaiting confirmation), confirmed, cancelled or expired (held and expired are flights only).",
    input: listBookingsInput,
    sideEffect: false,
    async run(input, ctx) {
      const customer = await signedInCustomer(sql, ctx);
      if (isResult(customer)) return customer;
      const rows = await sql<(BookingRow & { paid: boolean })[]>`
        SELECT b.id::text AS id, b.ref, b.status, b.passengers, b.contact_email, b.insured, b.insurance_cents,
               b.total_cents, b.hold_expires_at, b.version, b.created_at, b.flight_id::text AS flight_id,
               al.name AS airline, f.airline AS airline_code, f.flight_number, f.origin, f.destination,
               f.depart_at, f.arrive_at, f.price_cents, ${onwardLegs(sql)},
               EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status = 'succeeded') AS paid
        FROM bookings b
        JOIN flights f ON f.id = b.flight_id
        JOIN airlines al ON al.code = f.airline
        WHERE b.customer_id = ${customer.id}
          ${
            input.status === "held"
              ? sql`AND b.status = 'held' AND (b.hold_expires_at IS NULL OR b.hold_expires_at > now())`
              : input.status === "expired"
                ? sql`AND (b.status = 'expired' OR (b.status = 'held' AND b.hold_expires_at <= now()))`
                : input.status
                  ? sql`AND b.status = ${input.status}`
                  : sql``
          }
        ORDER BY b.created_at DESC, b.id DESC
        LIMIT ${LIST_LIMIT}`;
      const flights = rows.map((r) => {
        const { payment: _p, refund: _r, ...rest } = bookingJson(r);
        return { ...rest, paid: r.paid };
      });
      const stays = await listStays(sql, customer.id, input.status, LIST_LIMIT);
      const bookings = [...flights, ...stays]
        .sort((a, b) => b.created_at.localeCompare(a.created_at))
        .slice(0, LIST_LIMIT);
      return ok({ bookings, count: bookings.length });
    },
  };
}

export const getBooking = defineTool({ name: "get_booking", answers: "personal", create: getBookingTool });
export const listBookings = defineTool({
  name: "list_bookings",
  answers: "personal",
  create: listBookingsTool,
});
