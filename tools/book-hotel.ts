/**
 * `book_hotel`: books a stay at a hotel from search_hotels for the signed-in customer. The room is
 * paid at the hotel, so nothing is charged here; the total is the nightly rate times the nights.
 * With an idempotency key a repeated call returns the first stay instead of booking twice.
 */
import { z } from "zod";
import { isoDate, isResult, newRef, rowId, signedInCustomer, type ToolDeps, usd } from "./common.js";
import { defineTool } from "./definition.js";
import { fail, ok, type Tool, type ToolResult } from "./types.js";

export const bookHotelInput = z.object({
  hotel_id: rowId("hotel_id from search_hotels"),
  check_in: isoDate("Check-in date"),
  nights: z.number().int().min(1).max(60).describe("Nights to stay (1-60)"),
  guests: z.number().int().min(1).max(12).default(1).describe("Guests in the room (1-12)"),
});
export type BookHotelInput = z.output<typeof bookHotelInput>;

/** Stays are `HT-…`; flight bookings are `FL-…`. */
const STAY_PREFIX = "HT";

interface Stay {
  ref: string;
  customer_id: string;
  hotel_id: string;
  name: string;
  city: string;
  check_in: string;
  nights: number;
  guests: number;
  total_cents: number;
}

const stayJson = (s: Stay, replayed = false): ToolResult =>
  ok({
    hotel_booking_ref: s.ref,
    status: "confirmed",
    hotel_id: s.hotel_id,
    hotel: s.name,
    city: s.city,
    check_in: s.check_in,
    nights: s.nights,
    guests: s.guests,
    total_usd: usd(s.total_cents),
    pay: "at the hotel",
    ...(replayed ? { replayed: true } : {}),
  });

function bookHotelTool(deps: Pick<ToolDeps, "sql">): Tool<BookHotelInput> {
  const { sql } = deps;
  const read = async (where: { key?: string; ref?: string }): Promise<Stay | undefined> => {
    const [row] = await sql<Stay[]>`
      SELECT s.ref, s.customer_id::text AS customer_id, s.hotel_id::text AS hotel_id, h.name, h.city,
             to_char(s.check_in, 'YYYY-MM-DD') AS check_in, s.nights, s.guests, s.total_cents
      FROM hotel_bookings s JOIN hotels h ON h.id = s.hotel_id
      WHERE ${where.key ? sql`s.idempotency_key = ${where.key}` : sql`s.ref = ${where.ref ?? ""}`}`;
    return row;
  };

  return {
    name: "book_hotel",
    description:
      "Book a room at a hotel for the signed-in customer. Pass the hotel_id from search_hotels, the " +
      "check-in date, the nights and the guests. The room is paid at the hotel: nothing is charged " +
      "now. Returns the stay's reference (HT-…) and its total in USD. Requires a signed-in customer.",
    input: bookHotelInput,
    sideEffect: true,
    async run(input, ctx) {
      const customer = await signedInCustomer(sql, ctx);
      if (isResult(customer)) return customer;
      if (input.check_in < new Date().toISOString().slice(0, 10)) return fail("check_in is in the past");
      const key = ctx.idempotencyKey;
      if (key) {
        const prior = await read({ key });
        if (prior) {
          return prior.customer_id === customer.id
            ? stayJson(prior, true)
            : fail("this request was already used for another booking");
        }
      }
      ctx.signal.throwIfAborted();
      for (let attempt = 0; attempt < 5; attempt++) {
        const [row] = await sql<{ ref: string }[]>`
          INSERT INTO hotel_bookings (ref, customer_id, hotel_id, check_in, nights, guests, total_cents,
                                      idempotency_key)
          SELECT ${newRef(STAY_PREFIX)}, ${customer.id}, h.id, ${input.check_in}, ${input.nights}, ${input.guests},
                 h.price_per_night_cents * ${input.nights}, ${key ?? null}
          FROM hotels h WHERE h.id = ${input.hotel_id}
          ON CONFLICT DO NOTHING
          RETURNING ref`;
        if (row) return stayJson((await read({ ref: row.ref }))!);
        const [hotel] = await sql`SELECT 1 FROM hotels WHERE id = ${input.hotel_id}`;
        if (!hotel) return fail(`no hotel ${input.hotel_id}; use a hotel_id from search_hotels`);
        if (key) {
          const same = await read({ key });
          if (same)
            return same.customer_id === customer.id
              ? stayJson(same, true)
              : fail("this request was already used for another booking");
        }
        // Otherwise the random reference collided: draw another.
      }
      throw new Error("could not allocate a unique hotel booking reference");
    },
  };
}

export const bookHotel = defineTool({
  name: "book_hotel",
  answers: "action",
  // The stay just booked is what the next turn's "cancel that booking" means, as a flight booking would be.
  session: (_input, result) =>
    typeof result.hotel_booking_ref === "string" ? { last_booking: result.hotel_booking_ref } : {},
  create: bookHotelTool,
});
