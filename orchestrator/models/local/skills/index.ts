/**
 * What the local planner can do, one skill per intent: which agent owns it, which tools it needs,
 * its next step given what has happened so far this turn, and its part of the final answer
 * (worded only from tool results and the customer context).
 */
import type { Intent } from "../intents.js";
import { cancelSkill, insuranceSkill, myBookingsSkill, paymentSkill, profileSkill } from "./account.js";
import { airlineInfoSkill, airportInfoSkill, groundTransportSkill, timeZoneSkill } from "./facts.js";
import { bookFlightSkill, flightSearchSkill } from "./flights.js";
import { hotelSearchSkill } from "./hotels.js";
import {
  destinationSkill,
  greetingSkill,
  otherSkill,
  policySkill,
  supportHistorySkill,
  weatherSkill,
} from "./knowledge.js";
import type { Skill } from "./types.js";

export { canonical } from "./shared.js";
export type { AgentName, PlannedCall, PlanState, Prefs, Skill, ToolBox } from "./types.js";
export { notServed } from "./unserved.js";

/** Every skill, keyed by intent. */
export const SKILLS: Readonly<Record<Intent, Skill>> = {
  greeting: greetingSkill,
  profile: profileSkill,
  support_history: supportHistorySkill,
  my_bookings: myBookingsSkill,
  cancel_booking: cancelSkill,
  policy_faq: policySkill,
  weather: weatherSkill,
  destination_advice: destinationSkill,
  airport_info: airportInfoSkill,
  airline_info: airlineInfoSkill,
  time_zone: timeZoneSkill,
  ground_transport: groundTransportSkill,
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
  "profile",
  "book_flight",
  "insurance",
  "payment",
  "my_bookings",
  "cancel_booking",
  "support_history",
]);
