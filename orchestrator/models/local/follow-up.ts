/**
 * Elliptical follow-ups: "and in May?", "what about Rome", "the 17th instead?" right after a
 * request ask that request again with what they change — the day or month, or the place — and keep
 * everything else of it (route, party, what was asked). A chain of them ("and in May?" then "what
 * about Rome") goes back to the request they follow. A day of the month said alone is in the month
 * the request was about. A follow-up that names no day and no place, or that asks something of its
 * own, is read as it stands.
 */
import { continuesConversation, type Slots } from "../../../language/index.js";
import type { IntentResult } from "./intents.js";
import { readIntents } from "./rules-reading.js";

export interface Reading {
  slots: Slots;
  intents: IntentResult;
}

const MONTH_NAME = /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b|\b\d{1,2}[/-]\d{1,2}\b/i;
/** How many earlier messages a chain of follow-ups may reach back. */
const CHAIN = 3;

const asksOnItsOwn = (r: Reading): boolean => !r.intents.intents.every((i) => i === "other");
const changes = (s: Slots): boolean =>
  s.date !== undefined || s.dateRange !== undefined || s.destinations.length > 0;

/** `base` with what the follow-up `text` (read as `s`) changes. */
function changed(base: Slots, text: string, s: Slots): Slots {
  const slots: Slots = { ...base };
  if (s.date !== undefined || s.dateRange !== undefined) {
    delete slots.date;
    delete slots.dateRange;
    delete slots.returnDate;
    const month = (base.date ?? base.dateRange?.from)?.slice(0, 7);
    // "the 17th" after a request about March 15 is March 17.
    const date = s.date && month && !MONTH_NAME.test(text) ? `${month}-${s.date.slice(8, 10)}` : s.date;
    if (date !== undefined) slots.date = date;
    if (s.dateRange !== undefined) slots.dateRange = s.dateRange;
    if (s.returnDate !== undefined) slots.returnDate = s.returnDate;
  }
  if (s.destinations.length > 0) slots.destinations = s.destinations;
  return slots;
}

/**
 * What the follow-up `text` asks, read through the requests before it (`earlier`, newest first);
 * undefined when it asks on its own.
 */
export function throughPrevious(
  text: string,
  now: Reading,
  earlier: ReadonlyArray<{ text: string; slots: Slots }>,
): Reading | undefined {
  if (!continuesConversation(text) || asksOnItsOwn(now) || !changes(now.slots)) return undefined;
  const chain = [{ text, slots: now.slots }];
  for (const e of earlier.slice(0, CHAIN)) {
    const intents = readIntents(e.text, e.slots);
    if (asksOnItsOwn({ slots: e.slots, intents })) {
      // Oldest first: each follow-up changes what the one before it asked.
      const slots = chain.reduceRight((base, f) => changed(base, f.text, f.slots), e.slots);
      return { slots, intents };
    }
    if (!continuesConversation(e.text)) return undefined;
    chain.push(e);
  }
  return undefined;
}
