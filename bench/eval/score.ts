/**
 * Scoring one answer against its gold example: the outcome the product gave (from the tools in
 * the answer's trail and the words of the reply), the arguments its flight search carried, and the
 * outcome class (searched right, asked a needed question, declined honestly, wrong). A request for
 * an airline Flightly does not sell is scored on its airline slot alone: the right answer names
 * the carrier as not sold and searches nothing, so there are no search arguments to score.
 */
import type { InvokeResult } from "../../orchestrator/orchestrator.js";
import {
  cityAirports,
  type Example,
  expectedOutcome,
  first,
  goldAirline,
  goldDate,
  goldTime,
  key,
  type MapGroup,
  mapEntry,
  type Outcome,
  type Window,
} from "./gold.js";

export const SLOT_NAMES = [
  "origin",
  "destination",
  "date",
  "airline",
  "time",
  "round_trip",
  "nonstop",
] as const;
export type SlotName = (typeof SLOT_NAMES)[number];

export const CLASSES = ["searched right", "asked a needed question", "declined honestly", "wrong"] as const;
export type OutcomeClass = (typeof CLASSES)[number];

export interface Verdict {
  expected: Outcome;
  observed: Outcome;
  intentRight: boolean;
  outcome: OutcomeClass;
  /** Scored slots of a flight query between served cities: right or wrong. */
  slots: Partial<Record<SlotName, boolean>>;
  /** A city Flightly does not serve, and whether the answer named it. */
  unknownCity?: { city: string; named: boolean };
  /** Requests the README's intent map covers (all but flight queries): handled per the map. */
  map?: { group: MapGroup; handled: boolean };
}

const TOOL_OUTCOMES: ReadonlyArray<[string, Outcome]> = [
  ["search_flights", "flight_search"],
  ["reserve_flight", "flight_search"],
  ["search_hotels", "hotel_search"],
  ["get_destination_info", "destination"],
  ["get_airport_info", "airport_info"],
  ["get_airline_info", "airline_info"],
  ["get_ground_transport", "ground_transport"],
  ["list_bookings", "bookings"],
  ["get_booking", "bookings"],
];
const DECLINE =
  /\b(?:i'm not sure i can help|i can't|i cannot|i don't (?:know|have|sell|offer)|i do not|not able to|unable to|isn't something|outside what|only help with|don't sell|doesn't sell|not sold)\b/i;

interface Call {
  tool: string;
  input: Record<string, unknown>;
}

const callsOf = (r: InvokeResult): Call[] =>
  r.agents.flatMap((a) =>
    (a.calls ?? []).map((c) => ({
      tool: c.tool,
      input: c.input !== null && typeof c.input === "object" && !Array.isArray(c.input) ? c.input : {},
    })),
  );

/** Every outcome whose tool ran (a help-centre search is `policy` whatever it found). */
function ranOutcomes(r: InvokeResult): Set<Outcome> {
  const tools = callsOf(r).map((c) => c.tool);
  const ran = new Set<Outcome>();
  for (const [tool, outcome] of TOOL_OUTCOMES) if (tools.includes(tool)) ran.add(outcome);
  if (tools.some((t) => /weather|forecast/.test(t))) ran.add("weather");
  if (tools.includes("search_knowledge_base")) ran.add("policy");
  return ran;
}

/**
 * Handled per the intent map: an accepted tool ran, or the answer is an accepted honest decline.
 * Outside travel a decline also needs no tool call. A flight or hotel request counts when the
 * booking agent, which owns those tools, asked for a missing detail or said why it could not
 * (a guest cannot book; a city or airline Flightly does not serve).
 */
function handledPerMap(
  accepted: readonly Outcome[],
  group: MapGroup,
  observed: Outcome,
  r: InvokeResult,
): boolean {
  const calls = callsOf(r);
  if (group === "outside travel" && observed === "decline" && accepted.includes("decline"))
    return calls.length === 0;
  if (accepted.includes("reply") && calls.length === 0 && r.agents.length === 0) return true;
  const ran = ranOutcomes(r);
  if (accepted.some((o) => o !== "decline" && ran.has(o))) return true;
  if (accepted.includes("decline") && observed === "decline") return true;
  const bookingAnswered = r.agents.some((a) => a.agent === "booking");
  return (
    accepted.some((o) => o === "flight_search" || o === "hotel_search") &&
    bookingAnswered &&
    (observed === "question" || observed === "decline")
  );
}

/** What the product did: the first tool that answers a kind of request, else the reply's form. */
function observedOutcome(r: InvokeResult): Outcome {
  const tools = new Set(callsOf(r).map((c) => c.tool));
  for (const [tool, outcome] of TOOL_OUTCOMES) if (tools.has(tool)) return outcome;
  if (/\bweather|forecast\b/.test([...tools].join(" "))) return "weather";
  if (tools.has("search_knowledge_base") && /from our help centre/i.test(r.response)) return "policy";
  if (DECLINE.test(r.response)) return "decline";
  if (r.response.trim().endsWith("?")) return "question";
  return "other";
}

