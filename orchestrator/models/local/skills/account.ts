/** The customer's bookings: travel insurance, payment, look-ups and cancellation. */
import { cardNumbersIn, maskedCardIn } from "../../../../core/redact.js";
import type { ToolCall } from "../context.js";
import { arrayField, bookingLine, isRecord, num, numbered, str, usd } from "../render.js";
import { bookingRef, bookingUnderway } from "./flights.js";
import { answered, call, DONE, doneInWorkflow, lastCall, resultOf, say, WAIT } from "./shared.js";
import type { PlanState, Skill, Step } from "./types.js";

// ---------------------------------------------------------------------------------------------
// insurance and payment

/** Why an insurance or payment step has no booking to work on. */
function noBooking(s: PlanState, action: string): Step {
  if (bookingUnderway(s)) return WAIT;
  if (s.intents.intents.includes("book_flight")) {
    return say(`There's no booking yet, so I haven't ${action}.`);
  }
  return say(`Which booking should I use? Please give me its reference (it looks like FL-XXXXXX).`);
}

export const insuranceSkill: Skill = {
  intent: "insurance",
  owner: "payment",
  needs: ["add_travel_insurance"],
  purpose: "add travel insurance",
  next(s) {
    if (lastCall(s, "add_travel_insurance") || doneInWorkflow(s, "add_travel_insurance")) return DONE;
    if (bookingUnderway(s)) return WAIT;
    const ref = bookingRef(s);
    if (!ref) return noBooking(s, "added insurance");
    return call({ tool: "add_travel_insurance", input: { booking_ref: ref } });
  },
  answer(s) {
    const c = lastCall(s, "add_travel_insurance");
    if (!c) return [];
    const ref = str(c.input.booking_ref) ?? "your booking";
    if (c.status === "error") return [`I couldn't add travel insurance to ${ref}: ${c.error}.`];
    const r = resultOf(c);
    const premium = num(r.premium_usd);
    const total = num(r.total_usd);
    return [
      `Travel insurance is added to ${ref}` +
        (premium !== undefined ? `: premium ${usd(premium)}` : "") +
        (total !== undefined ? `, new total ${usd(total)}` : "") +
        ".",
    ];
  },
};

