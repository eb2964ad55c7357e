/**
 * What the local planner can do, one skill per intent: which agent owns it, which tools it needs,
 * its next step given what has happened so far this turn, and its part of the final answer
 * (worded only from tool results and the customer context).
 */
import type { ToolSpec } from "../types.js";
import { type Flight, type PlannerContext, parseFlights, type ToolCall } from "./context.js";
import type { Gazetteer } from "./gazetteer.js";
import type { Intent, IntentResult } from "./intents.js";
import {
  arrayField,
  bookingLine,
  describeFields,
  describeWeather,
  flightLine,
  isRecord,
  listing,
  num,
  numbered,
  placeName,
  plural,
  str,
  usd,
} from "./render.js";
import type { Slots } from "./slots.js";

export type AgentName = "support" | "booking" | "payment";

export interface PlannedCall {
  /** Canonical tool name (`get_forecast` also matches the namespaced `weather__get_forecast`). */
  tool: string;
  input: Record<string, unknown>;
}

export type Step =
  | { kind: "call"; calls: PlannedCall[] }
  /** Stop and tell the customer something: a question for a missing detail, or why not. */
  | { kind: "say"; text: string }
  /** Waiting on an earlier skill of this turn (insurance waits for the booking). */
  | { kind: "wait" }
  | { kind: "done" };

export interface ToolBox {
  has(tool: string): boolean;
  spec(tool: string): ToolSpec | undefined;
}

/** Preferences for this request: the message first, then earlier messages, profile, memories. */
export interface Prefs {
  passengers: number | undefined;
  childrenAges: number[];
  avoidAirlines: string[];
  preferredAirline: string | undefined;
  seat: string | undefined;
  budgetPerNightUsd: number | undefined;
  maxFareUsd: number | undefined;
  /** What came from the profile or memories rather than the message, in words. */
  applied: string[];
}

export interface PlanState {
  text: string;
  slots: Slots;
  /** Slots of the customer's earlier messages in this conversation, newest first. */
  earlier: Slots[];
  intents: IntentResult;
  ctx: PlannerContext;
  prefs: Prefs;
  tools: ToolBox;
  /** Tool calls of this turn, with their results. */
  calls: ToolCall[];
  gazetteer: Gazetteer;
  /** Skills the current agent works on (the others belong to other agents of the workflow). */
  inScope: ReadonlySet<Intent>;
}

export interface Skill {
  intent: Intent;
  /** The agent that has this skill's tools; a handoff goes there. */
  owner: AgentName | "any";
  /** Any one of these tools makes the skill usable (empty: always usable). */
  needs: readonly string[];
  /** Words for a handoff reason: "The customer wants to …". */
  purpose: string;
  /** Uses the customer's preferences (the answer says which were applied). */
  personal?: boolean;
  next(s: PlanState): Step;
  answer(s: PlanState): string[];
}

// ---------------------------------------------------------------------------------------------
// reading this turn's calls

/** `weather__get_forecast` → `get_forecast`. */
export const canonical = (name: string): string => {
  const i = name.lastIndexOf("__");
  return i >= 0 ? name.slice(i + 2) : name;
};

const callsOf = (s: PlanState, tool: string): ToolCall[] => s.calls.filter((c) => canonical(c.name) === tool);
const lastCall = (s: PlanState, tool: string): ToolCall | undefined => callsOf(s, tool).at(-1);
const answered = (s: PlanState, tool: string): ToolCall[] =>
  callsOf(s, tool).filter((c) => c.status !== undefined);
const resultOf = (c: ToolCall | undefined): Record<string, unknown> =>
  c?.status === "success" && isRecord(c.result) ? c.result : {};

/** An earlier workflow step already ran this side-effecting tool (`<tool>_done` in its outputs). */
const doneInWorkflow = (s: PlanState, tool: string): boolean =>
  Object.values(s.ctx.workflow.outputs).some((o) => o[`${tool}_done`] === true);

const call = (...calls: PlannedCall[]): Step => ({ kind: "call", calls });
const say = (text: string): Step => ({ kind: "say", text });
const DONE: Step = { kind: "done" };
const WAIT: Step = { kind: "wait" };

