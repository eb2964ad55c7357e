/**
 * `add_travel_insurance`: quotes and attaches cover to the customer's booking before payment.
 * Idempotent: an insured booking returns the same quote.
 */
import { z } from "zod";
import { effectiveStatus, loadBooking, notFound } from "./bookings.js";
import { bookingRef, isResult, signedInCustomer, type ToolDeps, usd } from "./common.js";
import { defineTool } from "./definition.js";
import { fail, ok, type Tool } from "./types.js";

/**
 * Premium of Flightly Travel Protection, policy `insurance-price` in
 * `data/knowledge/policies.json`: 6.5% of the booking total (the fares; not the premium itself),
 * at least $19 per booking. `insurance-add-before-payment`: only before payment.
 */
const INSURANCE_RATE = 0.065;
const INSURANCE_MINIMUM_CENTS = 1_900;
const INSURANCE_POLICY_SLUG = "insurance-price";

/** The premium for a fare total, in cents. */
export const insurancePremiumCents = (fareCents: number): number =>
  Math.max(INSURANCE_MINIMUM_CENTS, Math.round(fareCents * INSURANCE_RATE));

export const addInsuranceInput = z.object({ booking_ref: bookingRef });
export type AddInsuranceInput = z.output<typeof addInsuranceInput>;

function addInsuranceTool(deps: Pick<ToolDeps, "sql">): Tool<AddInsuranceInput> {
  const { sql } = deps;
  return {
    name: "add_travel_insurance",
    description:
      "Add Flightly Travel Protection (insurance) to the signed-in customer's held or confirmed booking (FL-XXXXXX) before " +
      `it is paid. Premium: ${INSURANCE_RATE * 100}% of the fare, minimum $${INSURANCE_MINIMUM_CENTS / 100}; it ` +
      "is added to the booking total; a cancellation for a covered reason then gets the fare back. Returns the " +
      "premium and the new total. Adding it twice changes nothing; it cannot be added after payment.",
    input: addInsuranceInput,
    sideEffect: true,
    async run(input, ctx) {
      const customer = await signedInCustomer(sql, ctx);
      if (isResult(customer)) return customer;
      const ref = input.booking_ref;
      // The row lock orders this against process_payment on the same booking.
      return sql.begin(async (tx) => {
        const b = await loadBooking(tx, customer.id, ref, { forUpdate: true });
        if (!b) return fail(notFound(ref));
        const fare = b.total_cents - b.insurance_cents;
        const quote = (premium: number, total: number, already: boolean) =>
          ok({
            booking_ref: ref,
            insured: true,
            premium_usd: usd(premium),
            fare_usd: usd(fare),
            total_usd: usd(total),
            policy: INSURANCE_POLICY_SLUG,
            ...(already ? { already_insured: true } : {}),
          });
        if (b.insured) return quote(b.insurance_cents, b.total_cents, true);
        const status = effectiveStatus(b);
        if (status === "cancelled" || status === "expired") {
          return fail(`booking ${ref} is ${status}; insurance can only be added to an active booking`);
        }
        const [paid] = await tx`SELECT 1 FROM payments WHERE booking_id = ${b.id} AND status = 'succeeded'`;
        if (paid) return fail(`booking ${ref} is already paid; insurance must be added before payment`);
        const premium = insurancePremiumCents(fare);
        const [row] = await tx<{ total_cents: number }[]>`
          UPDATE bookings
          SET insured = true, insurance_cents = ${premium}, total_cents = ${fare + premium},
              version = version + 1, updated_at = now()
          WHERE id = ${b.id} AND version = ${b.version}
          RETURNING total_cents`;
        if (!row) return fail(`booking ${ref} changed meanwhile; try again`);
        return quote(premium, row.total_cents, false);
      });
    },
  };
}

export const addInsurance = defineTool({
  name: "add_travel_insurance",
  answers: "action",
  create: addInsuranceTool,
});
