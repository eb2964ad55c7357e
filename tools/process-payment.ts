/**
 * `process_payment`: charges a confirmed booking exactly once. The amount is always the
 * booking's `total_cents` from the database. The idempotency key is the orchestrator's
 * (`ctx.idempotencyKey`) or derived from the booking and card; the booking row lock orders
 * concurrent calls, the processor deduplicates on the key, the insert is `ON CONFLICT DO NOTHING`,
 * and a partial unique index allows one successful payment per booking whatever the keys.
 * Full card numbers are never stored, logged or echoed: only their last four digits.
 */
import { z } from "zod";
import { loadBooking, notFound, type PaymentRow } from "./bookings.js";
import { bookingRef, isResult, signedInCustomer, type ToolDeps, usd } from "./common.js";
import { defineTool } from "./definition.js";
import { type CardInput, cardDigits, luhnValid } from "./payments-processor.js";
import { fail, ok, type Tool, type ToolResult } from "./types.js";

export const processPaymentInput = z.strictObject({
  booking_ref: bookingRef,
  card: z
    .union([
      z.literal("on_file"),
      z.string().regex(/^\d{4}$/),
      z.string().regex(/^[\d -]{12,23}$/, "expected a card number, its last four digits or on_file"),
    ])
    .default("on_file")
    .describe(
      "`on_file` (the customer's stored card, default), a card number the customer typed in this request, " +
        "or the last four digits of the card on file",
    ),
});
export type ProcessPaymentInput = z.output<typeof processPaymentInput>;

/** Fields a model might add to choose the amount; the amount is never the caller's to choose. */
const AMOUNT_FIELDS = ["amount", "amount_usd", "amount_cents", "total", "total_usd", "price"];

const view = (p: PaymentRow, ref: string, extra: Record<string, boolean> = {}): ToolResult =>
  ok({
    payment_id: p.id,
    booking_ref: ref,
    status: p.status,
    amount_usd: usd(p.amount_cents),
    card_last4: p.card_last4,
    ...(p.decline_reason
      ? {
          decline_reason: p.decline_reason,
          next_step:
            "the card was declined: ask the customer for another card and call process_payment with it",
        }
      : {}),
    ...extra,
  });

const PAYMENT_COLUMNS = `id::text AS id, booking_id::text AS booking_id, amount_cents, status, card_last4,
  decline_reason, idempotency_key, created_at`;

function processPaymentTool(deps: Pick<ToolDeps, "sql" | "processor">): Tool<ProcessPaymentInput> {
  const { sql, processor } = deps;
  return {
    name: "process_payment",
    description:
      "Charge the signed-in customer's confirmed booking (FL-XXXXXX) for its total, exactly once: " +
      "calling again returns the same payment. The amount always comes from the booking (insurance " +
      "included), never from the caller. `card` is `on_file` (default) or a card number the customer " +
      "typed. Returns payment_id, status (succeeded or declined with a reason), amount_usd and the card's " +
      "last four digits. Held bookings must be confirmed first.",
    input: processPaymentInput,
    sideEffect: true,
    async run(input, ctx) {
      if (AMOUNT_FIELDS.some((f) => f in (input as object))) {
        return fail("the amount is always the booking total from our records; call again without an amount");
      }
      const customer = await signedInCustomer(sql, ctx);
      if (isResult(customer)) return customer;
      const ref = input.booking_ref;

      let card: CardInput;
      if (/^\d{4}$/.test(input.card) && input.card !== customer.cardLast4) {
        // A card named by its last four digits is the card on file or no card: never a fallback.
        return fail(
          `the card ending ${input.card} is not the card on file; ask the customer for its full number`,
        );
      }
      if (input.card === "on_file" || /^\d{4}$/.test(input.card)) {
        if (!customer.cardLast4) return fail("no card on file; ask the customer for a card number");
        card = { kind: "on_file", last4: customer.cardLast4 };
      } else {
        const digits = cardDigits(input.card);
        if (!luhnValid(digits)) return fail("that card number is not valid; ask the customer to check it");
        card = { kind: "number", number: digits };
      }
      const last4 = card.kind === "number" ? card.number.slice(-4) : card.last4;
      // The key names the card too, so a declined card never blocks paying with another one;
      // one successful payment per booking is still guaranteed by the database.
      const key = `${ctx.idempotencyKey ?? `pay:${ref}`}:${last4}`;

      return sql.begin(async (tx) => {
        const b = await loadBooking(tx, customer.id, ref, { forUpdate: true });
        if (!b) return fail(notFound(ref));
        const [prior] = await tx<PaymentRow[]>`
          SELECT ${tx.unsafe(PAYMENT_COLUMNS)} FROM payments WHERE idempotency_key = ${key}`;
        if (prior) {
          if (prior.booking_id !== b.id) return fail("this request was already used for another payment");
          return view(prior, ref, { replayed: true });
        }
        if (b.status !== "confirmed") {
          const why =
            b.status === "held"
              ? "it is only held: confirm it with confirm_booking first"
              : `it is ${b.status}`;
          return fail(`booking ${ref} cannot be paid: ${why}`);
        }
        const [paid] = await tx<PaymentRow[]>`
          SELECT ${tx.unsafe(PAYMENT_COLUMNS)} FROM payments WHERE booking_id = ${b.id} AND status = 'succeeded'`;
        if (paid) return view(paid, ref, { already_paid: true });

        ctx.signal.throwIfAborted();
        const charge = await processor.charge(
          { idempotencyKey: key, amountCents: b.total_cents, card },
          { signal: ctx.signal },
        );
        const [row] = await tx<PaymentRow[]>`
          INSERT INTO payments (booking_id, amount_cents, status, idempotency_key, card_last4, decline_reason)
          VALUES (${b.id}, ${b.total_cents}, ${charge.status}, ${key}, ${charge.last4}, ${charge.declineReason})
          ON CONFLICT (idempotency_key) DO NOTHING
          RETURNING ${tx.unsafe(PAYMENT_COLUMNS)}`;
        if (row) {
          ctx.logger.info(
            { booking: ref, paymentId: row.id, status: row.status, cardLast4: row.card_last4 },
            "payment processed",
          );
          return view(row, ref);
        }
        const [winner] = await tx<PaymentRow[]>`
          SELECT ${tx.unsafe(PAYMENT_COLUMNS)} FROM payments WHERE idempotency_key = ${key}`;
        return winner
          ? view(winner, ref, { replayed: true })
          : fail("payment state unknown; check get_booking");
      });
    },
  };
}

export const processPayment = defineTool({
  name: "process_payment",
  answers: "action",
  create: processPaymentTool,
});
