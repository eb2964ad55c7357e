/**
 * Requests as the response cache keys them: what a message refers to outside itself, and the
 * message resolved against the session and the clock. A place reference ("there", "that city", or
 * hotels / weather / things to do / a flight search naming no place), a selection from earlier
 * results ("the cheapest one", "the second", "book it"), and a flight search's defaulted origin
 * and dates need the session; relative dates ("next week") need only the clock. Reading is pure
 * and needs no I/O, so a self-contained request is keyed before any context is read.
 */
import { createHash } from "node:crypto";
import { memoRead, memoReadShared } from "../core/memo.js";
import { type Entities, extractEntities } from "./entities.js";
import { foldText } from "./fold.js";
import {
  type MemoryFacts,
  type PlaceReferent,
  resolvePlace,
  type SessionFacts,
  sessionPlace,
} from "./referents.js";
import { extractSlots } from "./slots/extract.js";
import type { Slots } from "./slots/types.js";

export type ReferenceKind = "place" | "selection" | "origin" | "dates" | "relative-date";

export interface Reference {
  kind: ReferenceKind;
  /** The words that refer, or "" for a slot the request leaves to the session. */
  text: string;
  /** Where the words are in the folded message (-1 for an implicit reference). */
  at: number;
}

export interface RequestReading {
  text: string;
  slots: Slots;
  references: Reference[];
  /** True when the request cannot be keyed without the session. */
  needsSession: boolean;
}

export type ResolvedRequest =
  | {
      resolved: true;
      text: string;
      entities: Entities;
      references: Reference[];
      /** Where each resolved reference pointed, and whether the session or memory said so. */
      referents: PlaceReferent[];
    }
  | { resolved: false; reason: string; references: Reference[] };

/** "there" that points at a place; existential "is there", "there are" do not. */
const THERE = /\b(?:over\s+)?there\b/g;
const EXISTENTIAL_AFTER =
  /^\s*(?:is|are|was|were|'s|'re|will|would|could|should|might|must|may|be|been|any|a|an|no|some|anything|many|much|enough)\b/;
const EXISTENTIAL_BEFORE = /\b(?:is|are|was|were|be|been|isn't|aren't|wasn't|weren't)\s+$/;
const MOTION_BEFORE =
  /\b(?:go|going|get|getting|fly|flying|flights?|travel\w*|head\w*|trip|drive|back|move|moving)\s+$/;
const PLACE_NOUN =
  /\b(?:(?:that|this|the\s+same)\s+(?:city|place|destination|town|island|country|area|airport|spot|region)|same\s+(?:city|place|destination))\b/g;
