/** Hotel search. */
import { arrayField, isRecord, num, numbered, str, usd } from "../render.js";
import { answered, call, destinations, resultOf, say, when, whenWords, where } from "./shared.js";
import type { Skill } from "./types.js";

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
