/**
 * Gold values of an evaluation data set, normalised by the evaluation's own tables (never by the
 * code under test): labels to the outcome the product should give, city names to the airports
 * `data/airports.json` lists for them, airline names and codes to `data/airlines.json` (sold) or
 * `data/reference/airlines.json` (real carriers Flightly does not sell), dates
 * relative to the evaluation date, and periods of the day to hour windows.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DATA } from "../../core/paths.js";
import { airlineKey, carrierShortForm } from "../../language/index.js";

/** One line of a JSONL data set: ATIS (intent + slots) or CLINC150 (intent + domain). */
export interface Example {
  text: string;
  intent: string;
  slots?: Record<string, string | string[]>;
  domain?: string;
}

/** What the product does with a request. */
export type Outcome =
  | "flight_search"
  | "hotel_search"
  | "policy"
  | "destination"
  | "weather"
  | "airport_info"
  | "airline_info"
  | "ground_transport"
  | "bookings"
  | "question"
  | "decline"
  /** A conversational reply with no tool call (small talk answered in kind). */
  | "reply"
  | "other";

const FLIGHT_LABELS = new Set(["flight", "airfare", "flight_time", "flight_no", "airline", "cheapest"]);

/**
 * The intent map of the README ("Intent map"), as the evaluation reads it: for each gold label,
 * the outcomes that handle it. A tool outcome counts only when that tool ran; `decline` is an
 * honest one-line "Flightly doesn't do that". Written here, not imported from the product, so the
 * product is measured against the map rather than against itself.
 */
const ATIS_MAP: Readonly<Record<string, readonly Outcome[]>> = {
  ground_service: ["ground_transport", "decline"],
  ground_fare: ["ground_transport", "decline"],
  airport: ["airport_info", "decline"],
  city: ["airport_info", "decline"],
  aircraft: ["decline"],
  capacity: ["decline"],
  distance: ["decline"],
  meal: ["decline"],
  quantity: ["flight_search", "decline"],
  restriction: ["policy", "decline"],
};
const CLINC_MAP: Readonly<Record<string, readonly Outcome[]>> = {
  book_flight: ["flight_search"],
  book_hotel: ["hotel_search"],
  carry_on: ["policy"],
  lost_luggage: ["policy"],
  international_visa: ["policy"],
  travel_suggestion: ["destination"],
  timezone: ["airport_info", "decline"],
  flight_status: ["decline"],
  travel_alert: ["decline"],
  travel_notification: ["decline"],
  vaccines: ["decline"],
  plug_type: ["decline"],
  exchange_rate: ["decline"],
  translate: ["decline"],
  car_rental: ["decline"],
  // Outside travel, but Flightly has a weather tool: a forecast is as right as a decline.
  weather: ["weather", "decline"],
  // Small talk is answered in kind (a greeting, "you're welcome", "safe travels"), with no tool.
  greeting: ["reply", "decline"],
  thank_you: ["reply", "decline"],
  goodbye: ["reply", "decline"],
};

/** Which figure of the map an example counts in; flight queries are scored on their slots instead. */
export type MapGroup = "atis non-flight" | "clinc travel" | "outside travel";

export interface MapEntry {
  group: MapGroup;
  /** Outcomes that handle the request per the map. */
  accepted: readonly Outcome[];
}

/** An ATIS abbreviation is answered by the tool for the kind of code it asks about. */
function abbreviation(slots: Record<string, string | string[]>): readonly Outcome[] {
  if (slots.airline_code !== undefined || slots.airline_name !== undefined) return ["airline_info"];
  if (slots.airport_code !== undefined) return ["airport_info", "decline"];
  return ["decline"];
}

/** The map's entry for an example; undefined for flight queries (scored by their slots). */
export function mapEntry(ex: Example): MapEntry | undefined {
  if (ex.intent.startsWith("atis_")) {
    const label = ex.intent.slice(5).split("+")[0] ?? "";
    if (FLIGHT_LABELS.has(label)) return undefined;
    const accepted =
      label === "abbreviation" ? abbreviation(ex.slots ?? {}) : (ATIS_MAP[label] ?? ["decline"]);
    return { group: "atis non-flight", accepted };
  }
  if (ex.domain === "travel") return { group: "clinc travel", accepted: CLINC_MAP[ex.intent] ?? ["decline"] };
  return { group: "outside travel", accepted: CLINC_MAP[ex.intent] ?? ["decline"] };
}

/** The outcome a gold label asks for (the map's first); combined ATIS labels by their first part. */
export function expectedOutcome(ex: Example): Outcome {
  if (ex.intent.startsWith("atis_") && mapEntry(ex) === undefined) return "flight_search";
  return mapEntry(ex)?.accepted[0] ?? "decline";
}