const HERE = /\bhere\b(?!\s+(?:is|are|'s)\b)/g;
/** Objects picked from earlier results. */
const OBJECT =
  /\b(?:(?:book|reserve|hold|cancel|buy|take|choose|pick|want|confirm|select|grab|get)\s+(?:it|them|that|this|those|these)\b|(?:that|this|the\s+same)\s+(?:one|flight|hotel|option|fare|room|deal)s?\b|(?:those|these)\s+(?:ones|flights|hotels|options|results)\b|(?:does|did|will|is|was)\s+it\s+(?:leave|depart|arrive|land|stop|take\s+off|have|include|direct|nonstop|non-stop|available|full|refundable)\b|(?:which|any|one|none|each|all)\s+of\s+(?:them|those|these)\b)/g;
/** Topics that need a place, and flight searches (which also need an origin and dates). */
const PLACE_TOPIC =
  /\b(?:weather|forecast|temperatures?|rain(?:y|ing)?|sunny|hotels?|accommodations?|lodging|places?\s+to\s+stay|where\s+to\s+stay|things\s+to\s+do|what\s+to\s+do|attractions|sights|sightseeing|activities|restaurants|places\s+to\s+eat)\b/;
const FLIGHT_SEARCH =
  /\b(?:(?:show|find|search|list|any|see|get|cheap\w*|direct|nonstop|non-stop|available|other|later|earlier)\s+(?:\w+\s+){0,2}(?:flights|fares|airfares)|flights\s+(?:to|from|on|in|for|next|this|tomorrow|today))\b/;
/** Topics whose answer is for a time: an undated one takes the conversation's dates. */
const WHEN_TOPIC =
  /\b(?:weather|forecast|temperatures?|rain(?:y|ing)?|sunny|hotels?|accommodations?|lodging|places?\s+to\s+stay|where\s+to\s+stay)\b/;
/** A place named in words the gazetteer may not know ("in Japan", "near the Colosseum"). */
const PLACE_PHRASE =
  /\b(?:in|near|at|around|to|from|between)\s+(?:the\s+)?(?!there\b|here\b|it\b|them\b)[a-z]{3,}/;
const ORIGIN_PHRASE = /\b(?:from|between|out\s+of|leaving|departing)\s+[a-z]{3,}/;
/** Questions about rules, not about a place ("the cancellation policy for hotels"). */
const RULES =
  /\b(?:polic(?:y|ies)|cancel\w*|refund\w*|fees?|charges?|allowed|rules?|tip|tipping|loyalty|points|miles)\b/;
/** "on the 5th" is a day, not a pick from a list. */
const DAY_OF_MONTH = /\bon\s+the\s+\d{1,2}(?:st|nd|rd|th)\b/;
const RELATIVE_DATE =
  /\b(?:today|tonight|tomorrow|yesterday|weekend|(?:this|next|coming|last)\s+\w+|in\s+\w+\s+(?:days?|weeks?|months?)|\w+\s+(?:days?|weeks?|months?)\s+from\s+now|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b/;

function readReferences(lower: string, slots: Slots): Reference[] {
  const refs: Reference[] = [];
  for (const m of lower.matchAll(THERE)) {
    const at = m.index ?? 0;
    const after = lower.slice(at + m[0].length, at + m[0].length + 12);
    const before = lower.slice(Math.max(0, at - 12), at);
    if (EXISTENTIAL_AFTER.test(after) || EXISTENTIAL_BEFORE.test(before)) continue;
    refs.push({ kind: "place", text: m[0], at });
  }
  for (const m of lower.matchAll(PLACE_NOUN)) refs.push({ kind: "place", text: m[0], at: m.index ?? 0 });
  for (const m of lower.matchAll(HERE)) refs.push({ kind: "place", text: m[0], at: m.index ?? 0 });
  const named = slots.destinations.length > 0 || slots.origin !== undefined || PLACE_PHRASE.test(lower);
  const search = FLIGHT_SEARCH.test(lower);
  const implicit = (PLACE_TOPIC.test(lower) && !RULES.test(lower)) || search;
  if (!named && !refs.some((r) => r.kind === "place") && implicit) {
    refs.push({ kind: "place", text: "", at: -1 });
  }
  for (const m of lower.matchAll(OBJECT)) refs.push({ kind: "selection", text: m[0], at: m.index ?? 0 });
  if (slots.selection && !named && !DAY_OF_MONTH.test(lower) && !refs.some((r) => r.kind === "selection")) {
    refs.push({ kind: "selection", text: "", at: -1 });
  }
  const undated = !slots.date && !slots.dateRange;
  if (search || (named && /\b(?:flights?|fly|flying)\b/.test(lower))) {
    if (!slots.origin && !ORIGIN_PHRASE.test(lower)) refs.push({ kind: "origin", text: "", at: -1 });
    if (undated) refs.push({ kind: "dates", text: "", at: -1 });
  } else if (undated && WHEN_TOPIC.test(lower) && !RULES.test(lower)) {
    // An undated hotel or weather request takes the dates the conversation was about ("weather in
    // Tokyo" after a June trip is June's): they are part of what it asks.
    refs.push({ kind: "dates", text: "", at: -1 });
  }
  const relative = RELATIVE_DATE.exec(lower);
  if (relative && (slots.date || slots.dateRange))
    refs.push({ kind: "relative-date", text: relative[0], at: relative.index });
  return refs;
}

/** What the message refers to outside itself; decided from the text alone (read once per text and minute). */
export const readRequest: (text: string, now: Date) => RequestReading = memoReadShared((text, now) => {
  const slots = extractSlots(text, now);
  const references = readReferences(foldText(text).toLowerCase(), slots);
  return { text, slots, references, needsSession: references.some((r) => r.kind !== "relative-date") };
});

/** A request that refers to nothing outside itself, resolved against the clock alone (once per text and minute). */
const resolvedAlone = memoRead((text, now) => resolveWith(readRequest(text, now), now));

const digest = (parts: readonly string[]): string =>
  createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 16);

function sessionOrigin(session: SessionFacts, now: Date): string {
  const earlier = (session.earlier ?? []).map((t) => extractSlots(t, now).origin?.iata).find(Boolean);
  return session.lastOrigin ?? earlier ?? "none";
}

function sessionDates(session: SessionFacts, now: Date): string {
  for (const t of session.earlier ?? []) {
    const s = extractSlots(t, now);
    if (s.date || s.dateRange) return `${s.date ?? ""}/${s.dateRange?.from ?? ""}..${s.dateRange?.to ?? ""}`;
  }
  return `none@${now.toISOString().slice(0, 10)}`;
}

/**
 * The request with every reference replaced by what it points at: "weather there" with the
 * session at HNL reads as "weather in Honolulu"; selections and defaulted slots go into the
 * entities' `context`. A place comes from the session, else from the signed-in customer's
 * memory (see `referents.ts`); the result says which. Unresolvable (no session, one that
 * disagrees with itself, nothing in memory) when a reference has nothing to point at.
 */
export function resolveRequest(
  reading: RequestReading,
  now: Date,
  session?: SessionFacts,
  memory?: MemoryFacts,
): ResolvedRequest {
  if (!reading.needsSession && session === undefined && memory === undefined) {
    // Nothing to point at: the result is the text's and the clock's, and the reading's references.
    return { ...resolvedAlone(reading.text, now), references: reading.references };
  }
  return resolveWith(reading, now, session, memory);
}

function resolveWith(
  reading: RequestReading,
  now: Date,
  session?: SessionFacts,
  memory?: MemoryFacts,
): ResolvedRequest {
  const { references } = reading;
  const fail = (reason: string): ResolvedRequest => ({ resolved: false, reason, references });
  if (reading.needsSession && !session) return fail("needs the session");
  let text = foldText(reading.text);
  const context: string[] = [];
  const referents: PlaceReferent[] = [];
  const places = references.filter((r) => r.kind === "place");
  if (places.length > 0) {
    // Memory answers only words that refer ("there", "that city"); a request that merely names
    // no place (a hotel search, a flight search) is not sent to a remembered trip.
    const explicit = places.some((r) => r.at >= 0);
    const found = resolvePlace(session, explicit ? memory : undefined, now);
    if (!found.found || places.some((r) => r.text === "here")) return fail("no place to refer to");
    const { city } = found.place;
    referents.push(found.place);
    // Replace from the end so earlier offsets stay valid.
    for (const r of [...places].sort((a, b) => b.at - a.at)) {
      if (r.at < 0) {
        const role = FLIGHT_SEARCH.test(text.toLowerCase()) ? "to" : "in";
        text = `${text.replace(/[\s?.!]+$/, "")} ${role} ${city}`;
        continue;
      }
      const before = text.slice(Math.max(0, r.at - 12), r.at).toLowerCase();
      const noun = /^(?:that|this|the|same)\s/.test(r.text);
      const word = noun ? city : `${MOTION_BEFORE.test(before) ? "to" : "in"} ${city}`;
      text = text.slice(0, r.at) + word + text.slice(r.at + r.text.length);
    }
  }
  if (references.some((r) => r.kind === "selection")) {
    const results = (session?.results ?? []).filter((r) => r && r !== "[]");
    if (results.length === 0) return fail("no earlier results to pick from");
    context.push(`results:${digest(results)}`);
  }
  if (references.some((r) => r.kind === "origin")) context.push(`origin:${sessionOrigin(session!, now)}`);
  if (references.some((r) => r.kind === "dates")) context.push(`dates:${sessionDates(session!, now)}`);
  const entities = extractEntities(text, now);
  entities.context = context.sort();
  return { resolved: true, text, entities, references, referents };
}

/**
 * True when the request's words refer to a place the session does not name, so only long-term
 * memory could resolve it: the one case worth a database query.
 */
export function needsMemory(reading: RequestReading, session: SessionFacts | undefined, now: Date): boolean {
  const places = reading.references.filter((r) => r.kind === "place");
  if (!places.some((r) => r.at >= 0) || places.some((r) => r.text === "here")) return false;
  const s = sessionPlace(session, now);
  return !s.found && s.reason === "nothing";
}
