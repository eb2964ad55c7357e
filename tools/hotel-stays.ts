/**
 * Hotel stays (`hotel_bookings`, `HT-…`) as the signed-in customer sees them in their bookings,
 * and their cancellation. A stay is paid at the hotel, so cancelling one charges and refunds
 * nothing. Every query is keyed on the actor's customer id: another customer's stay reads as
 * "not found", never as "not yours".
 */
import type { Sql } from "../memory/db/index.js";
import { usd } from "./common.js";

/** The transaction handle `sql.begin` passes. */
type Tx = Parameters<Parameters<Sql["begin"]>[1]>[0];
type Q = Sql | Tx;

export type StayStatus = "confirmed" | "cancelled";

interface StayRow {
  id: string;
  ref: string;
  status: StayStatus;
  hotel_id: string;
  hotel: string;
  city: string;
  iata: string;
  check_in: string;
  check_out: string;
  nights: number;
  guests: number;
  total_cents: number;
  created_at: Date;
  cancelled_at: Date | null;
}

/** A stay as the bookings tools return it, beside flight bookings (`kind` tells them apart). */
export type StayView = {
  kind: "hotel";
  booking_ref: string;
  status: StayStatus;
  hotel_id: string;
  hotel: string;
  city: string;
  iata: string;
  check_in: string;
  check_out: string;
  nights: number;
  guests: number;
  total_usd: number;
  pay: "at the hotel";
  created_at: string;
  cancelled_at: string | null;
};

const COLUMNS = (q: Q) => q`
  s.id::text AS id, s.ref, s.status, s.hotel_id::text AS hotel_id, h.name AS hotel, h.city, h.iata::text AS iata,
  to_char(s.check_in, 'YYYY-MM-DD') AS check_in, to_char(s.check_in + s.nights, 'YYYY-MM-DD') AS check_out,
  s.nights, s.guests, s.total_cents, s.created_at, s.cancelled_at`;

export const stayJson = (s: StayRow): StayView => ({
  kind: "hotel",
  booking_ref: s.ref,
  status: s.status,
  hotel_id: s.hotel_id,
  hotel: s.hotel,
  city: s.city,
  iata: s.iata.trim(),
  check_in: s.check_in,
  check_out: s.check_out,
  nights: s.nights,
  guests: s.guests,
  total_usd: usd(s.total_cents),
  pay: "at the hotel",
  created_at: s.created_at.toISOString(),
  cancelled_at: s.cancelled_at ? s.cancelled_at.toISOString() : null,
});

/** The customer's stay by reference (locked for update inside a transaction when asked). */
export async function loadStay(
  q: Q,
  customerId: string,
  ref: string,
  options: { forUpdate?: boolean } = {},
): Promise<StayRow | undefined> {
  const [row] = await q<StayRow[]>`
    SELECT ${COLUMNS(q)}
    FROM hotel_bookings s JOIN hotels h ON h.id = s.hotel_id
    WHERE s.ref = ${ref} AND s.customer_id = ${customerId}
    ${options.forUpdate ? q`FOR UPDATE OF s` : q``}`;
  return row;
}

/** The customer's stays, newest first; `status` keeps one status (held and expired have none). */
export async function listStays(
  q: Q,
  customerId: string,
  status: string | undefined,
  limit: number,
): Promise<StayView[]> {
  if (status === "held" || status === "expired") return [];
  const rows = await q<StayRow[]>`
    SELECT ${COLUMNS(q)}
    FROM hotel_bookings s JOIN hotels h ON h.id = s.hotel_id
    WHERE s.customer_id = ${customerId} ${status ? q`AND s.status = ${status}` : q``}
    ORDER BY s.created_at DESC, s.id DESC
    LIMIT ${limit}`;
  return rows.map(stayJson);
}

export type StayCancellation =
  | { kind: "cancelled" | "already_cancelled"; stay: StayView }
  | { kind: "not_found" }
  | { kind: "begun"; stay: StayView };

/**
 * Cancels the customer's stay in one transaction: nothing was charged, so nothing is refunded.
 * A stay already cancelled is reported as such; one whose check-in day has passed is not changed.
 */
export async function cancelStay(
  sql: Sql,
  customerId: string,
  ref: string,
  reason: string | undefined,
): Promise<StayCancellation> {
  return sql.begin(async (tx): Promise<StayCancellation> => {
    const s = await loadStay(tx, customerId, ref, { forUpdate: true });
    if (!s) return { kind: "not_found" };
    if (s.status === "cancelled") return { kind: "already_cancelled", stay: stayJson(s) };
    const [begun] = await tx`SELECT 1 WHERE ${s.check_in}::date < current_date`;
    if (begun) return { kind: "begun", stay: stayJson(s) };
    await tx`
      UPDATE hotel_bookings SET status = 'cancelled', cancelled_at = now(), cancel_reason = ${reason ?? null}
      WHERE id = ${s.id}`;
    const after = await loadStay(tx, customerId, ref);
    return { kind: "cancelled", stay: stayJson(after!) };
  }) as Promise<StayCancellation>;
}
