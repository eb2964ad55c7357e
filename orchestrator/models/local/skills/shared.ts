/** Helpers every skill uses: this turn's calls and results, and places and dates with fallbacks. */

import type { Slots } from "../../../../language/index.js";
import type { ToolCall } from "../context.js";
import { isRecord, placeName, str } from "../render.js";
import type { PlannedCall, PlanState, Step } from "./types.js";

// ---------------------------------------------------------------------------------------------
// reading this turn's calls

/** `weather__get_forecast` → `get_forecast`. */
export const canonical = (name: string): string => {
  const i = name.lastIndexOf("__");
  return i >= 0 ? name.slice(i + 2) : name;
};

const callsOf = (s: PlanState, tool: string): ToolCall[] => s.calls.filter((c) => canonical(c.name) === tool);
export const lastCall = (s: PlanState, tool: string): ToolCall | undefined => callsOf(s, tool).at(-1);
export const answered = (s: PlanState, tool: string): ToolCall[] =>
  callsOf(s, tool).filter((c) => c.status !== undefined);
export const resultOf = (c: ToolCall | undefined): Record<string, unknown> =>
  c?.status === "success" && isRecord(c.result) ? c.result : {};

/** An earlier workflow step already ran this side-effecting tool (`<tool>_done` in its outputs). */
export const doneInWorkflow = (s: PlanState, tool: string): boolean =>
  Object.values(s.ctx.workflow.outputs).some((o) => o[`${tool}_done`] === true);

export const call = (...calls: PlannedCall[]): Step => ({ kind: "call", calls });
export const say = (text: string): Step => ({ kind: "say", text });
export const DONE: Step = { kind: "done" };
export const WAIT: Step = { kind: "wait" };

// ---------------------------------------------------------------------------------------------
// places and dates with fallbacks (message → resolved reference → session → earlier messages)

export interface Target {
  iata: string;
  label: string;
}

export function destinations(s: PlanState): Target[] {
  if (s.slots.destinations.length > 0)
    return s.slots.destinations.map((d) => ({ iata: d.iata, label: d.label }));
  const last = s.ctx.referredPlace ?? s.ctx.session.lastDestination;
  if (last) return [{ iata: last, label: s.gazetteer.airport(last)?.city ?? last }];
  const earlier = s.earlier.find((e) => e.destinations.length > 0);
  return earlier ? earlier.destinations.map((d) => ({ iata: d.iata, label: d.label })) : [];
}

export function origin(s: PlanState): string | undefined {
  return s.slots.origin?.iata ?? s.ctx.session.lastOrigin ?? s.earlier.find((e) => e.origin)?.origin?.iata;
}

/** Date slots of the message, else of the latest earlier message that had any. */
export function when(s: PlanState): Pick<Slots, "date" | "dateRange" | "nights" | "returnDate"> {
  const has = (x: Slots): boolean => x.date !== undefined || x.dateRange !== undefined;
  const src = has(s.slots) ? s.slots : (s.earlier.find(has) ?? s.slots);
  const nights = s.slots.nights ?? src.nights;
  return {
    ...(src.date ? { date: src.date } : {}),
    ...(src.dateRange ? { dateRange: src.dateRange } : {}),
    ...(src.returnDate ? { returnDate: src.returnDate } : {}),
    ...(nights !== undefined ? { nights } : {}),
  };
}

export function whenWords(input: Record<string, unknown>): string {
  const date = str(input.date) ?? str(input.check_in);
  if (date) return ` on ${date}`;
  const from = str(input.date_from);
  const to = str(input.date_to);
  return from && to ? ` between ${from} and ${to}` : "";
}

/** The customer's own name for an airport in this conversation ("Maui" for OGG), if any. */
function labelOf(s: PlanState, iata: string): string | undefined {
  for (const slots of [s.slots, ...s.earlier]) {
    const place = [...slots.destinations, ...(slots.origin ? [slots.origin] : [])].find(
      (p) => p.iata === iata,
    );
    if (place) return place.label;
  }
  return undefined;
}

export const where = (s: PlanState, iata: string): string => placeName(iata, s.gazetteer, labelOf(s, iata));

export const routeInMessage = (s: PlanState): boolean =>
  s.slots.origin !== undefined || s.slots.destinations.length > 0;
