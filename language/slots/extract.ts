/**
 * Slot extraction: places, dates, party, budget, airlines, emails, booking references, seat, sort
 * and selection, read from one user message.
 *
 * Extractors run in a fixed order over one scan of the text; each blanks the characters it
 * used so a later extractor cannot read them again (the 4 and 8 of "kids aged 4 and 8" are
 * ages, never a date or a party size). Dates are calendar days in UTC relative to `now`.
 */

import { memoReadShared } from "../../core/memo.js";
import { defaultGazetteer, type Gazetteer } from "../gazetteer.js";
import { extractBudget } from "./budget.js";
import { extractCard, extractEmails, extractRefs } from "./contact.js";
import { extractDates } from "./dates.js";
import { extractParty } from "./party.js";
import { extractAirlines, extractPlaces } from "./places.js";
import { extractPreferences } from "./preferences.js";
import { extractRoute } from "./route.js";
import { Scan } from "./scan.js";
import { extractTimes } from "./times.js";
import type { Slots } from "./types.js";

export type { Budget, BudgetPer, DateRange, Place, Selection, Slots, UnknownPlace } from "./types.js";

/**
 * Reads the slots of one message. `now` anchors relative dates ("tomorrow", "next month"): days
 * are UTC calendar days, a month or day without a year is the next one to come.
 */
export function extractSlots(text: string, now: Date, gazetteer: Gazetteer = defaultGazetteer()): Slots {
  return readSlots(text, now, gazetteer).slots;
}

/**
 * The slots, and the words no reader used: the lower-cased message with every span a reader took
 * blanked. The response cache keys a request on its slots only when what is left carries no meaning.
 */
export function readSlots(
  text: string,
  now: Date,
  gazetteer: Gazetteer = defaultGazetteer(),
): { slots: Slots; unread: string } {
  return gazetteer === defaultGazetteer() ? readWithDefault(text, now) : read(text, now, gazetteer);
}

const readWithDefault = memoReadShared((text: string, now: Date) => read(text, now, defaultGazetteer()));

/** Slots with nothing read yet. */
const noSlots = (): Slots => ({
  destinations: [],
  unknownPlaces: [],
  childrenAges: [],
  avoidAirlines: [],
  emails: [],
  bookingRefs: [],
});

function read(text: string, now: Date, gazetteer: Gazetteer): { slots: Slots; unread: string } {
  const out = noSlots();
  const scan = new Scan(text);
  extractEmails(scan, out);
  extractRefs(scan, out);
  extractCard(scan, out);
  extractBudget(scan, out);
  extractTimes(scan, out);
  extractDates(scan, now, out);
  extractParty(scan, out);
  extractAirlines(scan, gazetteer, out);
  extractRoute(scan, gazetteer, out);
  extractPlaces(scan, gazetteer, out);
  extractPreferences(scan, out);
  return { slots: out, unread: scan.lower };
}

/** A duration the date reader takes as a relative day ("within 24 hours", "3 hrs ago", "7 days"). */
const DURATION =
  /\b(?:\d+|an?|one|two|three|few)\s*-?\s*(?:hours?|hrs?|minutes?|mins?|days?|nights?|weeks?|months?|years?)\b/;

/** "May" with a spelled day after it, which the date reader takes for a day: a modal verb ("may two men share"). */
const MODAL_MAY = /\bmay\s+[a-z]/;

/**
 * The text with the calendar days and spans the date reader reads ("next week", "on the 5th",
 * "tomorrow", "in June") blanked, lower-cased; durations ("within 24 hours", "7 days") and "may"
 * before a spelled number stay.
 */
export function withoutCalendarDays(text: string, now: Date): string {
  const scan = new Scan(text);
  extractDates(scan, now, noSlots());
  const original = scan.original.toLowerCase();
  const read = scan.lower;
  if (read === original || read.length !== original.length) return original;
  return read.replace(/\s+/g, (blank, at: number) => {
    const span = original.slice(at, at + blank.length);
    return span.trim() === "" || DURATION.test(span) || MODAL_MAY.test(span) ? span : blank;
  });
}
