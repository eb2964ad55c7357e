/**
 * Airlines to avoid or prefer, and places with their role (origin, destination, via), read with
 * the gazetteer.
 */
import { readCarriers } from "../carriers.js";
import type { Gazetteer, PlaceMention } from "../gazetteer.js";
import { findUnservedCities, type UnservedCity, type UnservedMention } from "../unserved.js";
import type { Scan } from "./scan.js";
import type { Place, Slots, UnknownPlace } from "./types.js";

const PREFER_BEFORE =
  /\b(?:don't mind|dont mind|do not mind|fine with|ok with|okay with|happy with|prefer(?:ably)?|only|love)\b(?:\s+(?:fly(?:ing)?|on|with|the|any))*\s*$/;
const AVOID_BEFORE =
  /\b(?:not|no|avoid(?:ing)?|except|excluding|exclude|without|other than|never|anything but|nothing on|rather not|instead of|skip|hate|don't|dont|do not|won't|wont)\b(?:\s+(?:fly(?:ing)?|on|with|book(?:ing)?|take|taking|use|using|want|like|the|any|again|an?))*\s*$/;
const SAME_POLARITY_GAP = /^\s*(?:,|or|and|nor|\/|&)?\s*(?:or|nor|and)?\s*$/;

export function extractAirlines(scan: Scan, gazetteer: Gazetteer, out: Slots): void {
  let previous: { end: number; avoid: boolean } | undefined;
  for (const m of readCarriers(scan.text, gazetteer, scan.original)) {
    const name = m.name;
    const gap = previous ? scan.sliceLower(previous.end, m.start) : undefined;
    const clause = clauseBefore(scan, m.start);
    let avoid: boolean;
    if (previous && gap !== undefined && SAME_POLARITY_GAP.test(gap)) avoid = previous.avoid;
    else if (PREFER_BEFORE.test(clause)) avoid = false;
    else avoid = AVOID_BEFORE.test(clause);
    if (avoid) {
      if (!out.avoidAirlines.includes(name)) out.avoidAirlines.push(name);
    } else {
      out.preferredAirline ??= name;
    }
    previous = { end: m.end, avoid };
    scan.take(m.start, m.end);
  }
}

/** How far back the clause before a mention is read: its cue words come right before the name. */
const CLAUSE_LOOKBACK = 200;

/** The clause that ends at `at`, at most `CLAUSE_LOOKBACK` characters and whole words. */
function clauseBefore(scan: Scan, at: number): string {
  const from = Math.max(0, at - CLAUSE_LOOKBACK);
  const head = scan.sliceLower(from, at);
  return (from > 0 ? head.replace(/^\S*/, "") : head).split(/[.;!?]/).pop() ?? "";
}

type Role = "origin" | "destination" | "via";

const ROLE_MARKERS: ReadonlyArray<{ re: RegExp; role: Role }> = [
  {
    re: /\b(?:via|through|by way of|connect(?:ing)? (?:in|at|through)|layovers? (?:in|at)|stop ?overs? (?:in|at)|stop(?:s|ping)? (?:over )?(?:in|at))\s*$/,
    role: "via",
  },
  {
    re: /\b(?:from|out of|leaving|leave|departing|depart|based in|live in|living in|home is|i'm in|i am in|starting in|starting from|flying out of|originat(?:e|es|ing) (?:in|from|at)|begin(?:s|ning)? (?:in|at))\s*$/,
    role: "origin",
  },
  {
    re: /\b(?:to|into|toward|towards|for|visit|visiting|in|at|destination|around|near|see|explore|about|over)\s*$/,
    role: "destination",
  },
];
/** "A to B" with nothing but "to" between: A is where the trip starts. */
const TO_GAP = /^\s*(?:to|into)\s*$/;
const CONNECTOR_GAP = /^\s*(?:,|or|and|\/|&|vs\.?|versus)?\s*(?:or|and)?\s*(?:maybe|perhaps)?\s*$/;
const ARROW_GAP = /^\s*(?:-|->|→|>|=>)\s*$/;

function titleCase(text: string): string {
  return /[A-Z]/.test(text) ? text : text.replace(/\b[a-z]/g, (c) => c.toUpperCase());
}

export function toPlace(m: PlaceMention): Place {
  const first = m.airports[0]!;
  return {
    iata: first.iata,
    airports: m.airports.map((a) => a.iata),
    city: first.city,
    label: m.via === "iata" ? first.city : titleCase(m.text.replace(/\s+/g, " ")),
  };
}

/** An unknown place with its role; `city` is the reference's entry when it knows the name. */
export function unknownPlace(
  name: string,
  role: UnknownPlace["role"],
  city: UnservedCity | undefined,
): UnknownPlace {
  const written = titleCase(name.replace(/\s+/g, " ").trim());
  return city
    ? { name: written, role, country: city.country, nearest: city.nearest }
    : { name: written, role, nearest: [] };
}

type Mention = PlaceMention | UnservedMention;

export function extractPlaces(scan: Scan, gazetteer: Gazetteer, out: Slots): void {
  const groups: Array<{ role: Role | undefined; members: Mention[] }> = [];
  let prev: Mention | undefined;
  const unserved = findUnservedCities(gazetteer, scan.text);
  // A served name that qualifies an unserved city ("Tacoma Washington") is not a place of its own.
  const served = gazetteer
    .findPlaces(scan.text)
    .filter((p) => !unserved.some((u) => u.end < p.start && p.end <= u.qualifiedEnd));
  const mentions: Mention[] = [...served, ...unserved];
  for (const m of mentions.sort((a, b) => a.start - b.start)) {
    const gap = prev ? scan.sliceLower(prev.end, m.start) : "";
    const last = groups[groups.length - 1];
    if (prev && last && ARROW_GAP.test(gap)) {
      last.role ??= "origin";
      groups.push({ role: "destination", members: [m] });
    } else if (prev && last && CONNECTOR_GAP.test(gap) && gap.length < 16) {
      last.members.push(m);
    } else {
      const before = scan.sliceLower(Math.max(0, m.start - 40), m.start);
      const role = ROLE_MARKERS.find((r) => r.re.test(before))?.role;
      const originNamed = groups.some((g) => g.role === "origin");
      if (prev && last && role === "destination" && TO_GAP.test(gap) && last.role !== "via" && !originNamed)
        last.role = "origin";
      groups.push({ role, members: [m] });
    }
    prev = m;
  }
  const hasRole = (role: Role): boolean => groups.some((g) => g.role === role);
  for (const [i, g] of groups.entries()) {
    if (g.role !== undefined) continue;
    const destinationLater = groups.slice(i + 1).some((later) => later.role === "destination");
    if (destinationLater && !hasRole("origin")) g.role = "origin";
    else if (!hasRole("destination")) g.role = "destination";
    else if (!hasRole("origin")) g.role = "origin";
  }
  const origin = groups.find((g) => g.role === "origin")?.members[0];
  const known = (u: UnservedMention): boolean =>
    out.unknownPlaces.some((p) => p.name.toLowerCase() === u.text.replace(/\s+/g, " ").toLowerCase());
  if (origin && "city" in origin) {
    if (!out.origin && !known(origin))
      out.unknownPlaces.push(unknownPlace(origin.text, "origin", origin.city));
  } else if (origin && !out.origin) out.origin = toPlace(origin);
  for (const g of groups) {
    if (g.role !== "destination") continue;
    // "Boston or Akron": the unserved one is an alternative, the served ones are still searched.
    const alternative =
      g.members.some((x) => !("city" in x)) &&
      /\bor\b/.test(scan.sliceLower(g.members[0]!.start, g.members[g.members.length - 1]!.end));
    for (const m of g.members) {
      if ("city" in m) {
        if (known(m)) continue;
        const place = unknownPlace(m.text, "destination", m.city);
        out.unknownPlaces.push(alternative ? { ...place, alternative } : place);
        continue;
      }
      const place = toPlace(m);
      if (place.iata === out.origin?.iata || out.destinations.some((d) => d.iata === place.iata)) continue;
      out.destinations.push(place);
    }
  }
}
