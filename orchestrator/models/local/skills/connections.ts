/**
 * Booking a listed one-stop connection: after a search that found no non-stop flight and listed
 * connections, "book the first one" (or "the cheapest", "that connection") holds both legs as one
 * booking for the party (`reserve_flight` with `connecting_flight_id`), then confirms it. The
 * insurance and payment that follow work on that one booking, so they cover the whole trip.
 */
import type { Connection } from "../context.js";
import { flightLine, num, plural, str, usd } from "../render.js";
import { confirmHeld, contactEmail } from "./booking-steps.js";
import { call, lastCall, resultOf, say } from "./shared.js";
import type { PlanState, Skill } from "./types.js";

/**
 * The session's last list was connections (no non-stop flight was found), and the request picks
 * from a list without naming a booking, or names the route those connections fly.
 */
export function picksFromConnectionList(s: Pick<PlanState, "ctx" | "slots">): boolean {
  const { lastList, lastFlights, lastConnections } = s.ctx.session;
  if (lastList !== "flights" || lastFlights.length > 0 || lastConnections.length === 0) return false;
  if (s.slots.bookingRefs.length > 0) return false;
  const first = lastConnections[0]!.legs;
  const from = s.slots.origin?.airports;
  const to = s.slots.destinations.flatMap((d) => d.airports);
  return (!from || from.includes(first[0].origin)) && (to.length === 0 || to.includes(first[1].destination));
}

const departs = (c: Connection): string => c.legs[0].depart_at;
const duration = (c: Connection): number =>
  c.duration_minutes ?? (Date.parse(c.legs[1].arrive_at) - Date.parse(c.legs[0].depart_at)) / 60_000;

/** The connection a selection points at, in the order the list showed them; why none otherwise. */
function pickConnection(s: PlanState): { connection: Connection | undefined; why: string } {
  const list = s.ctx.session.lastConnections;
  const sel = s.slots.selection;
  if (sel?.by === "index") {
    const chosen = sel.index < 0 ? list.at(-1) : list[sel.index];
    return chosen
      ? { connection: chosen, why: `connection ${sel.index < 0 ? list.length : sel.index + 1} from the list` }
      : { connection: undefined, why: `there is no connection ${sel.index + 1} in the list` };
  }
  const by = sel?.by ?? "cheapest";
  const order: Record<typeof by, (a: Connection, b: Connection) => number> = {
    cheapest: (a, b) => a.price_usd - b.price_usd || departs(a).localeCompare(departs(b)),
    earliest: (a, b) => departs(a).localeCompare(departs(b)) || a.price_usd - b.price_usd,
    latest: (a, b) => departs(b).localeCompare(departs(a)) || a.price_usd - b.price_usd,
    fastest: (a, b) => duration(a) - duration(b) || a.price_usd - b.price_usd,
  };
  const words = {
    cheapest: "the cheapest connection",
    earliest: "the earliest connection",
    latest: "the latest connection",
    fastest: "the fastest connection",
  };
  return { connection: [...list].sort(order[by])[0], why: words[by] };
}

const connectionWords = (c: Connection, s: PlanState): string =>
  `${flightLine(c.legs[0], s.gazetteer)}; then ${flightLine(c.legs[1], s.gazetteer)}`;

export const connectionBookingSkill: Skill = {
  intent: "book_flight",
  owner: "booking",
  needs: ["reserve_flight"],
  purpose: "book a flight",
  next(s) {
    const afterHold = confirmHeld(s);
    if (afterHold) return afterHold;
    const contact = contactEmail(s).email;
    const { connection, why } = pickConnection(s);
    if (!connection) return say(`I haven't booked anything: ${why}.`);
    return call({
      tool: "reserve_flight",
      input: {
        flight_id: connection.legs[0].flight_id,
        connecting_flight_id: connection.legs[1].flight_id,
        passengers: s.prefs.passengers ?? connection.passengers ?? 1,
        contact_email: contact,
      },
    });
  },
  answer(s) {
    const reserve = lastCall(s, "reserve_flight");
    if (!reserve) return [];
    const list = s.ctx.session.lastConnections;
    const legs = [str(reserve.input.flight_id), str(reserve.input.connecting_flight_id)];
    const connection = list.find((c) => c.legs[0].flight_id === legs[0] && c.legs[1].flight_id === legs[1]);
    const what = connection
      ? connectionWords(connection, s)
      : `flights ${legs.filter(Boolean).join(" and ")}`;
    if (reserve.status === "error") return [`I couldn't hold the connection (${what}): ${reserve.error}.`];
    const held = resultOf(reserve);
    const confirm = lastCall(s, "confirm_booking");
    const done = resultOf(confirm);
    const ref = str(done.booking_ref) ?? str(held.booking_ref) ?? "your booking";
    const total = num(done.total_usd) ?? num(held.total_usd);
    const pax = num(reserve.input.passengers) ?? 1;
    const pick = pickConnection(s);
    const why = pick.connection === connection && connection ? ` I picked ${pick.why}.` : "";
    const totalWords = total !== undefined ? `; total ${usd(total)} for both flights` : "";
    if (confirm?.status === "success") {
      const email = str(done.contact_email) ?? str(reserve.input.contact_email);
      return [
        `Booked the connection: ${what}.${why}`,
        `Booking ${ref} covers both flights and is ${str(done.status) ?? "confirmed"} for ` +
          `${plural(pax, "passenger")}${totalWords}.` +
          (email ? ` The confirmation goes to ${email}.` : ""),
      ];
    }
    if (confirm?.status === "error")
      return [`I'm holding ${ref} (${what}), but confirming it failed: ${confirm.error}.`];
    return [`I'm holding ${ref} (${what}) for ${plural(pax, "passenger")}${totalWords}.${why}`];
  },
};
