/** A requested airline Flightly does not sell: named as such, and nothing is searched. */
import { listing } from "../render.js";
import { say } from "./shared.js";
import type { PlanState, Step } from "./types.js";

export function notSold(s: PlanState): Step | undefined {
  const wanted = s.prefs.preferredAirline;
  if (wanted === undefined || s.gazetteer.airline(wanted)) return undefined;
  const sold = s.gazetteer.airlines.map((a) => a.name);
  return say(
    `We don't sell ${wanted} flights; Flightly sells ${listing(sold)}. Tell me if I should search those instead.`,
  );
}
