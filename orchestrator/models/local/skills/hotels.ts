/** Hotel search. */
import { arrayField, isRecord, num, numbered, str, usd } from "../render.js";
import {
  answered,
  call,
  destinations,
  resultOf,
  routeInMessage,
  say,
  when,
  whenWords,
  where,
} from "./shared.js";
import type { PlanState, Skill } from "./types.js";

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

export const KIDS_WORDS = /\b(?:kids?|children|child|family|families|toddlers?|baby)\b/i;

export const hotelSearchSkill: Skill = {
  intent: "hotel_search",
  owner: "booking",
  needs: ["search_hotels"],
  purpose: "search for hotels",
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
// "book the cheapest" after a hotel list

const FLIGHT_WORDS = /\b(?:flights?|fly|flying|plane|seats?|airfares?|fares?)\b/i;

/**
 * The last list the session showed was hotels, and the request picks from a list without naming
 * a flight or a route: what it wants booked is a hotel from that list, never a flight.
 */
export function picksFromHotelList(s: Pick<PlanState, "ctx" | "text" | "slots">): boolean {
  return (
    s.ctx.session.lastList === "hotels" &&
    !FLIGHT_WORDS.test(s.text) &&
    !routeInMessage(s as PlanState) &&
    s.slots.bookingRefs.length === 0
  );
}

/** The hotel of the session's last list a selection ("the cheapest", "the second one") points at. */
function pickedHotel(s: PlanState): Record<string, unknown> | undefined {
  const hotels = s.ctx.session.lastHotels;
  const sel = s.slots.selection;
  if (sel?.by === "index") return sel.index < 0 ? hotels.at(-1) : hotels[sel.index];
  const price = (h: Record<string, unknown>): number =>
    num(h.price_per_night_usd) ?? Number.POSITIVE_INFINITY;
  return sel?.by === "cheapest" || sel === undefined
    ? [...hotels].sort((a, b) => price(a) - price(b))[0]
    : hotels[0];
}

/**
 * Booking from a hotel list: Flightly has no hotel booking, so it says so (and which hotel was
 * meant) and books nothing else in its place.
 */
export const hotelBookingSkill: Skill = {
  intent: "hotel_search",
  owner: "booking",
  needs: [],
  purpose: "book a hotel",
  next(s) {
    const hotel = pickedHotel(s);
    const which = hotel
      ? ` The one you mean, ${hotelLine(hotel)}, can be booked directly with the hotel.`
      : "";
    return say(
      `I can't book hotels: Flightly books flights only, so I haven't booked anything.${which} ` +
        "I can book a flight there for you if you like.",
    );
  },
  answer: () => [],
};
