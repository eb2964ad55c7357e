/**
 * Travel facts answered from Flightly's own data: airports (by code or city), airlines (Flightly's
 * carriers and any real carrier by code or name), time zones (the airports table) and ground
 * transport (the destination guides). A place Flightly does not serve is said so, with the nearest
 * airports it does serve; nothing is guessed.
 */
import type { UnknownPlace } from "../../../../language/index.js";
import { askedAirlines, askedCodes } from "../codes.js";
import { arrayField, listing, num, str } from "../render.js";
import { answered, call, say, where } from "./shared.js";
import type { PlanState, Skill, Step } from "./types.js";

const MAX_PLACES = 3;

/** Airports the message names: codes asked about, then every airport of each place named. */
function namedAirports(s: PlanState, all: boolean): string[] {
  const codes = askedCodes(s.text, s.gazetteer).flatMap((c) => (c.kind === "airport" ? [c.code] : []));
  const places = [...(s.slots.origin ? [s.slots.origin] : []), ...s.slots.destinations];
  const fromPlaces = places.flatMap((p) => (all ? p.airports : [p.iata]));
  return [...new Set([...codes, ...fromPlaces])].slice(0, MAX_PLACES + 1);
}

/** "I don't have … for X: Flightly doesn't serve it; the nearest airports we serve are …". */
function unserved(what: string, places: readonly UnknownPlace[]): string {
  return places
    .map((u) => {
      const near = u.nearest.map((n) => `${n.city} (${n.iata}, about ${n.km} km away)`);
      return (
        `I don't have ${what} for ${u.name}: Flightly doesn't serve it.` +
        (near.length > 0 ? ` The nearest airports we serve are ${listing(near)}.` : "")
      );
    })
    .join(" ");
}

/** Nothing to look up: the places are unserved, or none was named. */
function noPlace(s: PlanState, what: string, question: string): Step {
  if (s.slots.unknownPlaces.length > 0) return say(unserved(what, s.slots.unknownPlaces));
  return say(question);
}

// ---------------------------------------------------------------------------------------------
// airports

export const airportInfoSkill: Skill = {
  intent: "airport_info",
  owner: "support",
  needs: ["get_airport_info"],
  purpose: "look up an airport",
  next(s) {
    const airports = namedAirports(s, true);
    if (airports.length === 0) {
      const unknown = askedCodes(s.text, s.gazetteer).find((c) => c.kind === "unknown");
      if (unknown)
        return say(`I don't know an airport with the code ${unknown.code}: it is not one Flightly serves.`);
      return noPlace(
        s,
        "airport details",
        "I don't have airport details for that: I can describe the airports Flightly flies to, so name a city or code of ours.",
      );
    }
    return call(...airports.map((code) => ({ tool: "get_airport_info", input: { code } })));
  },
  answer(s) {
    return answered(s, "get_airport_info").map((c) => {
      const code = str(c.input.code) ?? "?";
      if (c.status === "error") return `I don't have details for the airport ${code}: ${c.error}.`;
      const r = (c.result ?? {}) as Record<string, unknown>;
      return `${code} is ${str(r.name) ?? code}, in ${str(r.city) ?? "?"}, ${str(r.country) ?? "?"} (local time zone ${str(r.timezone) ?? "unknown"}).`;
    });
  },
};

// ---------------------------------------------------------------------------------------------
// airlines

export const airlineInfoSkill: Skill = {
  intent: "airline_info",
  owner: "support",
  needs: ["get_airline_info"],
  purpose: "look up an airline",
  next(s) {
    const airlines = askedAirlines(s.text, s.gazetteer).slice(0, MAX_PLACES);
    if (airlines.length === 0) return say("Which airline would you like to know about?");
    return call(...airlines.map((airline) => ({ tool: "get_airline_info", input: { airline } })));
  },
  answer(s) {
    const sold = listing(s.gazetteer.airlines.map((a) => a.name));
    return answered(s, "get_airline_info").map((c) => {
      const asked = str(c.input.airline) ?? "?";
      if (c.status === "error") return `I don't know an airline called ${asked}.`;
      const r = (c.result ?? {}) as Record<string, unknown>;
      const name = str(r.name) ?? asked;
      const code = str(r.code) ?? asked;
      if (r.sold === true) {
        const routes = num(r.routes);
        return `${code} is ${name}, one of Flightly's airlines${routes !== undefined ? `; it flies ${routes} routes in our network` : ""}.`;
      }
      return `${code} is ${name}. We don't sell ${name} flights; Flightly sells ${sold}.`;
    });
  },
};