// ---------------------------------------------------------------------------------------------
// places and dates with fallbacks (message → session → earlier messages)

interface Target {
  iata: string;
  label: string;
}

function destinations(s: PlanState): Target[] {
  if (s.slots.destinations.length > 0)
    return s.slots.destinations.map((d) => ({ iata: d.iata, label: d.label }));
  const last = s.ctx.session.lastDestination;
  if (last) return [{ iata: last, label: s.gazetteer.airport(last)?.city ?? last }];
  const earlier = s.earlier.find((e) => e.destinations.length > 0);
  return earlier ? earlier.destinations.map((d) => ({ iata: d.iata, label: d.label })) : [];
}

function origin(s: PlanState): string | undefined {
  return s.slots.origin?.iata ?? s.ctx.session.lastOrigin ?? s.earlier.find((e) => e.origin)?.origin?.iata;
}

/** Date slots of the message, else of the latest earlier message that had any. */
function when(s: PlanState): Pick<Slots, "date" | "dateRange" | "nights" | "returnDate"> {
  const has = (x: Slots): boolean => x.date !== undefined || x.dateRange !== undefined;
  const src = has(s.slots) ? s.slots : (s.earlier.find(has) ?? s.slots);
  return {
    ...(src.date ? { date: src.date } : {}),
    ...(src.dateRange ? { dateRange: src.dateRange } : {}),
    ...(src.returnDate ? { returnDate: src.returnDate } : {}),
    ...((s.slots.nights ?? src.nights) !== undefined ? { nights: (s.slots.nights ?? src.nights)! } : {}),
  };
}

function whenWords(input: Record<string, unknown>): string {
  const date = str(input.date) ?? str(input.check_in);
  if (date) return ` on ${date}`;
  const from = str(input.date_from);
  const to = str(input.date_to);
  return from && to ? ` between ${from} and ${to}` : "";
}

/** The customer's own name for an airport in this conversation ("Maui" for OGG), if any. */
function labelOf(s: PlanState, iata: string): string | undefined {
  for (const slots of [s.slots, ...s.earlier]) {
    const place = [...slots.destinations, ...(slots.origin ? [slots.origin] : [])].find((p) => p.iata === iata);
    if (place) return place.label;
  }
  return undefined;
}

const where = (s: PlanState, iata: string): string => placeName(iata, s.gazetteer, labelOf(s, iata));

const routeInMessage = (s: PlanState): boolean =>
  s.slots.origin !== undefined || s.slots.destinations.length > 0;

// ---------------------------------------------------------------------------------------------
// flights

const SORT_PARAM: Record<NonNullable<Slots["sort"]>, string> = {
  price: "price",
  departure: "departure",
  duration: "duration",
};

function flightSearch(s: PlanState, from: string, to: string): PlannedCall {
  const w = when(s);
  const sort = s.slots.sort ?? (s.slots.selection?.by === "earliest" ? "departure" : undefined);
  return {
    tool: "search_flights",
    input: {
      origin: from,
      destination: to,
      ...(w.date
        ? { date: w.date }
        : w.dateRange
          ? { date_from: w.dateRange.from, date_to: w.dateRange.to }
          : {}),
      passengers: s.prefs.passengers,
      max_price_usd: s.prefs.maxFareUsd,
      avoid_airlines: s.prefs.avoidAirlines.length > 0 ? s.prefs.avoidAirlines : undefined,
      airline: s.prefs.preferredAirline,
      sort: sort ? SORT_PARAM[sort] : undefined,
      limit: 5,
    },
  };
}

/** The flight searches this turn wants (one per destination candidate, at most three). */
function flightSearches(s: PlanState): Step {
  const dests = destinations(s);
  const from = origin(s);
  if (dests.length === 0) return say("Where would you like to fly to?");
  if (!from) {
    const names = dests.map((d) => where(s, d.iata));
    return say(`Where will you be flying from? I have ${listing(names)} as the destination.`);
  }
  const calls = dests
    .filter((d) => d.iata !== from)
    .slice(0, 3)
    .map((d) => flightSearch(s, from, d.iata));
  return calls.length > 0
    ? call(...calls)
    : say("The origin and destination are the same airport — where to?");
}

