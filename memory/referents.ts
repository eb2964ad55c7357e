/**
 * What a signed-in customer's long-term memory holds that a reference to a place may point at:
 * their latest live bookings (held or confirmed, the flight not over for more than a month, with
 * its destination) and their latest facts and session summaries, in one query. The order they are used in is `language/referents.ts`'s.
 *
 * The query runs with `flightly.actor_id` set, so row-level security on `memories` applies as
 * well as the explicit filter; bookings are filtered by `customer_id`. A guest id reads nothing.
 */
import type { Sql } from "postgres";
import type { MemoryRecord } from "../language/index.js";

const CUSTOMER_ID = /^\d{1,18}$/;

interface Row {
  kind: MemoryRecord["kind"];
  ref: string;
  at: Date;
  iata: string | null;
  content: string | null;
}

/** At most `limit` bookings and `limit` memories of the customer, newest first. */
export async function readMemoryRecords(sql: Sql, actorId: string, limit = 3): Promise<MemoryRecord[]> {
  if (!CUSTOMER_ID.test(actorId)) return [];
  const rows = (await sql.begin(async (tx) => {
    const setup = tx`SELECT set_config('flightly.actor_id', ${actorId}, true)`.execute();
    // A summary is read for the request that opened its session (or the model's summary), not
    // for what it learned: a home airport is not where "there" points.
    const query = tx<Row[]>`
      (SELECT 'booking' AS kind, b.ref AS ref, b.created_at AS at, f.destination::text AS iata, NULL AS content
         FROM bookings b
         -- A connecting booking's trip ends where its last leg lands, not at the stop.
         CROSS JOIN LATERAL (
           SELECT lf.destination, lf.arrive_at FROM flights lf
           WHERE lf.id = coalesce((SELECT l.flight_id FROM booking_legs l WHERE l.booking_id = b.id
                                   ORDER BY l.leg DESC LIMIT 1), b.flight_id)) f
        WHERE b.customer_id = ${actorId}::bigint
          AND (b.status = 'confirmed' OR (b.status = 'held' AND (b.hold_expires_at IS NULL OR b.hold_expires_at > now())))
          AND f.arrive_at > now() - interval '30 days'
        ORDER BY b.created_at DESC, b.id DESC LIMIT ${limit})
      UNION ALL
      (SELECT m.kind, m.id::text, m.updated_at, NULL,
              CASE WHEN m.kind = 'summary'
                   THEN coalesce(m.metadata->>'model_summary', m.metadata->>'first_request', '')
                   ELSE m.content END
         FROM memories m
        WHERE m.actor_id = ${actorId} AND m.kind IN ('fact', 'summary')
        ORDER BY m.updated_at DESC, m.id DESC LIMIT ${limit})`;
    const [, result] = await Promise.all([setup, query]);
    return result;
  })) as unknown as Row[];
  return rows.map((r) => ({
    kind: r.kind,
    ref: r.ref,
    at: new Date(r.at).toISOString(),
    ...(r.iata ? { iata: r.iata.trim() } : {}),
    ...(r.content ? { content: r.content } : {}),
  }));
}