export const paymentSkill: Skill = {
  intent: "payment",
  owner: "payment",
  needs: ["process_payment"],
  purpose: "take payment",
  next(s) {
    if (lastCall(s, "process_payment") || doneInWorkflow(s, "process_payment")) return DONE;
    if (bookingUnderway(s)) return WAIT;
    const ref = bookingRef(s);
    if (!ref) return noBooking(s, "taken any payment");
    const wantsInsurance = s.inScope.has("insurance") && s.tools.has("add_travel_insurance");
    if (wantsInsurance && !doneInWorkflow(s, "add_travel_insurance")) {
      const insurance = lastCall(s, "add_travel_insurance");
      if (!insurance) return WAIT;
      if (insurance.status === "error")
        return say("I haven't taken payment, because adding the insurance failed.");
    }
    // A full number comes only from the request being answered; what is stored keeps the last
    // four digits, so a card known only that way is asked for again, never swapped for the one on file.
    const typed = cardNumbersIn(s.text)[0];
    const masked = typed ? undefined : maskedCardIn(s.text);
    if (masked)
      return say(`To pay with the card ending ${masked} I need its full number again: please type it.`);
    return call({
      tool: "process_payment",
      input: { booking_ref: ref, card: typed ?? s.slots.cardLast4 ?? "on_file" },
    });
  },
  answer(s) {
    const c = lastCall(s, "process_payment");
    if (!c) return [];
    const ref = str(c.input.booking_ref) ?? "your booking";
    if (c.status === "error") return [`The payment for ${ref} didn't go through: ${c.error}.`];
    const r = resultOf(c);
    const amount = num(r.amount_usd);
    const last4 = str(r.card_last4);
    const card = last4 ? ` the card ending ${last4}` : " your card";
    if (str(r.status) === "declined") {
      const reason = str(r.decline_reason);
      return [
        `The payment for ${ref} was declined by${card}${reason ? ` (${reason})` : ""}. Please try another card.`,
      ];
    }
    const id = str(r.payment_id);
    return [
      `Payment${id ? ` ${id}` : ""} for ${ref} ${str(r.status) ?? "went through"}: ` +
        `${amount !== undefined ? usd(amount) : "the booking total"} charged to${card}.`,
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// existing bookings

const STATUS_WORDS: ReadonlyArray<[RegExp, string]> = [
  [/\bcancell?ed\b/i, "cancelled"],
  [/\bconfirmed\b/i, "confirmed"],
  [/\b(?:held|on hold)\b/i, "held"],
  [/\bexpired\b/i, "expired"],
];

function listAnswer(s: PlanState, c: ToolCall): string {
  if (c.status === "error") return `I couldn't list your bookings: ${c.error}.`;
  const bookings = arrayField(c.result, "bookings").filter(isRecord);
  const status = str(c.input.status);
  if (bookings.length === 0) return `You have no ${status ? `${status} ` : ""}bookings.`;
  return [
    `Your ${status ? `${status} ` : ""}bookings:`,
    numbered(bookings.slice(0, 10).map((b) => bookingLine(b, s.gazetteer))),
  ].join("\n");
}

export const myBookingsSkill: Skill = {
  intent: "my_bookings",
  owner: "booking",
  needs: ["get_booking", "list_bookings"],
  purpose: "look up bookings",
  next(s) {
    const refs = s.slots.bookingRefs;
    if (refs.length > 0 && s.tools.has("get_booking")) {
      return call(...refs.slice(0, 3).map((ref) => ({ tool: "get_booking", input: { booking_ref: ref } })));
    }
    if (!s.tools.has("list_bookings"))
      return say("Which booking should I look up? Please give its reference (FL-XXXXXX).");
    const status = STATUS_WORDS.find(([re]) => re.test(s.text))?.[1];
    return call({ tool: "list_bookings", input: { status } });
  },
  answer(s) {
    const one = answered(s, "get_booking").map((c) =>
      c.status === "error"
        ? `I couldn't find booking ${str(c.input.booking_ref) ?? ""}: ${c.error}.`
        : bookingLine(resultOf(c), s.gazetteer),
    );
    return [...one, ...answered(s, "list_bookings").map((c) => listAnswer(s, c))];
  },
};

const REFUND_WORDS: Readonly<Record<string, string>> = {
  card: " to your card",
  travel_credit: " as travel credit",
};

export const cancelSkill: Skill = {
  intent: "cancel_booking",
  owner: "payment",
  needs: ["cancel_booking"],
  purpose: "cancel a booking",
  next(s) {
    if (lastCall(s, "cancel_booking")) return DONE;
    const ref = s.slots.bookingRefs[0];
    if (!ref) {
      if (s.tools.has("list_bookings") && !lastCall(s, "list_bookings"))
        return call({ tool: "list_bookings", input: {} });
      return say("Which booking should I cancel? Please give me its reference (it looks like FL-XXXXXX).");
    }
    const reason = /\b(?:because|since|due to)\b\s*([^.?!]{3,200})/i.exec(s.text)?.[1]?.trim();
    return call({ tool: "cancel_booking", input: { booking_ref: ref, reason } });
  },
  answer(s) {
    const c = lastCall(s, "cancel_booking");
    if (!c) {
      const list = lastCall(s, "list_bookings");
      return list?.status ? [listAnswer(s, list)] : [];
    }
    const ref = str(c.input.booking_ref) ?? "the booking";
    if (c.status === "error") return [`I couldn't cancel ${ref}: ${c.error}.`];
    const r = resultOf(c);
    const refund = num(r.refund_usd);
    const kind = str(r.refund_kind);
    const refundWords =
      refund === undefined
        ? ""
        : kind === "none" || refund === 0
          ? " No refund is due."
          : ` Refund: ${usd(refund)}${REFUND_WORDS[kind ?? ""] ?? ""}.`;
    const explanation = str(r.explanation);
    return [`Booking ${ref} is cancelled.${refundWords}${explanation ? ` ${explanation}` : ""}`];
  },
};
