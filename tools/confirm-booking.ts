/**
 * `confirm_booking`: turns the customer's held booking into a confirmed one (optimistic version
 * check). An expired hold gives its seats back and fails clearly; confirming a confirmed booking
 * returns it unchanged.
 */
import { z } from "zod";
import {
  type BookingRow,
  bookingJson,
  effectiveStatus,
  expireHold,
  loadBooking,
  notFound,
} from "./bookings.js";
import { bookingRef, isResult, signedInCustomer, type ToolDeps } from "./common.js";
import { defineTool } from "./definition.js";
import { fail, ok, type Tool, type ToolResult } from "./types.js";

export const confirmBookingInput = z.object({
  booking_ref: bookingRef,
  contact_email: z
    .email()
    .optional()
    .describe("Where the confirmation goes; defaults to the booking's contact or the profile email"),
});
export type ConfirmBookingInput = z.output<typeof confirmBookingInput>;

function confirmBookingTool(deps: Pick<ToolDeps, "sql" | "cache">): Tool<ConfirmBookingInput> {
  const { sql, cache } = deps;
  return {
    name: "confirm_booking",
    description:
      "Confirm the signed-in customer's held booking (FL-XXXXXX) before its hold expires. The " +
      "confirmation goes to `contact_email` when given (e.g. an address from a support conversation), " +
      "else the email given at reservation, else the profile email. Confirming an already confirmed " +
      "booking returns it. Payment comes after confirmation (process_payment).",
    input: confirmBookingInput,
    sideEffect: true,
    async run(input, ctx) {
      const customer = await signedInCustomer(sql, ctx);
      if (isResult(customer)) return customer;
      const ref = input.booking_ref;
      const b = await loadBooking(sql, customer.id, ref);
      if (!b) return fail(notFound(ref));
      if (b.status === "confirmed") return ok({ ...bookingJson(b), already_confirmed: true });
      if (b.status === "cancelled") return fail(`booking ${ref} was cancelled and cannot be confirmed`);
      if (b.status === "expired") {
        return fail(`the hold on ${ref} expired and its seats were released; reserve the flight again`);
      }
      const expired = async (row: BookingRow): Promise<ToolResult> => {
        const tags = await sql.begin((tx) => expireHold(tx, row));
        if (tags) await cache.invalidate(...tags);
        return fail(
          `the hold on ${ref} expired at ${row.hold_expires_at?.toISOString()} and its seats were released; ` +
            "search and reserve again",
        );
      };
      if (effectiveStatus(b) === "expired") return expired(b);
      const email = input.contact_email ?? b.contact_email ?? customer.email;
      const [updated] = await sql`
        UPDATE bookings
        SET status = 'confirmed', contact_email = ${email}, hold_expires_at = NULL,
            version = version + 1, updated_at = now()
        WHERE id = ${b.id} AND version = ${b.version} AND status = 'held' AND hold_expires_at > now()
        RETURNING id`;
      const after = await loadBooking(sql, customer.id, ref);
      if (!after) return fail(notFound(ref));
      if (!updated) {
        // Someone else changed it first: a concurrent confirmation is fine, anything else is reported.
        if (after.status === "confirmed") return ok({ ...bookingJson(after), already_confirmed: true });
        if (after.status === "held" && effectiveStatus(after) === "expired") return expired(after);
        return fail(
          `booking ${ref} changed while confirming (now ${after.status}); check it with get_booking`,
        );
      }
      return ok(bookingJson(after));
    },
  };
}

export const confirmBooking = defineTool({
  name: "confirm_booking",
  answers: "action",
  // The booking just made is what the next turn's "pay for it" or "cancel that booking" means.
  session: (_input, result) =>
    typeof result.booking_ref === "string" ? { last_booking: result.booking_ref } : {},
  create: confirmBookingTool,
});
