/** The customer's bookings: travel insurance, payment, look-ups and cancellation. */
import { cardNumbersIn, maskedCardIn } from "../../../../core/redact.js";
import { extractWithRules } from "../../../../memory/worker/index.js";
import type { ToolCall } from "../context.js";
import { onlyTellsOfSelf } from "../intents.js";
import { arrayField, bookingLine, isRecord, num, numbered, str, usd } from "../render.js";
import { bookingRef, bookingUnderway } from "./booking-steps.js";
import { answered, call, DONE, doneInWorkflow, lastCall, resultOf, say, WAIT } from "./shared.js";
import type { PlanState, Skill, Step } from "./types.js";

// ---------------------------------------------------------------------------------------------
// insurance and payment

/**
 * The booking an insurance, payment or cancellation step works on: the one this turn made or the
 * message names, one an earlier step made, else the one this session made last ("pay for it").
 * A request that books anew never falls back on an older booking.
 */
function targetBooking(s: PlanState): string | undefined {
  const ref = bookingRef(s);
  if (ref || s.intents.intents.includes("book_flight")) return ref;
  return s.ctx.session.lastBooking;
}

/** The customer's bookings as the last `list_bookings` call of this turn returned them. */
function listed(s: PlanState): Array<Record<string, unknown>> | undefined {
  const c = lastCall(s, "list_bookings");
  return c?.status === "success" ? arrayField(c.result, "bookings").filter(isRecord) : undefined;
}

/** A hotel stay (`HT-…`, paid at the hotel) rather than a flight booking. */
const isStayRef = (ref: string | undefined): boolean => ref?.startsWith("HT-") === true;
const isStay = (b: Record<string, unknown>): boolean =>
  str(b.kind) === "hotel" || isStayRef(str(b.booking_ref));

/** Still ahead: a held or confirmed flight not yet departed, a confirmed stay not yet begun. */
const active = (b: Record<string, unknown>, now: Date): boolean => {
  const status = str(b.status);
  if (isStay(b)) {
    const checkIn = str(b.check_in);
    return status === "confirmed" && (!checkIn || checkIn >= now.toISOString().slice(0, 10));
  }
  const depart = str(b.depart_at);
  return (status === "confirmed" || status === "held") && (!depart || Date.parse(depart) > now.getTime());
};

/** The kind of booking the words name: a stay ("my hotel"), a flight ("my flight"), or either. */
function kindAsked(text: string): "hotel" | "flight" | undefined {
  const hotel = /\b(?:hotels?|stays?|rooms?)\b/i.test(text);
  const flight = /\b(?:flights?|tickets?|seats?|connections?)\b/i.test(text);
  return hotel === flight ? undefined : hotel ? "hotel" : "flight";
}
const ofKind = (kind: "hotel" | "flight" | undefined, ref: string | undefined): boolean =>
  kind === undefined || (kind === "hotel") === isStayRef(ref);

/** Why insurance or payment never applies to a stay. */
const stayPaidAtHotel = (ref: string, what: string): Step =>
  say(`${ref} is a hotel stay: it is paid at the hotel, so there is ${what} here.`);

/**
 * With no booking named, the customer's only booking that fits is the one meant: listed first,
 * then used when there is exactly one; none or several are said (several with the list).
 */
function soleBooking(
  s: PlanState,
  fits: (b: Record<string, unknown>) => boolean,
): { ref: string } | { step: Step } {
  if (!s.tools.has("list_bookings"))
    return {
      step: say("Which booking do you mean? Please give me its reference (it looks like FL-XXXXXX)."),
    };
  const bookings = listed(s);
  if (!bookings) {
    if (lastCall(s, "list_bookings")) return { step: say("I couldn't look up your bookings just now.") };
    return { step: call({ tool: "list_bookings", input: {} }) };
  }
  const candidates = bookings.filter(fits);
  const ref = candidates.length === 1 ? str(candidates[0]!.booking_ref) : undefined;
  if (ref) return { ref };
  if (candidates.length === 0) return { step: say("You have no booking that this applies to.") };
  return {
    step: say(
      [
        "Which of these bookings do you mean?",
        numbered(candidates.slice(0, 10).map((b) => bookingLine(b, s.gazetteer))),
      ].join("\n"),
    ),
  };
}

/** Why an insurance or payment step has no booking to work on. */
function noBooking(s: PlanState, action: string, fits: (b: Record<string, unknown>) => boolean): Step {
  if (bookingUnderway(s)) return WAIT;
  if (s.intents.intents.includes("book_flight")) {
    // Another step makes the booking first: wait for it, unless it has run and made none.
    const ran = s.ctx.workflow.outputs.booking !== undefined || s.tools.has("reserve_flight");
    return ran ? say(`There's no booking yet, so I haven't ${action}.`) : WAIT;
  }
  const sole = soleBooking(s, fits);
  return "ref" in sole ? DONE : sole.step;
}