/** Lower case, accents off, anything but letters and digits as one space. */
export const key = airlineKey;

interface Reference {
  cities: Map<string, string[]>;
  /** Flightly's carriers: name, alias and code keys to the code. */
  sold: Map<string, string>;
  /** Real carriers (`data/reference/airlines.json`): name, alias, short-name and code keys to names. */
  real: Map<string, string[]>;
}

let reference: Reference | undefined;

/** An airline name without its trailing airline and company words. */
const core = (k: string): string => carrierShortForm(k) ?? k;

/** City names and aliases to IATA codes; airline names, aliases and codes to codes or real names. */
function tables(): Reference {
  if (reference) return reference;
  const airports = JSON.parse(readFileSync(join(DATA, "airports.json"), "utf8")) as Array<{
    iata: string;
    city: string;
    aliases?: string[];
  }>;
  const airlines = JSON.parse(readFileSync(join(DATA, "airlines.json"), "utf8")) as Array<{
    code: string;
    name: string;
    aliases?: string[];
  }>;
  const realAirlines = JSON.parse(readFileSync(join(DATA, "reference", "airlines.json"), "utf8")) as Array<{
    iata: string;
    name: string;
    aliases: string[];
  }>;
  const cities = new Map<string, string[]>();
  for (const a of airports) {
    for (const name of [a.city, ...(a.aliases ?? [])]) {
      const list = cities.get(key(name)) ?? [];
      if (!list.includes(a.iata)) list.push(a.iata);
      cities.set(key(name), list);
    }
  }
  const sold = new Map<string, string>();
  for (const al of airlines) {
    sold.set(key(al.code), al.code);
    for (const name of [al.name, ...(al.aliases ?? [])]) sold.set(key(name), al.code);
  }
  const real = new Map<string, string[]>();
  const addReal = (k: string, name: string): void => {
    const list = real.get(k) ?? [];
    if (!list.includes(name)) list.push(name);
    real.set(k, list);
  };
  for (const al of realAirlines) {
    addReal(key(al.iata), al.name);
    for (const n of [al.name, ...al.aliases]) addReal(core(key(n)), al.name);
  }
  reference = { cities, sold, real };
  return reference;
}

/** The airports a gold city name stands for; empty when Flightly serves none. */
export const cityAirports = (city: string): string[] => tables().cities.get(key(city)) ?? [];

/**
 * A gold airline (name or code): the code when Flightly sells it; else the keys of the real
 * carriers it can name (from the reference list), or its own key when the list has none.
 */
export function goldAirline(nameOrCode: string): { code: string | undefined; names: string[] } {
  const k = key(nameOrCode);
  const t = tables();
  const code = t.sold.get(k) ?? (k.length > 2 ? t.sold.get(core(k)) : undefined);
  if (code) return { code, names: [] };
  const real = t.real.get(k.length <= 2 ? k : core(k)) ?? [];
  return { code: undefined, names: real.length > 0 ? real.map(key) : [k] };
}

