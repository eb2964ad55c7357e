/**
 * The steps every booking skill shares: the contact email a booking is confirmed to, confirming a
 * held flight, and which booking a turn is about.
 */
import { arrayField, isRecord, str } from "../render.js";
import { call, DONE, doneInWorkflow, lastCall, resultOf } from "./shared.js";
import type { PlanState, Step } from "./types.js";

export interface Contact {
  email: string | undefined;
  source: string;
}

/**
 * The steps after a flight is held: confirm it with the contact email. Done once confirmed,
 * refused, or reserved earlier in this workflow; undefined while nothing is held yet.
 */
export function confirmHeld(s: PlanState): Step | undefined {
  const reserve = lastCall(s, "reserve_flight");
  if (lastCall(s, "confirm_booking") || reserve?.status === "error") return DONE;
  if (reserve?.status === "success") {
    const ref = str(resultOf(reserve).booking_ref);
    if (!ref || !s.tools.has("confirm_booking")) return DONE;
    return call({
      tool: "confirm_booking",
      input: { booking_ref: ref, contact_email: contactEmail(s).email },
    });
  }
  return doneInWorkflow(s, "reserve_flight") ? DONE : undefined;
}

export function contactEmail(s: PlanState): Contact {
  const said = s.slots.emails[0];
  if (said) return { email: said, source: "" };
  const fromSupport = str(s.ctx.workflow.outputs.support?.contact_email);
  if (fromSupport) return { email: fromSupport, source: " (the email from your support conversation)" };
  const conv = arrayField(resultOf(lastCall(s, "find_support_conversation")), "conversations").find(isRecord);
  const found = conv && Array.isArray(conv.emails) ? str(conv.emails[0]) : undefined;
  if (found) return { email: found, source: " (the email from your support conversation)" };
  const profile = s.ctx.profile?.email;
  return { email: profile, source: profile ? " (the email on your profile)" : "" };
}

/** The booking this turn made, else the one the message names, else one an earlier step made. */
export function bookingRef(s: PlanState): string | undefined {
  for (const tool of ["confirm_booking", "reserve_flight"]) {
    const ref = str(resultOf(lastCall(s, tool)).booking_ref);
    if (ref) return ref;
  }
  if (s.slots.bookingRefs[0]) return s.slots.bookingRefs[0];
  return Object.values(s.ctx.workflow.outputs)
    .map((o) => str(o.booking_ref))
    .find(Boolean);
}

/** This agent is making a booking this turn that has not finished yet. */
export function bookingUnderway(s: PlanState): boolean {
  if (!s.inScope.has("book_flight") || !s.tools.has("reserve_flight")) return false;
  const reserve = lastCall(s, "reserve_flight");
  const confirm = lastCall(s, "confirm_booking");
  if (reserve?.status === "error" || confirm?.status !== undefined) return false;
  return !(reserve?.status === "success" && !s.tools.has("confirm_booking"));
}