// ---------------------------------------------------------------------------------------------
// time zones

/** "UTC+09:00" for a zone at an instant; undefined for a zone the runtime does not know. */
function utcOffset(tz: string, at: Date): string | undefined {
  try {
    const name = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "longOffset" })
      .formatToParts(at)
      .find((p) => p.type === "timeZoneName")?.value;
    return name === "GMT" ? "UTC+00:00" : name?.replace("GMT", "UTC");
  } catch {
    return undefined;
  }
}

function clockAt(tz: string, at: Date): string | undefined {
  try {
    return new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(at);
  } catch {
    return undefined;
  }
}

const offsetMinutes = (offset: string): number => {
  const m = /UTC([+-])(\d{2}):(\d{2})/.exec(offset);
  return m ? (m[1] === "-" ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
};

export const timeZoneSkill: Skill = {
  intent: "time_zone",
  owner: "support",
  needs: ["get_airport_info"],
  purpose: "tell the local time zone",
  next(s) {
    const airports = namedAirports(s, false).slice(0, 2);
    if (airports.length === 0)
      return noPlace(
        s,
        "time zone details",
        "I don't have a time zone for that: I can give the local time zone of the cities Flightly flies to, so name one of those.",
      );
    return call(...airports.map((code) => ({ tool: "get_airport_info", input: { code } })));
  },
  answer(s) {
    const zones: Array<{ place: string; offset: string }> = [];
    const lines = answered(s, "get_airport_info").map((c) => {
      const code = str(c.input.code) ?? "?";
      if (c.status === "error") return `I don't have time zone details for ${code}: ${c.error}.`;
      const tz = str(((c.result ?? {}) as Record<string, unknown>).timezone);
      const offset = tz ? utcOffset(tz, s.ctx.now) : undefined;
      const place = where(s, code);
      if (!tz || !offset) return `I don't have time zone details for ${place}.`;
      zones.push({ place, offset });
      return `${place} is on ${tz} time (${offset} today); it is ${clockAt(tz, s.ctx.now) ?? "?"} there now.`;
    });
    if (zones.length === 2) {
      const diff = (offsetMinutes(zones[1]!.offset) - offsetMinutes(zones[0]!.offset)) / 60;
      lines.push(
        diff === 0
          ? `${zones[0]!.place} and ${zones[1]!.place} are on the same time.`
          : `${zones[1]!.place} is ${Math.abs(diff)} hour${Math.abs(diff) === 1 ? "" : "s"} ${diff > 0 ? "ahead of" : "behind"} ${zones[0]!.place}.`,
      );
    }
    return lines;
  },
};

// ---------------------------------------------------------------------------------------------
// ground transport

export const groundTransportSkill: Skill = {
  intent: "ground_transport",
  owner: "support",
  needs: ["get_ground_transport"],
  purpose: "tell how to get between the airport and town",
  next(s) {
    const airports = namedAirports(s, false).slice(0, 2);
    if (airports.length === 0)
      return noPlace(
        s,
        "ground transport details",
        "I don't have ground transport details for that place: I can describe getting into town at the cities Flightly flies to, so name one of those.",
      );
    return call(...airports.map((airport) => ({ tool: "get_ground_transport", input: { airport } })));
  },
  answer(s) {
    return answered(s, "get_ground_transport").map((c) => {
      const place = where(s, str(c.input.airport) ?? "?");
      if (c.status === "error") return `I couldn't look up ground transport for ${place}: ${c.error}.`;
      const sentences = arrayField(c.result, "sentences").map(String);
      if (sentences.length === 0)
        return `I don't have ground transport details for ${place} in our destination guides.`;
      return `Getting around ${place}, from our destination guides:\n${sentences.map((t) => `- ${t}`).join("\n")}`;
    });
  },
};
