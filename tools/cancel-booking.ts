/**
 * `cancel_booking`: cancels the customer's flight booking under the refund rules (`refund.ts`),
 * records the refund in `refunds`, and gives the seats back on every leg; or cancels a hotel stay
 * (`HT-…`), which was never charged, so nothing is refunded. Cancelling a cancelled booking
 * returns the recorded outcome.
 */
import { z } from "zod";
import { releaseFlights } from "./booking-legs.js";
import {
  bookingFlights,
  effectiveStatus,
  expireHold,
  loadBooking,
  loadPayment,
  loadRefund,
  notFound,
} from "./bookings.js";
import { anyBookingRef, isResult, isStayRef, signedInCustomer, type ToolDeps, usd } from "./common.js";
import { defineTool } from "./definition.js";
import { cancelStay } from "./hotel-stays.js";
import { refundFor } from "./refund.js";
import { fail, ok, type Tool, type ToolResult } from "./types.js";

export const cancelBookingInput = z.object({
  booking_ref: anyBookingRef,
  reason: z.string().trim().max(500).optional().describe("Why the customer cancels, in their words"),
});
export type CancelBookingInput = z.output<typeof cancelBookingInput>;

function cancelBookingTool(deps: Pick<ToolDeps, "sql" | "cache">): Tool<CancelBookingInput> {
  const { sql, cache } = deps;
  return {
    name: "cancel_booking",
    description:
      "Cancel the signed-in customer's flight booking (FL-XXXXXX) or hotel stay (HT-XXXXXX). A stay is paid " +
      "at the hotel: cancelling it refunds nothing because nothing was charged. A flight booking (every leg " +
      "of a connection) is refunded under the policy: everything back " +
      "within 24 hours of payment when departure is 7+ days away; insured bookings (Travel Protection) get " +
      "the fare back; otherwise 50% travel credit when departure is 14+ days away, and nothing closer to " +
      "departure. Seats are released. " +
      "Returns refund_usd, refund_kind (card, travel_credit or none) and the rule applied. Tell the " +
      "customer the refund before cancelling if they have not agreed to it.",
    input: cancelBookingInput,
    sideEffect: true,
    async run(input, ctx) {
      const customer = await signedInCustomer(sql, ctx);
      if (isResult(customer)) return customer;
      const ref = input.booking_ref;
      if (isStayRef(ref)) return cancelHotelStay(sql, customer.id, ref, input.reason);
      const outcome = await sql.begin(async (tx) => {
        const b = await loadBooking(tx, customer.id, ref, { forUpdate: true });
        if (!b) return fail(notFound(ref));
        if (b.status === "cancelled") {
          const r = await loadRefund(tx, b.id);
          return ok({
            booking_ref: ref,
            status: "cancelled",
            refund_usd: usd(r?.amount_cents ?? 0),
            refund_kind: r?.kind ?? "none",
            rule: r?.rule ?? "not_charged",
            already_cancelled: true,
          });
        }
        if (b.status === "expired") return fail(`booking ${ref} already expired; there is nothing to cancel`);
        if (effectiveStatus(b) === "expired") {
          const tags = (await expireHold(tx, b)) ?? [];
          return {
            tags,
            result: fail(`the hold on ${ref} had expired; its seats are released and nothing was charged`),
          };
        }
        const now = new Date();
        if (b.depart_at <= now)
          return fail(`flight of booking ${ref} has departed; it can no longer be cancelled`);
        const payment = await loadPayment(tx, b.id);
        const decision = refundFor(
          {
            createdAt: b.created_at,
            departAt: b.depart_at,
            insured: b.insured,
            insuranceCents: b.insurance_cents,
          },
          payment
            ? { status: payment.status, amountCents: payment.amount_cents, paidAt: payment.created_at }
            : null,
          now,
        );
        await tx`
          UPDATE bookings SET status = 'cancelled', hold_expires_at = NULL, version = version + 1, updated_at = now()
          WHERE id = ${b.id}`;
        await tx`
          INSERT INTO refunds (booking_id, payment_id, amount_cents, kind, rule, reason)
          VALUES (${b.id}, ${payment?.status === "succeeded" ? payment.id : null}, ${decision.amountCents},
                  ${decision.kind}, ${decision.rule}, ${input.reason ?? null})`;
        const tags = await releaseFlights(tx, bookingFlights(b), b.passengers);
        return {
          tags,
          result: ok({
            booking_ref: ref,
            status: "cancelled",
            refund_usd: usd(decision.amountCents),
            refund_kind: decision.kind,
            rule: decision.rule,
            explanation: decision.explanation,
          }),
        };
      });
      if (isResult(outcome)) return outcome;
      await cache.invalidate(...outcome.tags);
      return outcome.result;
    },
  };
}

/**
 * A stay's cancellation. Rooms are not counted in the hotels table, so no cached search changes;
 * the answers the customer was given from their bookings are dropped as after any write of theirs.
 */
async function cancelHotelStay(
  sql: ToolDeps["sql"],
  customerId: string,
  ref: string,
  reason: string | undefined,
): Promise<ToolResult> {
  const done = await cancelStay(sql, customerId, ref, reason);
  if (done.kind === "not_found") return fail(notFound(ref));
  const { stay } = done;
  if (done.kind === "begun")
    return fail(`the stay ${ref} began on ${stay.check_in}; it can no longer be cancelled here`);
  return ok({
    booking_ref: ref,
    kind: "hotel",
    status: "cancelled",
    hotel: stay.hotel,
    city: stay.city,
    check_in: stay.check_in,
    nights: stay.nights,
    charged_usd: 0,
    ...(done.kind === "already_cancelled" ? { already_cancelled: true } : {}),
  });
}

export const cancelBooking = defineTool({
  name: "cancel_booking",
  answers: "action",
  create: cancelBookingTool,
});
