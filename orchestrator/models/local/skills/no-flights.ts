/**
 * When a search finds no flights: the same route searched over the days either side of the day
 * asked, with one-stop connections (the nearest dates with non-stop flights are listed, else the
 * connections), and when those are empty too, the served airports near either end of the route
 * (great-circle distance), offered for a new search.
 */
import { parseFlights, type ToolCall } from "../context.js";
import { arrayField, flightLine, isRecord, listing, num, numbered, str, usd } from "../render.js";
import { answered, resultOf, where } from "./shared.js";
import type { PlannedCall, PlanState } from "./types.js";

/** Days either side of an empty date that the wider search covers. */
const WIDEN_DAYS = 3;
/** Served airports this close to an end of the route are offered as alternatives. */
const NEARBY_KM = 300;

const shiftDate = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** The search around an empty day: same route and filters, the days either side. */
function widerSearch(s: PlanState, c: ToolCall): PlannedCall | undefined {
  const date = str(c.input.date);
  if (!date || c.status !== "success" || str(c.input.return_date)) return undefined;
  if (parseFlights(arrayField(resultOf(c), "flights")).length > 0) return undefined;
  const today = s.ctx.now.toISOString().slice(0, 10);
  const from = shiftDate(date, -WIDEN_DAYS) > today ? shiftDate(date, -WIDEN_DAYS) : shiftDate(today, 1);
  const { date: _d, ...rest } = c.input;
  return {
    tool: "search_flights",
    input: {
      ...rest,
      date_from: from,
      date_to: shiftDate(date, WIDEN_DAYS),
      sort: "departure",
      limit: 10,
      max_stops: 1,
    },
  };
}

/** Whether `call` is the wider search made around one of this turn's empty days (other dates). */
export function isWiderSearch(s: PlanState, call: ToolCall): boolean {
  return answered(s, "search_flights").some((c) => {
    const w = widerSearch(s, c);
    return (
      w !== undefined &&
      call.input.origin === w.input.origin &&
      call.input.destination === w.input.destination &&
      call.input.date_from === w.input.date_from &&
      call.input.date_to === w.input.date_to
    );
  });
}

/** Wider searches still to make for this turn's empty days. */
export function widerSearches(s: PlanState): PlannedCall[] {
  const made = s.calls.filter((c) => c.name === "search_flights" || c.name.endsWith("__search_flights"));
  return answered(s, "search_flights")
    .map((c) => widerSearch(s, c))
    .filter((w): w is PlannedCall => w !== undefined)
    .filter(
      (w) =>
        !made.some(
          (m) =>
            m.input.origin === w.input.origin &&
            m.input.destination === w.input.destination &&
            m.input.date_from === w.input.date_from,
        ),
    );
}

/** "Nearby airports we serve: Newark (EWR, 16 km from New York (JFK))." for both ends of a route. */
function nearbyAirports(s: PlanState, origin: string, destination: string): string {
  const near = [origin, destination].flatMap((code) => {
    const at = s.gazetteer.airport(code);
    if (!at) return [];
    return s.gazetteer
      .nearestServed(at, 4)
      .filter((n) => n.airport.iata !== code && n.km <= NEARBY_KM)
      .map((n) => `${n.airport.city} (${n.airport.iata}, ${n.km} km from ${where(s, code)})`);
  });
  return near.length > 0
    ? ` Nearby airports we serve: ${listing(near)}. Shall I search from or to one of those instead?`
    : " Tell me another date or a nearby city and I'll search again.";
}

/** What follows "I found no flights": the wider search's listing comes next, or the airports nearby. */
export function noFlightsNext(s: PlanState, c: ToolCall): string {
  const wider = widerSearch(s, c);
  const widened = wider
    ? answered(s, "search_flights").find(
        (m) =>
          m.input.origin === wider.input.origin &&
          m.input.destination === wider.input.destination &&
          m.input.date_from === wider.input.date_from,
      )
    : undefined;
  if (widened) {
    const found = parseFlights(arrayField(resultOf(widened), "flights")).length > 0;
    // The wider search's own line follows: its flights, or the airports nearby.
    return found ? " The nearest dates with flights are below." : "";
  }
  const connections = connectionLines(s, c);
  if (connections.length > 0)
    return ` One-stop connections (each is booked as one trip, both flights on one reference):\n${numbered(connections)}`;
  return nearbyAirports(s, str(c.input.origin) ?? "", str(c.input.destination) ?? "");
}

/** The search's one-stop connections, cheapest first as the tool sorted them, at most five. */
function connectionLines(s: PlanState, c: ToolCall): string[] {
  return arrayField(resultOf(c), "connections")
    .filter(isRecord)
    .slice(0, 5)
    .flatMap((x) => {
      const legs = parseFlights(x.legs);
      const price = num(x.price_usd);
      const layover = num(x.layover_minutes);
      if (legs.length !== 2 || price === undefined) return [];
      const stop = layover !== undefined ? `${Math.floor(layover / 60)} h ${layover % 60} min` : "a stop";
      return [
        `${flightLine(legs[0]!, s.gazetteer)}; then ${flightLine(legs[1]!, s.gazetteer)}. ` +
          `${usd(price)} per person in total, ${stop} in ${where(s, legs[0]!.destination)}`,
      ];
    });
}
