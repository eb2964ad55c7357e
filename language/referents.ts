/**
 * What a reference to a place ("there", "that city", hotels with no place named) points at, in a
 * fixed order: the session (its state and its earlier messages); then the customer's long-term
 * memory: their latest live booking (a trip booked beats anything said), else the newest fact or
 * session summary that names a place. Nothing found is no referent, and the caller asks. Pure:
 * the caller reads the session and the memory; only the order lives here.
 */
import { defaultGazetteer } from "./gazetteer.js";
import { extractSlots } from "./slots/extract.js";

/** What a request may be resolved against: the session's state and its earlier user messages. */
export interface SessionFacts {
  lastDestination?: string | undefined;
  lastOrigin?: string | undefined;
  /** The session's latest results (flights, hotels) as stored, any format; compared by digest. */
  results?: readonly string[];
  /** Earlier customer messages, newest first. */
  earlier?: readonly string[];
}

/**
 * One thing the customer's long-term memory holds that may name a place: a live booking (not
 * cancelled, its flight not long over) or a fact or session summary.
 */
export interface MemoryRecord {
  kind: "booking" | "fact" | "summary";
  /** The booking's reference, or the memory's id. */
  ref: string;
  /** When it was made or last updated (ISO 8601). */
  at: string;
  /** A booking's destination airport. */
  iata?: string | undefined;
  /** A memory's text, read for the place it names. */
  content?: string | undefined;
}

/** A signed-in customer's long-term memory as far as references need it; a guest has none. */
export interface MemoryFacts {
  records: readonly MemoryRecord[];
}

export type ReferentSource = "session" | "memory";

/** Where a place came from, as the trail reports it. */
export interface PlaceReferent {
  kind: "place";
  iata: string;
  city: string;
  source: ReferentSource;
  /** The session's state or an earlier message; a booking, fact or summary in memory. */
  via: "state" | "message" | MemoryRecord["kind"];
  /** The booking's reference or the memory's id (memory only). */
  ref?: string;
  /** When that record was written (memory only). */
  at?: string;
}

export type PlaceLookup =
  | { found: true; place: PlaceReferent }
  | { found: false; reason: "nothing" | "ambiguous" };

const cityOf = (iata: string): string => defaultGazetteer().airport(iata)?.city ?? iata;

/** The place the session points at, when its state and its latest named place agree. */
export function sessionPlace(session: SessionFacts | undefined, now: Date): PlaceLookup {
  const earlier = (session?.earlier ?? [])
    .map((t) => extractSlots(t, now).destinations[0]?.iata)
    .find((x) => x !== undefined);
  const state = session?.lastDestination;
  if (state && earlier && earlier !== state) return { found: false, reason: "ambiguous" };
  const iata = state ?? earlier;
  if (!iata) return { found: false, reason: "nothing" };
  return {
    found: true,
    place: { kind: "place", iata, city: cityOf(iata), source: "session", via: state ? "state" : "message" },
  };
}

/** The newest booking, else the newest fact or summary that names a place. */
function memoryPlace(memory: MemoryFacts | undefined, now: Date): PlaceLookup {
  const rank = (r: MemoryRecord): number => (r.kind === "booking" ? 0 : 1);
  const newestFirst = [...(memory?.records ?? [])].sort(
    (a, b) => rank(a) - rank(b) || Date.parse(b.at) - Date.parse(a.at) || (a.ref < b.ref ? -1 : 1),
  );
  for (const r of newestFirst) {
    const iata = r.iata ?? (r.content ? extractSlots(r.content, now).destinations[0]?.iata : undefined);
    if (!iata) continue;
    return {
      found: true,
      place: { kind: "place", iata, city: cityOf(iata), source: "memory", via: r.kind, ref: r.ref, at: r.at },
    };
  }
  return { found: false, reason: "nothing" };
}

/** The session first; memory only when the session names no place at all (not when it disagrees). */
export function resolvePlace(
  session: SessionFacts | undefined,
  memory: MemoryFacts | undefined,
  now: Date,
): PlaceLookup {
  const fromSession = sessionPlace(session, now);
  if (fromSession.found || fromSession.reason === "ambiguous") return fromSession;
  return memoryPlace(memory, now);
}
