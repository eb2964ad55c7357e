/** Routes with an end Flightly does not serve: named as such, with the served airports nearest to it. */
import type { UnknownPlace } from "../../../../language/index.js";
import { listing } from "../render.js";
import { destinations, origin, say, where } from "./shared.js";
import type { PlanState, Step } from "./types.js";

/** A place we do not fly to or from, named, with the served airports nearest to it. */
export function notServed(u: UnknownPlace): string {
  if (u.nearest.length === 0) return `I don't know an airport for ${u.name}.`;
  const near = u.nearest.map((n) => `${n.city} (${n.iata}, about ${n.km} km away)`);
  return `We don't fly ${u.role === "origin" ? "from" : "to"} ${u.name} yet; the nearest airports we serve are ${listing(near)}.`;
}

/** The answer to a route with an end Flightly does not serve: no search, the alternatives named. */
export function unservedRoute(s: PlanState, unknown: readonly UnknownPlace[]): Step {
  const lines = unknown.map(notServed);
  const from = unknown.some((u) => u.role === "origin") ? undefined : origin(s);
  const to = unknown.some((u) => u.role === "destination") ? undefined : destinations(s)[0]?.iata;
  const other = to ? ` to ${where(s, to)}` : from ? ` from ${where(s, from)}` : "";
  lines.push(`I haven't searched. Shall I look for flights${other} using one of these airports instead?`);
  return say(lines.join(" "));
}
