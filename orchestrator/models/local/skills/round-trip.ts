/** Round trips: the return day a flight search carries, and the trip's shape in words. */
import { when } from "./shared.js";
import type { PlanState } from "./types.js";
import { notServed } from "./unserved.js";

/** The day back, when the customer gave one and did not ask for one way. */
export function returnDate(s: PlanState): string | undefined {
  const back = when(s).returnDate;
  return back && s.slots.roundTrip !== false ? back : undefined;
}

/** What the search cannot express, said rather than dropped: cities not served, the trip's shape. */
export function tripNotes(s: PlanState, returnSearched: boolean): string {
  const notes: string[] = s.slots.unknownPlaces.map(notServed);
  if (s.slots.nonstop) notes.push("Every Flightly flight is nonstop.");
  if (s.slots.roundTrip === false) notes.push("These are one-way fares, as you asked.");
  else if (returnSearched) notes.push("Fares are one way per leg; the return flights are listed below.");
  else if (s.slots.roundTrip)
    notes.push(
      "These are one-way fares for the outbound leg; tell me your return date and I'll search the way back.",
    );
  return notes.length > 0 ? `\n${notes.join(" ")}` : "";
}