/** The booking for a step: the target, else the customer's only one that fits (after listing). */
function bookingFor(s: PlanState, fits: (b: Record<string, unknown>) => boolean): string | undefined {
  const ref = targetBooking(s);
  if (ref || s.intents.intents.includes("book_flight")) return ref;
  const sole = listed(s) ? soleBooking(s, fits) : undefined;
  return sole && "ref" in sole ? sole.ref : undefined;
}

const unpaid = (s: PlanState) => (b: Record<string, unknown>) =>
  active(b, s.ctx.now) && !isStay(b) && b.paid !== true;

export const insuranceSkill: Skill = {
  intent: "insurance",
  owner: "payment",
  needs: ["add_travel_insurance"],
  purpose: "add travel insurance",
  next(s) {
    if (lastCall(s, "add_travel_insurance") || doneInWorkflow(s, "add_travel_insurance")) return DONE;
    if (bookingUnderway(s)) return WAIT;
    const ref = bookingFor(s, (b) => unpaid(s)(b) && b.insured !== true);
    if (!ref) return noBooking(s, "added insurance", (b) => unpaid(s)(b) && b.insured !== true);
    if (isStayRef(ref)) return stayPaidAtHotel(ref, "no travel insurance to add");
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
    const ref = bookingFor(s, unpaid(s));
    if (!ref) return noBooking(s, "taken any payment", unpaid(s));
    if (isStayRef(ref)) return stayPaidAtHotel(ref, "nothing to charge");
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

const NEXT_WORDS = /\b(?:next|upcoming|coming up|soonest)\b/i;
const FLIGHT_WORD = /\bflights?\b/i;
const LAST_WORDS = /\b(?:last|previous|latest|most recent|recently)\b/i;

/** "When is my next flight?", "what did I book last time?": the one booking asked about. */
function pickedAnswer(s: PlanState, c: ToolCall): string | undefined {
  if (c.status !== "success") return undefined;
  const bookings = arrayField(c.result, "bookings").filter(isRecord);
  if (NEXT_WORDS.test(s.text)) {
    // "my next flight" is a flight; "any trips coming up" is whatever is booked, stays too.
    const flights = FLIGHT_WORD.test(s.text);
    const starts = (b: Record<string, unknown>): number =>
      Date.parse(str(b.depart_at) ?? str(b.check_in) ?? "");
    const ahead = bookings
      .filter((b) => active(b, s.ctx.now) && !(flights && isStay(b)))
      .sort((a, b) => starts(a) - starts(b));
    if (flights)
      return ahead[0]
        ? `Your next flight: ${bookingLine(ahead[0], s.gazetteer)}.`
        : "You have no upcoming flight booked with us.";
    return ahead.length > 0
      ? ["Coming up:", numbered(ahead.slice(0, 10).map((b) => bookingLine(b, s.gazetteer)))].join("\n")
      : "You have nothing booked with us coming up.";
  }
  if (LAST_WORDS.test(s.text)) {
    // Newest first, as the tool lists them.
    const last = bookings[0];
    return last
      ? `Your most recent booking: ${bookingLine(last, s.gazetteer)}.`
      : "You haven't booked anything with us yet.";
  }
  return undefined;
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
    return [...one, ...answered(s, "list_bookings").map((c) => pickedAnswer(s, c) ?? listAnswer(s, c))];
  },
};

const reasonIn = (text: string): string | undefined =>
  /\b(?:because|since|due to)\b\s*([^.?!]{3,200})/i.exec(text)?.[1]?.trim();

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
    // The booking named, else the one this session made, else the customer's only live one; "my
    // hotel" or "my flight" keeps to that kind.
    const kind = kindAsked(s.text);
    const last = s.ctx.session.lastBooking;
    const ref = s.slots.bookingRefs[0] ?? (ofKind(kind, last) ? last : undefined);
    if (!ref) {
      const sole = soleBooking(s, (b) => active(b, s.ctx.now) && ofKind(kind, str(b.booking_ref)));
      if ("step" in sole) return sole.step;
      return call({ tool: "cancel_booking", input: { booking_ref: sole.ref, reason: reasonIn(s.text) } });
    }
    return call({ tool: "cancel_booking", input: { booking_ref: ref, reason: reasonIn(s.text) } });
  },
  answer(s) {
    const c = lastCall(s, "cancel_booking");
    if (!c) return [];
    const ref = str(c.input.booking_ref) ?? "the booking";
    if (c.status === "error") return [`I couldn't cancel ${ref}: ${c.error}.`];
    const r = resultOf(c);
    if (str(r.kind) === "hotel") {
      if (r.already_cancelled === true)
        return [`Your stay ${ref} was already cancelled; nothing more has changed.`];
      const hotel = str(r.hotel);
      const checkIn = str(r.check_in);
      return [
        `Your stay ${ref}${hotel ? ` at ${hotel}` : ""}${checkIn ? ` (check-in ${checkIn})` : ""} is cancelled. ` +
          "It was to be paid at the hotel, so nothing was charged.",
      ];
    }
    // Cancelled before: nothing changes now, and the refund already given is not a new one.
    if (r.already_cancelled === true)
      return [`Booking ${ref} was already cancelled; nothing more has changed.`];
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

// ---------------------------------------------------------------------------------------------
// the customer's own profile

const PROFILE_ASKS: ReadonlyArray<{
  re: RegExp;
  line: (s: PlanState) => string | undefined;
  /** Said only when asked for, not in "what do you know about me". */
  onlyAsked?: boolean;
}> = [
  {
    re: /\bname\b|\bwho am i\b/i,
    line: (s) =>
      s.ctx.actor.name ? `Your name on your Flightly account is ${s.ctx.actor.name}.` : undefined,
  },
  {
    re: /\b(?:tier|status|level|loyalty|silver|gold|platinum|diamond|elite)\b/i,
    line: (s) => {
      const tier = s.ctx.profile?.loyaltyTier;
      return tier ? `Your Flightly loyalty tier is ${tier[0]!.toUpperCase()}${tier.slice(1)}.` : undefined;
    },
  },
  {
    re: /\b(?:miles|points)\b/i,
    onlyAsked: true,
    line: () =>
      "I can't see your Flightly Miles balance from here: it is under Miles in your Flightly account.",
  },
  {
    re: /\bemail\b/i,
    line: (s) => (s.ctx.profile?.email ? `The email on your profile is ${s.ctx.profile.email}.` : undefined),
  },
  {
    re: /\bhome airport\b/i,
    line: (s) =>
      s.ctx.profile?.homeAirport ? `Your home airport is ${s.ctx.profile.homeAirport}.` : undefined,
  },
  {
    re: /\bseat\b/i,
    line: (s) => (s.ctx.profile?.seat ? `You prefer ${s.ctx.profile.seat} seats.` : undefined),
  },
];

/** Questions about the customer themself, answered from their profile (no tool, no policy). */
export const profileSkill: Skill = {
  intent: "profile",
  owner: "any",
  needs: [],
  purpose: "look up your profile",
  next: () => DONE,
  answer(s) {
    // One agent of a workflow answers it: the first.
    const plan = s.ctx.workflow.plan;
    if (plan.length > 0 && s.ctx.agent !== plan[0]) return [];
    const told = extractWithRules(s.text, s.ctx.now).candidates.map((c) => c.content);
    // Told with nothing asked, it is said back; beside a question, the question is answered.
    if (told.length > 0 && onlyTellsOfSelf(s.text)) return s.ctx.actor.guest ? [] : [noted(told)];
    const asked = PROFILE_ASKS.filter((a) => a.re.test(s.text));
    const lines = (asked.length > 0 ? asked : PROFILE_ASKS.filter((a) => !a.onlyAsked)).map((a) => a.line(s));
    const known = lines.filter((l): l is string => l !== undefined);
    const more = s.ctx.memories.filter((m) => !saidIn(known, m.content));
    if (asked.length === 0 && more.length > 0)
      known.push(`From our conversations: ${more.map((m) => lowerFirst(m.content)).join(" ")}`);
    return known.length > 0 ? known : ["Your profile doesn't say that yet."];
  },
};

/** Whether a profile line already says a memory: every longer word after its first ("Prefers aisle seats"). */
function saidIn(lines: readonly string[], memory: string): boolean {
  const words = (memory.toLowerCase().match(/[a-z0-9]{4,}/g) ?? []).slice(1);
  return words.length > 0 && lines.some((l) => words.every((w) => l.toLowerCase().includes(w)));
}

const lowerFirst = (t: string): string => (/^[A-Z][a-z]/.test(t) ? t[0]!.toLowerCase() + t.slice(1) : t);

/** What the customer told of themself, said back: the tiering worker keeps it in their memory. */
const noted = (told: readonly string[]): string =>
  `Noted, and saved for your next trips: ${told.map((t) => lowerFirst(t.replace(/\.$/, ""))).join("; ")}.`;
