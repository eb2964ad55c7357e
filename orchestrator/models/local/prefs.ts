/**
 * The customer's preferences for one request. Precedence: what this message says, then what
 * earlier messages of the conversation said, then the profile, then saved preference memories.
 * Whatever came from the profile or memories is noted so the answer can say it was applied.
 */

import { extractSlots, type Gazetteer, nameKey, type Slots } from "../../../language/index.js";
import type { PlannerContext } from "./context.js";
import { listing, plural, usd } from "./render.js";
import type { Prefs } from "./skills/index.js";

type Notes = Prefs["notes"];

const cents = (n: number): number => Math.floor(n * 100) / 100;

function partyWords(adults: number | undefined, ages: readonly number[]): string {
  const parts: string[] = [];
  if (adults !== undefined) parts.push(plural(adults, "adult"));
  if (ages.length > 0) parts.push(`children aged ${listing(ages.map(String))}`);
  return listing(parts);
}

function party(
  slots: Slots,
  earlier: readonly Slots[],
  ctx: PlannerContext,
  notes: Notes,
): Pick<Prefs, "passengers" | "childrenAges"> {
  const profile = ctx.profile;
  if (slots.passengers !== undefined)
    return { passengers: slots.passengers, childrenAges: slots.childrenAges };
  if ((slots.children ?? 0) > 0) {
    // "with the kids, 4 and 8": the adults are the profile's (or one).
    return { passengers: (profile?.adults ?? 1) + (slots.children ?? 0), childrenAges: slots.childrenAges };
  }
  const past = earlier.find((e) => e.passengers !== undefined);
  if (past) return { passengers: past.passengers, childrenAges: past.childrenAges };
  if (profile?.adults !== undefined) {
    const passengers = profile.adults + profile.childrenAges.length;
    notes.push({
      text: `party of ${passengers} (${partyWords(profile.adults, profile.childrenAges)})`,
      intents: ["flight_search", "hotel_search", "book_flight"],
    });
    return { passengers, childrenAges: profile.childrenAges };
  }
  return { passengers: undefined, childrenAges: profile?.childrenAges ?? [] };
}

function airlinesToAvoid(
  slots: Slots,
  earlier: readonly Slots[],
  ctx: PlannerContext,
  saved: readonly Slots[],
  notes: Notes,
): string[] {
  const preferred = slots.preferredAirline;
  const avoid: string[] = [];
  const add = (names: readonly string[], fromProfile: boolean): void => {
    for (const name of names) {
      const key = nameKey(name);
      // Naming an airline in this message overrides a saved "avoid".
      if ((preferred !== undefined && key === nameKey(preferred)) || avoid.some((a) => nameKey(a) === key))
        continue;
      avoid.push(name);
      if (fromProfile) notes.push({ text: `no ${name} flights`, intents: ["flight_search", "book_flight"] });
    }
  };
  add(slots.avoidAirlines, false);
  for (const e of earlier) add(e.avoidAirlines, false);
  add(ctx.profile?.avoidAirlines ?? [], true);
  for (const m of saved) add(m.avoidAirlines, true);
  return avoid;
}

function budgets(
  slots: Slots,
  passengers: number | undefined,
  ctx: PlannerContext,
  notes: Notes,
): Pick<Prefs, "budgetPerNightUsd" | "maxFareUsd"> {
  const b = slots.budget;
  let budgetPerNightUsd: number | undefined;
  let maxFareUsd: number | undefined;
  if (b?.per === "night") budgetPerNightUsd = b.amountUsd;
  if (b?.per === "person") maxFareUsd = b.amountUsd;
  if (b?.per === "unspecified") {
    // "under $300": a nightly cap for hotels, a fare cap for flights.
    budgetPerNightUsd = b.amountUsd;
    maxFareUsd = b.amountUsd;
  }
  if (b?.per === "total") {
    maxFareUsd = cents(b.amountUsd / (passengers ?? 1));
    if (slots.nights) budgetPerNightUsd = cents(b.amountUsd / slots.nights);
  }
  const fromProfile = ctx.profile?.budgetPerNightUsd;
  if (budgetPerNightUsd === undefined && fromProfile !== undefined) {
    budgetPerNightUsd = fromProfile;
    notes.push({ text: `up to ${usd(fromProfile)} per night`, intents: ["hotel_search"] });
  }
  return { budgetPerNightUsd, maxFareUsd };
}

export function preferences(
  slots: Slots,
  earlier: readonly Slots[],
  ctx: PlannerContext,
  gazetteer: Gazetteer,
): Prefs {
  const notes: Notes = [];
  const saved = ctx.memories
    .filter((m) => m.kind === "preference")
    .map((m) => extractSlots(m.content, ctx.now, gazetteer));
  const { passengers, childrenAges } = party(slots, earlier, ctx, notes);
  return {
    passengers,
    childrenAges,
    avoidAirlines: airlinesToAvoid(slots, earlier, ctx, saved, notes),
    preferredAirline: slots.preferredAirline,
    seat: slots.seat ?? ctx.profile?.seat ?? saved.find((m) => m.seat)?.seat,
    ...budgets(slots, passengers, ctx, notes),
    notes,
  };
}