const avoided = (s: PlanState, f: Flight): boolean =>
  s.prefs.avoidAirlines.some((a) => s.gazetteer.sameAirline(f, a));

const byPrice = (a: Flight, b: Flight): number =>
  a.price_usd - b.price_usd ||
  a.depart_at.localeCompare(b.depart_at) ||
  a.flight_id.localeCompare(b.flight_id);
const byDeparture = (a: Flight, b: Flight): number => a.depart_at.localeCompare(b.depart_at) || byPrice(a, b);
const duration = (f: Flight): number => Date.parse(f.arrive_at) - Date.parse(f.depart_at);
const byDuration = (a: Flight, b: Flight): number => duration(a) - duration(b) || byPrice(a, b);

/** Flights that fit the customer's filters (airlines to avoid, preferred airline, fare cap, seats). */
function fitting(s: PlanState, flights: readonly Flight[]): Flight[] {
  let pool = flights.filter((f) => !avoided(s, f));
  const preferred = s.prefs.preferredAirline;
  if (preferred) {
    const only = pool.filter((f) => s.gazetteer.sameAirline(f, preferred));
    if (only.length > 0) pool = only;
  }
  const cap = s.prefs.maxFareUsd;
  if (cap !== undefined) pool = pool.filter((f) => f.price_usd <= cap);
  const seats = s.prefs.passengers ?? 1;
  return pool.filter((f) => f.seats_available === undefined || f.seats_available >= seats);
}

/** A flight the message names by number or id ("PC 214"). */
function namedFlight(s: PlanState, flights: readonly Flight[]): Flight | undefined {
  const said = s.text.toUpperCase().replace(/[\s-]+/g, "");
  return flights.find((f) => {
    const number = `${f.airline_code}${f.flight_number.replace(f.airline_code, "")}`
      .toUpperCase()
      .replace(/[\s-]+/g, "");
    return (
      (/[A-Z]/.test(number) && number.length >= 3 && said.includes(number)) ||
      s.text.includes(`#${f.flight_id}`)
    );
  });
}

interface FlightChoice {
  flight: Flight | undefined;
  /** How it was chosen, or why nothing was. */
  why: string;
}

function pickFlight(s: PlanState, flights: readonly Flight[]): FlightChoice {
  const named = namedFlight(s, flights);
  if (named) return { flight: named, why: "the flight you named" };
  const sel = s.slots.selection;
  if (sel?.by === "index") {
    const chosen = sel.index < 0 ? flights.at(-1) : flights[sel.index];
    if (!chosen) return { flight: undefined, why: `there is no option ${sel.index + 1} in the list` };
    if (avoided(s, chosen))
      return { flight: undefined, why: `that option is on ${chosen.airline}, which you avoid` };
    return { flight: chosen, why: `option ${sel.index < 0 ? flights.length : sel.index + 1} from the list` };
  }
  const pool = fitting(s, flights);
  if (pool.length === 0) {
    const filters = s.prefs.avoidAirlines.length > 0 ? ` (avoiding ${listing(s.prefs.avoidAirlines)})` : "";
    return {
      flight: undefined,
      why: `none of the ${plural(flights.length, "flight")} fit your request${filters}`,
    };
  }
  const by =
    sel?.by ??
    (s.slots.sort === "departure" ? "earliest" : s.slots.sort === "duration" ? "fastest" : "cheapest");
  const order = by === "earliest" ? byDeparture : by === "fastest" ? byDuration : byPrice;
  const sorted = [...pool].sort(order);
  const flight = by === "latest" ? [...pool].sort(byDeparture).at(-1) : sorted[0];
  const words = {
    cheapest: "the cheapest option",
    earliest: "the earliest departure",
    fastest: "the fastest option",
    latest: "the latest departure",
  };
  const avoiding = s.prefs.avoidAirlines.length > 0 ? ` that avoids ${listing(s.prefs.avoidAirlines)}` : "";
  return { flight, why: `${words[by]}${avoiding}` };
}