/** The first value of a slot that can hold a list. */
export const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];
const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const UNITS = ["", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"];
const TEENS: Readonly<Record<string, number>> = {
  tenth: 10,
  eleventh: 11,
  twelfth: 12,
  thirteenth: 13,
  fourteenth: 14,
  fifteenth: 15,
  sixteenth: 16,
  seventeenth: 17,
  eighteenth: 18,
  nineteenth: 19,
  twentieth: 20,
  thirtieth: 30,
};

/** "ninth" → 9, "twenty first" → 21, "3rd" → 3. */
function dayNumber(text: string): number | undefined {
  const t = key(text);
  const digits = /^(\d{1,2})(?:st|nd|rd|th)?$/.exec(t);
  if (digits) return Number(digits[1]);
  if (TEENS[t] !== undefined) return TEENS[t];
  const m = /^(twenty|thirty)\s+(\w+)$/.exec(t);
  if (m) {
    const unit = UNITS.indexOf(m[2]!);
    return unit > 0 ? (m[1] === "twenty" ? 20 : 30) + unit : undefined;
  }
  const unit = UNITS.indexOf(t);
  return unit > 0 ? unit : undefined;
}

const DAY_MS = 86_400_000;
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * The departure day the gold slots name, relative to `today` (a UTC midnight): month and day (the
 * next one to come), a day of this or next month, a weekday (the next one after today), today or
 * tomorrow. Undefined when the slots name no single day.
 */
export function goldDate(slots: Record<string, string | string[]>, today: number): string | undefined {
  const month = first(slots["depart_date.month_name"]);
  const dayText = first(slots["depart_date.day_number"]);
  const weekday = first(slots["depart_date.day_name"]);
  const relative = key(first(slots["depart_date.today_relative"]) ?? "");
  const now = new Date(today);
  const day = dayText !== undefined ? dayNumber(dayText) : undefined;
  if (day !== undefined) {
    const m = month !== undefined ? MONTHS.indexOf(key(month)) : now.getUTCMonth();
    if (m < 0) return undefined;
    let y = now.getUTCFullYear();
    let at = Date.UTC(y, m, day);
    if (at < today) at = month !== undefined ? Date.UTC(++y, m, day) : Date.UTC(y, m + 1, day);
    return iso(at);
  }
  if (weekday !== undefined) {
    const w = WEEKDAYS.indexOf(key(weekday).replace(/s$/, ""));
    if (w < 0) return undefined;
    const delta = ((w - now.getUTCDay() + 6) % 7) + 1;
    return iso(today + delta * DAY_MS);
  }
  if (relative === "today" || relative === "tonight") return iso(today);
  if (relative === "tomorrow") return iso(today + DAY_MS);
  return undefined;
}

/** An hour window, in minutes after midnight; either end may be open. */
export interface Window {
  after?: number;
  before?: number;
}

const PERIODS: Readonly<Record<string, Window>> = {
  morning: { after: 5 * 60, before: 12 * 60 },
  "early morning": { after: 0, before: 8 * 60 },
  afternoon: { after: 12 * 60, before: 18 * 60 },
  "early afternoon": { after: 12 * 60, before: 15 * 60 },
  "late afternoon": { after: 15 * 60, before: 18 * 60 },
  evening: { after: 18 * 60 },
  "early evening": { after: 17 * 60, before: 20 * 60 },
  night: { after: 18 * 60 },
  tonight: { after: 18 * 60 },
};

/** "838 am" → 518, "5pm" → 1020, "noon" → 720, "1110" → 670. */
function clock(text: string): number | undefined {
  const t = key(text);
  if (t === "noon") return 12 * 60;
  if (t === "midnight") return 0;
  const m =
    /^(\d{1,2})(?:\s*(\d{2}))?\s*(am|pm|a m|p m|o clock)?$/.exec(t) ??
    /^(\d{1,2})(\d{2})\s*(am|pm)?$/.exec(t);
  if (!m) return undefined;
  let h = Number(m[1]);
  const min = Number(m[2] ?? 0);
  const ampm = m[3]?.replace(" ", "");
  if (h > 23 || min > 59) return undefined;
  if (ampm === "pm" && h < 12) h += 12;
  if (ampm === "am" && h === 12) h = 0;
  return h * 60 + min;
}

/**
 * The time window the gold slots ask for, on departure or arrival: a period of the day, or a
 * relative time ("before 10 am", "after 5 pm"). Exact times alone are not scored.
 */
export function goldTime(
  slots: Record<string, string | string[]>,
): { leg: "depart" | "arrive"; window: Window } | undefined {
  // A modifier tagged on its own ("early" on one leg, "afternoon" on the other) is one period.
  const periodOf = (leg: string): string | undefined => first(slots[`${leg}_time.period_of_day`]);
  const modifier = (["depart", "arrive"] as const)
    .map((leg) => key(periodOf(leg) ?? ""))
    .find((p) => /^(?:early|late)$/.test(p));
  for (const leg of ["depart", "arrive"] as const) {
    const relative = key(first(slots[`${leg}_time.time_relative`]) ?? "");
    const time = first(slots[`${leg}_time.time`]);
    const clockAt = time !== undefined ? clock(time) : undefined;
    // "1 in the afternoon": the period says which half of the day a bare hour is in.
    const later = /afternoon|evening|night/.test(key(periodOf(leg) ?? ""));
    const at = clockAt !== undefined && later && clockAt < 12 * 60 ? clockAt + 12 * 60 : clockAt;
    if (at !== undefined && /^(?:before|by|no later than|earlier than|not after)$/.test(relative))
      return { leg, window: { before: at } };
    if (at !== undefined && /^(?:after|later than|not before|no earlier than)$/.test(relative))
      return { leg, window: { after: at } };
    const period = periodOf(leg);
    const named =
      period !== undefined && modifier !== undefined && !key(period).includes(" ") && key(period) !== modifier
        ? `${modifier} ${key(period)}`
        : period;
    const window = named !== undefined ? PERIODS[key(named)] : undefined;
    if (window) return { leg, window };
  }
  return undefined;
}
