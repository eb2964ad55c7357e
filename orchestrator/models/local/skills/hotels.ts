/** Hotel search. */
import { arrayField, isRecord, num, numbered, str, usd } from "../render.js";
import {
  answered,
  call,
  DONE,
  destinations,
  lastCall,
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

/** Nights between two ISO dates, when both are given and in order. */
const nightsBetween = (from: string | undefined, to: string | undefined): number | undefined => {
  if (!from || !to) return undefined;
  const n = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000);
  return n > 0 ? n : undefined;
};

/**
 * Booking from a hotel list: the hotel the selection points at, for the dates the request names
 * or else the ones the list was searched for; without a check-in date and nights it asks.
 */
export const hotelBookingSkill: Skill = {
  intent: "hotel_search",
  owner: "booking",
  needs: ["book_hotel"],
  purpose: "book a hotel",
  next(s) {
    if (lastCall(s, "book_hotel")) return DONE;
    const hotel = pickedHotel(s);
    const id = hotel ? str(hotel.hotel_id) : undefined;
    if (!hotel || !id) return say("Which hotel should I book? Ask me for hotels in a city first.");
    const w = when(s);
    const checkIn = w.date ?? w.dateRange?.from ?? str(hotel.check_in);
    const nights =
      w.nights ??
      nightsBetween(w.date, w.returnDate) ??
      nightsBetween(w.dateRange?.from, w.dateRange?.to) ??
      num(hotel.nights);
    if (!checkIn || !nights) {
      return say(
        `To book ${str(hotel.name) ?? "that hotel"} I need the check-in date and the number of nights.`,
      );
    }
    return call({
      tool: "book_hotel",
      input: {
        hotel_id: id,
        check_in: checkIn,
        nights,
        guests: s.prefs.passengers ?? num(hotel.guests) ?? 1,
      },
    });
  },
  answer(s) {
    const c = lastCall(s, "book_hotel");
    if (!c) return [];
    if (c.status === "error") return [`I couldn't book the hotel: ${c.error}.`];
    const r = resultOf(c);
    const nights = num(r.nights);
    const guests = num(r.guests);
    const total = num(r.total_usd);
    return [
      `Booked: ${str(r.hotel) ?? "the hotel"}, check-in ${str(r.check_in) ?? "?"}` +
        (nights !== undefined ? ` for ${nights} night${nights === 1 ? "" : "s"}` : "") +
        (guests !== undefined ? `, ${guests} guest${guests === 1 ? "" : "s"}` : "") +
        `. Reference ${str(r.hotel_booking_ref) ?? "?"}` +
        (total !== undefined ? `, ${usd(total)} in total, paid at the hotel` : "") +
        ".",
    ];
  },
};