/** Flights a booking can choose from: this turn's searches, else the session's last results. */
function bookable(s: PlanState): { flights: Flight[]; searched: boolean } {
  const searches = answered(s, "search_flights");
  if (searches.length > 0) {
    return {
      flights: searches.flatMap((c) => parseFlights(arrayField(resultOf(c), "flights"))),
      searched: true,
    };
  }
  const dests = s.slots.destinations.flatMap((d) => d.airports);
  const from = s.slots.origin?.airports;
  const session = s.ctx.session.lastFlights.filter(
    (f) => (dests.length === 0 || dests.includes(f.destination)) && (!from || from.includes(f.origin)),
  );
  return { flights: session, searched: false };
}

function filterWords(input: Record<string, unknown>): string {
  const parts: string[] = [];
  const pax = num(input.passengers);
  if (pax !== undefined && pax > 1) parts.push(`for ${plural(pax, "passenger")}`);
  const avoid = Array.isArray(input.avoid_airlines) ? input.avoid_airlines.map(String) : [];
  if (avoid.length > 0) parts.push(`excluding ${listing(avoid)}`);
  const airline = str(input.airline);
  if (airline) parts.push(`on ${airline}`);
  const cap = num(input.max_price_usd);
  if (cap !== undefined) parts.push(`up to ${usd(cap)} per person`);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

function flightList(s: PlanState, flights: readonly Flight[], heading: string): string {
  const shown = flights.slice(0, 5);
  const lines = [heading, numbered(shown.map((f) => flightLine(f, s.gazetteer)))];
  if (shown.length > 1) {
    const cheapest = [...shown].sort(byPrice)[0]!;
    lines.push(
      `Cheapest: ${cheapest.airline} ${cheapest.flight_number} at ${usd(cheapest.price_usd)} per person.`,
    );
  }
  return lines.join("\n");
}

function searchAnswer(s: PlanState, c: ToolCall): string {
  const from = where(s, str(c.input.origin) ?? "?");
  const to = where(s, str(c.input.destination) ?? "?");
  if (c.status === "error") return `I couldn't search flights from ${from} to ${to}: ${c.error}.`;
  const flights = parseFlights(arrayField(resultOf(c), "flights"));
  const route = `from ${from} to ${to}${whenWords(c.input)}${filterWords(c.input)}`;
  if (flights.length === 0) return `I found no flights ${route}.`;
  return flightList(s, flights, `Flights ${route}:`);
}

const flightSearchSkill: Skill = {
  intent: "flight_search",
  owner: "booking",
  needs: ["search_flights"],
  purpose: "search for flights",
  personal: true,
  next(s) {
    const refining =
      s.slots.selection !== undefined ||
      s.slots.sort !== undefined ||
      s.slots.avoidAirlines.length > 0 ||
      s.slots.budget !== undefined;
    if (!routeInMessage(s) && refining && s.ctx.session.lastFlights.length > 0) return DONE;
    return flightSearches(s);
  },
  answer(s) {
    const searches = answered(s, "search_flights");
    if (searches.length > 0) return searches.map((c) => searchAnswer(s, c));
    const previous = s.ctx.session.lastFlights;
    if (previous.length === 0) return [];
    const pool = fitting(s, previous);
    if (pool.length === 0)
      return [
        `None of the flights from your last search fit that${filterWords({ avoid_airlines: s.prefs.avoidAirlines })}.`,
      ];
    const order =
      s.slots.sort === "departure" ? byDeparture : s.slots.sort === "duration" ? byDuration : byPrice;
    return [
      flightList(
        s,
        [...pool].sort(order),
        `From your last search${filterWords({ avoid_airlines: s.prefs.avoidAirlines })}:`,
      ),
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// booking a flight: search (when needed) → reserve_flight → confirm_booking

interface Contact {
  email: string | undefined;
  source: string;
}

function contactEmail(s: PlanState): Contact {
  const said = s.slots.emails[0];
  if (said) return { email: said, source: "" };
  const fromStep = Object.values(s.ctx.workflow.outputs)
    .map((o) => str(o.contact_email))
    .find(Boolean);
  if (fromStep) return { email: fromStep, source: " (the email from your support conversation)" };
  const conv = arrayField(resultOf(lastCall(s, "find_support_conversation")), "conversations").find(isRecord);
  const found = conv && Array.isArray(conv.emails) ? str(conv.emails[0]) : undefined;
  if (found) return { email: found, source: " (the email from your support conversation)" };
  const profile = s.ctx.profile?.email;
  return { email: profile, source: profile ? " (the email on your profile)" : "" };
}

/** The booking this turn made, else the one the message names, else one an earlier step made. */
function bookingRef(s: PlanState): string | undefined {
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
function bookingUnderway(s: PlanState): boolean {
  if (!s.inScope.has("book_flight") || !s.tools.has("reserve_flight")) return false;
  const reserve = lastCall(s, "reserve_flight");
  const confirm = lastCall(s, "confirm_booking");
  if (reserve?.status === "error" || confirm?.status !== undefined) return false;
  return !(reserve?.status === "success" && !s.tools.has("confirm_booking"));
}

const bookFlightSkill: Skill = {
  intent: "book_flight",
  owner: "booking",
  needs: ["reserve_flight"],
  purpose: "book a flight",
  personal: true,
  next(s) {
    const reserve = lastCall(s, "reserve_flight");
    if (lastCall(s, "confirm_booking") || reserve?.status === "error") return DONE;
    const contact = contactEmail(s).email;
    if (reserve?.status === "success") {
      const ref = str(resultOf(reserve).booking_ref);
      if (!ref || !s.tools.has("confirm_booking")) return DONE;
      return call({ tool: "confirm_booking", input: { booking_ref: ref, contact_email: contact } });
    }
    if (doneInWorkflow(s, "reserve_flight")) return DONE;
    const { flights, searched } = bookable(s);
    if (flights.length === 0) {
      if (searched) return DONE;
      if (!s.tools.has("search_flights"))
        return say("Which flight should I book? Please search for flights first.");
      const step = flightSearches(s);
      return step.kind === "say"
        ? say("Which flight should I book? Tell me where you're flying from and to, and when.")
        : step;
    }
    const pick = pickFlight(s, flights);
    if (!pick.flight) return DONE;
    return call({
      tool: "reserve_flight",
      input: {
        flight_id: pick.flight.flight_id,
        passengers: s.prefs.passengers ?? 1,
        contact_email: contact,
        seat: s.prefs.seat,
      },
    });
  },
  answer(s) {
    const reserve = lastCall(s, "reserve_flight");
    const { flights, searched } = bookable(s);
    if (!reserve) {
      if (searched && flights.length === 0) {
        return answered(s, "search_flights").map((c) =>
          c.status === "error"
            ? searchAnswer(s, c)
            : `I couldn't find a flight to book: ${searchAnswer(s, c)}`,
        );
      }
      const pick = flights.length > 0 ? pickFlight(s, flights) : undefined;
      return pick && !pick.flight ? [`I haven't booked anything: ${pick.why}.`] : [];
    }
    const flight = flights.find((f) => f.flight_id === str(reserve.input.flight_id));
    const what = flight ? flightLine(flight, s.gazetteer) : `flight ${str(reserve.input.flight_id)}`;
    if (reserve.status === "error") return [`I couldn't hold ${what}: ${reserve.error}.`];
    const held = resultOf(reserve);
    const confirm = lastCall(s, "confirm_booking");
    const done = resultOf(confirm);
    const ref = str(done.booking_ref) ?? str(held.booking_ref) ?? "your booking";
    const total = num(done.total_usd) ?? num(held.total_usd);
    const pax = num(reserve.input.passengers) ?? 1;
    const pick = flight ? pickFlight(s, flights) : undefined;
    const why = pick?.flight?.flight_id === flight?.flight_id && pick ? ` I picked ${pick.why}.` : "";
    const totalWords = total !== undefined ? `; total ${usd(total)}` : "";
    if (confirm?.status === "success") {
      const email = str(done.contact_email) ?? str(reserve.input.contact_email);
      const contact = contactEmail(s);
      const source = email && email === contact.email ? contact.source : "";
      return [
        `Booked: ${what}.${why}`,
        `Booking ${ref} is ${str(done.status) ?? "confirmed"} for ${plural(pax, "passenger")}${totalWords}.` +
          (email ? ` The confirmation goes to ${email}${source}.` : ""),
      ];
    }
    const hold = str(held.hold_expires_at);
    const until = hold ? ` until ${hold.replace("T", " ").slice(0, 16)} UTC` : "";
    if (confirm?.status === "error") {
      return [`I'm holding ${ref} (${what})${until}, but confirming it failed: ${confirm.error}.`];
    }
    return [`I'm holding ${ref} (${what}) for ${plural(pax, "passenger")}${until}${totalWords}.${why}`];
  },
};

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

const insuranceSkill: Skill = {
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

const paymentSkill: Skill = {
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
    return call({
      tool: "process_payment",
      input: { booking_ref: ref, card: s.slots.cardLast4 ?? "on_file" },
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
// hotels

function hotelLine(h: Record<string, unknown>): string {
  const stars = num(h.stars);
  const rating = num(h.rating);
  const price = num(h.price_per_night_usd);
  const total = num(h.total_usd);
  return [
    str(h.name) ?? "Hotel",
    stars !== undefined ? `${stars}★` : "",
    rating !== undefined ? `rated ${rating}` : "",
    price !== undefined ? `${usd(price)} per night` : "",
    total !== undefined ? `${usd(total)} in total` : "",
    h.family_friendly === true ? "family-friendly" : "",
  ]
    .filter(Boolean)
    .join(", ");
}

const KIDS_WORDS = /\b(?:kids?|children|child|family|families|toddlers?|baby)\b/i;

const hotelSearchSkill: Skill = {
  intent: "hotel_search",
  owner: "booking",
  needs: ["search_hotels"],
  purpose: "search for hotels",
  personal: true,
  next(s) {
    const dests = destinations(s);
    if (dests.length === 0) return say("Which city should I look for hotels in?");
    const w = when(s);
    const checkIn = w.date ?? w.dateRange?.from;
    const nights =
      w.nights ??
      (w.date && w.returnDate
        ? Math.round((Date.parse(w.returnDate) - Date.parse(w.date)) / 86_400_000)
        : undefined);
    return call(
      ...dests.slice(0, 3).map((d) => ({
        tool: "search_hotels",
        input: {
          city: d.iata,
          check_in: checkIn,
          nights,
          guests: s.prefs.passengers,
          max_price_per_night_usd: s.prefs.budgetPerNightUsd,
          family_friendly: KIDS_WORDS.test(s.text) ? true : undefined,
          limit: 5,
        },
      })),
    );
  },
  answer(s) {
    return answered(s, "search_hotels").map((c) => {
      const place = where(s, str(c.input.city) ?? "?");
      if (c.status === "error") return `I couldn't search hotels in ${place}: ${c.error}.`;
      const cap = num(c.input.max_price_per_night_usd);
      const scope = `in ${place}${whenWords(c.input)}${cap !== undefined ? ` up to ${usd(cap)} per night` : ""}`;
      let hotels = arrayField(resultOf(c), "hotels").filter(isRecord);
      if (hotels.length === 0) return `I found no hotels ${scope}.`;
      if (s.prefs.childrenAges.length > 0) {
        hotels = [...hotels].sort(
          (a, b) => Number(b.family_friendly === true) - Number(a.family_friendly === true),
        );
      }
      return [`Hotels ${scope}:`, numbered(hotels.slice(0, 5).map(hotelLine))].join("\n");
    });
  },
};

// ---------------------------------------------------------------------------------------------
// knowledge: policies, destination guides, support history, weather

function passages(value: unknown, max: number, minSimilarity = 0): string[] {
  return arrayField(value, "results")
    .filter(isRecord)
    .filter((r) => (num(r.similarity) ?? 1) >= minSimilarity)
    .slice(0, max)
    .map((r) => {
      const title = str(r.title);
      const text = str(r.excerpt) ?? str(r.content) ?? str(r.text) ?? "";
      return title ? `${title}: ${text}` : text;
    })
    .filter(Boolean);
}

function kbAnswer(s: PlanState, minSimilarity: number): string[] {
  return answered(s, "search_knowledge_base").map((c) => {
    if (c.status === "error") return `I couldn't look that up in our help centre: ${c.error}.`;
    const found = passages(c.result, 2, minSimilarity);
    return found.length > 0
      ? `From our help centre:\n${found.map((p) => `- ${p}`).join("\n")}`
      : "I couldn't find that in our help centre.";
  });
}

const policySkill: Skill = {
  intent: "policy_faq",
  owner: "support",
  needs: ["search_knowledge_base"],
  purpose: "answer a question about our policies",
  next: (s) => call({ tool: "search_knowledge_base", input: { query: s.text.slice(0, 500) } }),
  answer: (s) => kbAnswer(s, 0),
};

function familyHint(s: PlanState): string {
  const ages = s.prefs.childrenAges;
  if (ages.length === 0 || KIDS_WORDS.test(s.text)) return "";
  return ` (travelling with children aged ${listing(ages.map(String))})`;
}

const destinationSkill: Skill = {
  intent: "destination_advice",
  owner: "support",
  needs: ["get_destination_info"],
  purpose: "give destination advice",
  next(s) {
    const query = `${s.text.slice(0, 440)}${familyHint(s)}`;
    const dests = s.slots.destinations.length > 0 ? destinations(s) : destinations(s).slice(0, 1);
    if (dests.length === 0) return call({ tool: "get_destination_info", input: { query } });
    return call(
      ...dests.slice(0, 3).map((d) => ({ tool: "get_destination_info", input: { query, city: d.iata } })),
    );
  },
  answer(s) {
    return answered(s, "get_destination_info").map((c) => {
      const city = str(c.input.city);
      const place = city ? where(s, city) : "your trip";
      if (c.status === "error") return `I couldn't look up ${place}: ${c.error}.`;
      const found = passages(c.result, 2);
      if (found.length === 0) return `I have no destination guide for ${place}.`;
      return `${city ? `${place}` : "From our destination guides"}:\n${found.map((p) => `- ${p}`).join("\n")}`;
    });
  },
};

const supportHistorySkill: Skill = {
  intent: "support_history",
  owner: "support",
  needs: ["find_support_conversation"],
  purpose: "look up a past support conversation",
  next(s) {
    const clause =
      s.text
        .split(/[.;!?]|,\s*(?:and\s+)?|\s+and\s+/)
        .find((part) => /support|conversation|chat|agent|told|said|email|phone/i.test(part)) ?? s.text;
    return call({
      tool: "find_support_conversation",
      input: { query: clause.trim().slice(0, 500) || s.text.slice(0, 500) },
    });
  },
  answer(s) {
    return answered(s, "find_support_conversation").map((c) => {
      if (c.status === "error") return `I couldn't look up your support conversations: ${c.error}.`;
      const conv = arrayField(c.result, "conversations").find(isRecord);
      if (!conv) return "I couldn't find a support conversation that matches.";
      const started = str(conv.started_at)?.slice(0, 10);
      const subject = str(conv.subject);
      const summary = str(conv.summary);
      const emails = Array.isArray(conv.emails) ? conv.emails.map(String) : [];
      const phones = Array.isArray(conv.phones) ? conv.phones.map(String) : [];
      const lines = [
        `I found your support conversation${started ? ` from ${started}` : ""}${subject ? ` ("${subject}")` : ""}.` +
          (summary ? ` ${summary}` : ""),
      ];
      if (emails[0]) lines.push(`The email address in that conversation is ${emails[0]}.`);
      if (phones[0] && /phone|number|call/i.test(s.text))
        lines.push(`The phone number there is ${phones[0]}.`);
      return lines.join(" ");
    });
  },
};

const ALERT_WORDS = /\b(?:alerts?|warnings?|storms?|hurricanes?|typhoons?|safe)\b/i;

function forecastDays(s: PlanState): number | undefined {
  const w = when(s);
  const end = w.date ?? w.dateRange?.to;
  if (!end) return undefined;
  const today = Date.UTC(s.ctx.now.getUTCFullYear(), s.ctx.now.getUTCMonth(), s.ctx.now.getUTCDate());
  const days = Math.round((Date.parse(end) - today) / 86_400_000) + 1;
  return days >= 1 && days <= 16 ? days : undefined;
}

const weatherSkill: Skill = {
  intent: "weather",
  owner: "support",
  needs: ["get_forecast", "get_alerts"],
  purpose: "check the weather",
  next(s) {
    const places = destinations(s).slice(0, 2);
    if (places.length === 0) return say("Which place should I check the weather for?");
    const calls: PlannedCall[] = [];
    for (const p of places) {
      if (s.tools.has("get_forecast"))
        calls.push({ tool: "get_forecast", input: { location: p.label, days: forecastDays(s) } });
      if (s.tools.has("get_alerts") && (ALERT_WORDS.test(s.text) || !s.tools.has("get_forecast"))) {
        calls.push({ tool: "get_alerts", input: { location: p.label } });
      }
    }
    return call(...calls);
  },
  answer(s) {
    const lines: string[] = [];
    for (const c of s.calls.filter((x) => x.status !== undefined)) {
      const tool = canonical(c.name);
      const place = str(c.input.location) ?? "there";
      if (tool !== "get_forecast" && tool !== "get_alerts") continue;
      if (c.status === "error") {
        lines.push(
          `I couldn't get the ${tool === "get_alerts" ? "weather alerts" : "forecast"} for ${place}: ${c.error}.`,
        );
      } else if (tool === "get_forecast") {
        lines.push(describeWeather(c.result, place));
      } else {
        const alerts = arrayField(c.result, "alerts").map((a) =>
          isRecord(a) ? (str(a.headline) ?? str(a.title) ?? str(a.event) ?? describeFields(a)) : String(a),
        );
        lines.push(
          alerts.length > 0
            ? `Weather alerts for ${place}:\n${alerts.map((a) => `- ${a}`).join("\n")}`
            : `There are no active weather alerts for ${place}.`,
        );
      }
    }
    return lines;
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

const myBookingsSkill: Skill = {
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

const cancelSkill: Skill = {
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

// ---------------------------------------------------------------------------------------------
// small talk

const CAPABILITIES =
  "I can search flights and hotels, book and pay for trips, look up or cancel your bookings, " +
  "and answer questions about our policies, the weather and destinations.";

const greetingSkill: Skill = {
  intent: "greeting",
  owner: "any",
  needs: [],
  purpose: "say hello",
  next: () => DONE,
  answer: (s) => [
    `Hi${s.ctx.actor.name ? ` ${s.ctx.actor.name}` : ""}! ${CAPABILITIES} What can I do for you?`,
  ],
};

const otherSkill: Skill = {
  intent: "other",
  owner: "any",
  needs: [],
  purpose: "answer a question",
  next: (s) =>
    s.tools.has("search_knowledge_base")
      ? call({ tool: "search_knowledge_base", input: { query: s.text.slice(0, 500) } })
      : DONE,
  answer(s) {
    const found = answered(s, "search_knowledge_base").flatMap((c) =>
      c.status === "success" ? passages(c.result, 2, 0.5) : [],
    );
    if (found.length > 0) return [`From our help centre:\n${found.map((p) => `- ${p}`).join("\n")}`];
    return [`I'm not sure I can help with that. ${CAPABILITIES}`];
  },
};

/** Every skill, keyed by intent. */
export const SKILLS: Readonly<Record<Intent, Skill>> = {
  greeting: greetingSkill,
  support_history: supportHistorySkill,
  my_bookings: myBookingsSkill,
  cancel_booking: cancelSkill,
  policy_faq: policySkill,
  weather: weatherSkill,
  destination_advice: destinationSkill,
  flight_search: flightSearchSkill,
  hotel_search: hotelSearchSkill,
  book_flight: bookFlightSkill,
  insurance: insuranceSkill,
  payment: paymentSkill,
  other: otherSkill,
};

/** Tools that change something: called at most once per turn, never with the same input twice. */
export const SIDE_EFFECTS: ReadonlySet<string> = new Set([
  "reserve_flight",
  "confirm_booking",
  "add_travel_insurance",
  "process_payment",
  "cancel_booking",
  "handoff_to_agent",
]);

/** Intents only a signed-in customer may act on. */
export const ACCOUNT_INTENTS: ReadonlySet<Intent> = new Set([
  "book_flight",
  "insurance",
  "payment",
  "my_bookings",
  "cancel_booking",
  "support_history",
]);