const minutes = (v: unknown): number | undefined => {
  const m = typeof v === "string" ? /^(\d{2}):(\d{2})$/.exec(v) : null;
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
};

/** Both ends present on both sides and within an hour of each other. */
function sameWindow(gold: Window, after: unknown, before: unknown): boolean {
  const a = minutes(after);
  const b = minutes(before);
  const near = (g: number | undefined, x: number | undefined): boolean =>
    g === undefined ? x === undefined || x === 0 : x !== undefined && Math.abs(g - x) <= 60;
  return (
    near(gold.after, a) &&
    (gold.before === undefined ? b === undefined || b >= 23 * 60 : near(gold.before, b))
  );
}

function scoreSlots(ex: Example, r: InvokeResult, search: Call | undefined, today: number): Verdict["slots"] {
  const slots = ex.slots ?? {};
  const input = search?.input ?? {};
  const out: Verdict["slots"] = {};
  const from = first(slots["fromloc.city_name"]);
  const to = first(slots["toloc.city_name"]);
  if (from) out.origin = cityAirports(from).includes(String(input.origin));
  if (to) out.destination = cityAirports(to).includes(String(input.destination));
  const date = goldDate(slots, today);
  if (date) out.date = input.date === date;
  const airline = first(slots.airline_name) ?? first(slots.airline_code);
  if (airline) {
    const gold = goldAirline(airline);
    const searched = typeof input.airline === "string" ? goldAirline(input.airline) : undefined;
    const reply = key(r.response);
    // A carrier Flightly does not sell is right when the answer names it as not sold and searched nothing.
    out.airline = gold.code
      ? searched?.code === gold.code
      : search === undefined &&
        gold.names.some((name) => reply.includes(name)) &&
        /\b(?:don t|do not|doesn t|does not) (?:sell|offer)|not sold\b/.test(reply);
  }
  const time = goldTime(slots);
  if (time)
    out.time =
      search !== undefined &&
      sameWindow(time.window, input[`${time.leg}_after`], input[`${time.leg}_before`]);
  const trip = key(first(slots.round_trip) ?? "");
  // One way: searched without a way back, and the answer says one way and never round trip.
  if (trip === "one way")
    out.round_trip =
      search !== undefined &&
      input.return_date === undefined &&
      /\bone[- ]way\b/i.test(r.response) &&
      !/round[- ]trip/i.test(r.response);
  else if (trip)
    out.round_trip =
      search !== undefined && (input.return_date !== undefined || /round[- ]trip|return/i.test(r.response));
  if (/non ?stop|direct/.test(key(first(slots.flight_stop) ?? "")))
    out.nonstop = search !== undefined && (input.nonstop === true || /non-?stop|direct/i.test(r.response));
  return out;
}

/** The verdict on one answer; `today` is the evaluation date (a UTC midnight). */
export function score(ex: Example, r: InvokeResult, today: number): Verdict {
  const expected = expectedOutcome(ex);
  const observed = observedOutcome(r);
  const asked = observed === "question";
  const bookingAnswered = r.agents.some((a) => a.agent === "booking");
  const entry = mapEntry(ex);
  const handled = entry ? handledPerMap(entry.accepted, entry.group, observed, r) : undefined;
  const intentRight =
    observed === expected ||
    handled === true ||
    (expected === "flight_search" && bookingAnswered && (asked || observed === "decline")) ||
    (expected === "decline" && asked && !bookingAnswered);
  const verdict: Verdict = { expected, observed, intentRight, outcome: "wrong", slots: {} };
  if (entry) verdict.map = { group: entry.group, handled: handled === true };
  if (entry && !entry.accepted.includes("flight_search")) {
    if (observed === "decline" && handled) verdict.outcome = "declined honestly";
    else if (handled && asked) verdict.outcome = "asked a needed question";
    else if (handled) verdict.outcome = "searched right";
    return verdict;
  }
  const slots = ex.slots ?? {};
  const cities = [first(slots["fromloc.city_name"]), first(slots["toloc.city_name"])].filter(
    (c): c is string => c !== undefined,
  );
  const search = callsOf(r).find((c) => c.tool === "search_flights");
  const unknown = cities.find((c) => cityAirports(c).length === 0);
  if (unknown) {
    const named = search === undefined && key(r.response).includes(key(unknown));
    verdict.unknownCity = { city: unknown, named };
    if (named) verdict.outcome = "declined honestly";
    return verdict;
  }
  // Slots are scored on requests that name both ends of the route.
  if (cities.length === 2) verdict.slots = scoreSlots(ex, r, search, today);
  // A carrier Flightly does not sell is answered without a search: only that answer is scored.
  const airline = first(slots.airline_name) ?? first(slots.airline_code);
  if (cities.length === 2 && airline !== undefined && goldAirline(airline).code === undefined) {
    const named = verdict.slots.airline === true;
    verdict.slots = { airline: named };
    if (named) verdict.outcome = "declined honestly";
    return verdict;
  }
  if (search) {
    if (Object.values(verdict.slots).every(Boolean)) verdict.outcome = "searched right";
  } else if (asked && cities.length < 2) {
    verdict.outcome = "asked a needed question";
  }
  return verdict;
}
