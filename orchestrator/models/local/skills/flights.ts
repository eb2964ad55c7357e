/** Flights: search, and booking (search → reserve_flight → confirm_booking). */
import type { UnknownPlace } from "../../../../language/index.js";
import { type Flight, parseFlights, type ToolCall } from "../context.js";
import { arrayField, flightLine, listing, num, numbered, plural, str, usd } from "../render.js";
import { confirmHeld, contactEmail } from "./booking-steps.js";
import { isWiderSearch, noFlightsNext, widerSearches } from "./no-flights.js";
import { notSold } from "./not-sold.js";
import { returnDate, tripNotes } from "./round-trip.js";
import {
  answered,
  call,
  DONE,
  destinations,
  lastCall,
  origin,
  resultOf,
  routeInMessage,
  say,
  when,
  whenWords,
  where,
} from "./shared.js";
import type { PlannedCall, PlanState, Skill, Step } from "./types.js";
import { unservedRoute } from "./unserved.js";

// ---------------------------------------------------------------------------------------------
// flights

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
      depart_after: s.slots.departAfter,
      depart_before: s.slots.departBefore,
      arrive_after: s.slots.arriveAfter,
      arrive_before: s.slots.arriveBefore,
      return_date: returnDate(s),
      sort,
      limit: 5,
    },
  };
}

/**
 * Unserved places that stop the search: every one but an alternative destination next to served
 * ones ("Boston or Akron" searches Boston and names Akron as not served).
 */
function blockingUnknown(s: PlanState): UnknownPlace[] {
  return s.slots.unknownPlaces.filter((u) => !(u.alternative && s.slots.destinations.length > 0));
}

/** The flight searches this turn wants (one per destination candidate, at most three). */
function flightSearches(s: PlanState): Step {
  const unknown = blockingUnknown(s);
  if (unknown.length > 0) return unservedRoute(s, unknown);
  const unsold = notSold(s);
  if (unsold) return unsold;
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
  // Flights of the days around an empty one are offered, never booked unasked.
  const searches = answered(s, "search_flights").filter((c) => !isWiderSearch(s, c));
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
  const route = `from ${from} to ${to}${whenWords(c.input)}${filterWords(c.input)}${timeWords(c.input)}`;
  const back = str(c.input.return_date);
  const notes = tripNotes(s, back !== undefined);
  const outbound =
    flights.length === 0
      ? `I found no flights ${route}.${noFlightsNext(s, c)}`
      : flightList(s, flights, `Flights ${route}:`);
  if (!back) return `${outbound}${notes}`;
  const returns = parseFlights(arrayField(resultOf(c), "return_flights"));
  const way = `from ${to} to ${from} on ${back}${filterWords(c.input)}`;
  const home =
    returns.length === 0
      ? `I found no return flights ${way}.`
      : flightList(s, returns, `Return flights ${way}:`);
  return `${outbound}${notes}\n${home}`;
}

/** The departure and arrival windows a search used, in words. */
function timeWords(input: Record<string, unknown>): string {
  const window = (leg: string, after: unknown, before: unknown): string | undefined => {
    const a = str(after);
    const b = str(before);
    if (a && b) return `${leg} between ${a} and ${b}`;
    if (a) return `${leg} after ${a}`;
    return b ? `${leg} by ${b}` : undefined;
  };
  const parts = [
    window("leaving", input.depart_after, input.depart_before),
    window("arriving", input.arrive_after, input.arrive_before),
  ].filter((p): p is string => p !== undefined);
  return parts.length > 0 ? `, ${parts.join(", ")} local time` : "";
}

export const flightSearchSkill: Skill = {
  intent: "flight_search",
  owner: "booking",
  needs: ["search_flights"],
  purpose: "search for flights",
  next(s) {
    const refining =
      s.slots.selection !== undefined ||
      s.slots.sort !== undefined ||
      s.slots.avoidAirlines.length > 0 ||
      s.slots.budget !== undefined;
    if (!routeInMessage(s) && refining && s.ctx.session.lastFlights.length > 0) return DONE;
    const wider = widerSearches(s);
    if (wider.length > 0) return call(...wider);
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

export const bookFlightSkill: Skill = {
  intent: "book_flight",
  owner: "booking",
  needs: ["reserve_flight"],
  purpose: "book a flight",
  next(s) {
    const afterHold = confirmHeld(s);
    if (afterHold) return afterHold;
    const contact = contactEmail(s).email;
    const { flights, searched } = bookable(s);
    if (flights.length === 0) {
      if (searched) {
        // An empty day: the days around it and one-stop connections are searched to be offered.
        const wider = widerSearches(s);
        return wider.length > 0 ? call(...wider) : DONE;
      }
      if (!s.tools.has("search_flights"))
        return say("Which flight should I book? Please search for flights first.");
      const step = flightSearches(s);
      return step.kind === "say" && !notSold(s)
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
        const lines = answered(s, "search_flights").map((c) =>
          c.status === "error" || isWiderSearch(s, c)
            ? searchAnswer(s, c)
            : `I couldn't find a flight to book: ${searchAnswer(s, c)}`,
        );
        const offered = answered(s, "search_flights").some(
          (c) =>
            isWiderSearch(s, c) &&
            (arrayField(resultOf(c), "flights").length > 0 ||
              arrayField(resultOf(c), "connections").length > 0),
        );
        return offered ? [...lines, "Tell me which of these to book."] : lines;
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
