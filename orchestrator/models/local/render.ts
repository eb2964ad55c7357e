/**
 * Wording for the local planner's answers. Every figure printed here comes from a tool result or
 * the customer context passed in; nothing is looked up or made up.
 */

import type { Gazetteer } from "../../../language/index.js";
import type { Flight } from "./context.js";

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

export const str = (v: unknown): string | undefined =>
  typeof v === "string" && v.trim() ? v : typeof v === "number" ? String(v) : undefined;

export const num = (v: unknown): number | undefined =>
  typeof v === "number" && Number.isFinite(v)
    ? v
    : typeof v === "string" && v.trim() && Number.isFinite(Number(v))
      ? Number(v)
      : undefined;

/** `$812.40`, `$1200`: the amount as given, cents only when there are any (no thousands separator). */
export function usd(amount: number): string {
  return `$${Number.isInteger(amount) ? amount : amount.toFixed(2)}`;
}

/** "a, b and c". */
export function listing(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** One formatter per time zone: making one costs far more than using it. */
const zoneFormats = new Map<string, Intl.DateTimeFormat>();
function zoneFormat(tz: string): Intl.DateTimeFormat {
  let f = zoneFormats.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    zoneFormats.set(tz, f);
  }
  return f;
}

/** An ISO instant as `YYYY-MM-DD HH:MM` in the airport's time zone (the instant as written otherwise). */
function localTime(iso: string, tz: string | undefined): string {
  const at = new Date(iso);
  if (!iso || Number.isNaN(at.getTime())) return iso;
  if (!tz) return iso.replace("T", " ").slice(0, 16);
  try {
    const parts = zoneFormat(tz).formatToParts(at);
    const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? "";
    return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
  } catch {
    return iso.replace("T", " ").slice(0, 16);
  }
}

/** "Las Vegas (LAS)" when the airport is known ("Maui (OGG)" when that is what the customer called it). */
export function placeName(iata: string, gazetteer: Gazetteer, label?: string): string {
  const airport = gazetteer.airport(iata);
  if (!airport) return iata;
  return `${label ?? airport.city} (${airport.iata})`;
}

/** One flight on one line: airline, number, route, local times, fare. */
export function flightLine(f: Flight, gazetteer: Gazetteer): string {
  const from = gazetteer.airport(f.origin);
  const to = gazetteer.airport(f.destination);
  const seats = f.seats_available !== undefined ? `, ${plural(f.seats_available, "seat")} left` : "";
  return (
    `${f.airline} ${f.flight_number} ${f.origin}→${f.destination}, departs ${localTime(f.depart_at, from?.tz)}, ` +
    `arrives ${localTime(f.arrive_at, to?.tz)} (local times) — ${usd(f.price_usd)} per person${seats}`
  );
}

export function numbered(lines: readonly string[]): string {
  return lines.map((l, i) => `${i + 1}. ${l}`).join("\n");
}

/** Unit suffixes of JSON keys and how a value with that unit is written. */
const UNITS: ReadonlyArray<[RegExp, (v: string) => string]> = [
  [/_usd$/, (v) => `$${v}`],
  [/_c$/, (v) => `${v}°C`],
  [/_f$/, (v) => `${v}°F`],
  [/_mm$/, (v) => `${v} mm`],
  [/_(?:pct|percent)$/, (v) => `${v}%`],
  [/_kmh$/, (v) => `${v} km/h`],
  [/_mph$/, (v) => `${v} mph`],
];

/** Scalar fields of an object, as "key value" pairs (for results whose shape we do not know). */
export function describeFields(obj: Record<string, unknown>, skip: readonly string[] = [], max = 8): string {
  const pairs: string[] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (skip.includes(k) || pairs.length >= max) continue;
    if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") continue;
    const unit = UNITS.find(([re]) => re.test(k));
    const raw = typeof v === "number" && unit?.[0].source === "_usd$" ? usd(v).slice(1) : String(v);
    const shown = unit ? unit[1](raw) : raw;
    const name = (unit ? k.replace(unit[0], "") : k).replace(/[_-]+/g, " ").trim();
    pairs.push(`${name} ${shown}`);
  }
  return pairs.join(", ");
}

/** A booking record (from get_booking / list_bookings / confirm) in one line. */
export function bookingLine(b: Record<string, unknown>, gazetteer: Gazetteer): string {
  const ref = str(b.booking_ref) ?? "booking";
  const status = str(b.status);
  if (str(b.kind) === "hotel") return stayLine(b, ref, status);
  const flight = isRecord(b.flight) ? b.flight : b;
  const legs = Array.isArray(b.legs) ? b.legs.filter(isRecord) : [];
  const origin = str(flight.origin);
  const destination = str(flight.destination);
  const airline = str(flight.airline);
  const number = str(flight.flight_number);
  const depart = str(flight.depart_at);
  const total = num(b.total_usd);
  const passengers = num(b.passengers);
  const parts = [
    `${ref}${status ? ` (${status})` : ""}`,
    legs.length > 1
      ? legs.map((l) => [str(l.airline), str(l.flight_number)].filter(Boolean).join(" ")).join(" then ")
      : [airline, number].filter(Boolean).join(" "),
    legs.length > 1
      ? [str(legs[0]!.origin), ...legs.map((l) => str(l.destination))].join("→")
      : origin && destination
        ? `${origin}→${destination}`
        : "",
    depart ? `departs ${localTime(depart, origin ? gazetteer.airport(origin)?.tz : undefined)}` : "",
    passengers !== undefined ? plural(passengers, "passenger") : "",
    b.insured === true ? "insured" : "",
    total !== undefined ? `total ${usd(total)}` : "",
  ].filter(Boolean);
  return parts.length > 1 ? parts.join(", ") : `${parts[0]}: ${describeFields(b, ["booking_ref", "status"])}`;
}

/** A hotel stay (`kind: hotel`) in one line: hotel, city, dates, guests, total paid at the hotel. */
function stayLine(b: Record<string, unknown>, ref: string, status: string | undefined): string {
  const nights = num(b.nights);
  const guests = num(b.guests);
  const total = num(b.total_usd);
  const checkIn = str(b.check_in);
  const checkOut = str(b.check_out);
  return [
    `${ref}${status ? ` (${status})` : ""}`,
    [str(b.hotel) ?? "hotel stay", str(b.city)].filter(Boolean).join(", "),
    checkIn ? `check-in ${checkIn}${checkOut ? `, check-out ${checkOut}` : ""}` : "",
    nights !== undefined ? plural(nights, "night") : "",
    guests !== undefined ? plural(guests, "guest") : "",
    total !== undefined ? `total ${usd(total)}, paid at the hotel` : "",
  ]
    .filter(Boolean)
    .join(", ");
}

/** First array among the named fields of a result (`flights`, `results`, …). */
export function arrayField(value: unknown, ...names: string[]): unknown[] {
  if (Array.isArray(value)) return value;
  if (!isRecord(value)) return [];
  for (const n of names) {
    const v = value[n];
    if (Array.isArray(v)) return v;
  }
  return [];
}

/** A weather result of any reasonable shape, summarised from its own fields. */
export function describeWeather(value: unknown, fallbackPlace: string): string {
  if (typeof value === "string") return `${fallbackPlace}: ${value}`;
  if (!isRecord(value)) return `${fallbackPlace}: no weather data came back.`;
  const place = str(value.location) ?? str(value.name) ?? str(value.city) ?? fallbackPlace;
  const note =
    str(value.note) ?? str(value.label) ?? str(value.disclaimer) ?? str(value.source) ?? str(value.kind);
  // Forecast days, or the climate normals' months (labelled as averages by the result's note).
  const days = arrayField(value, "days", "forecast", "daily", "periods", "months")
    .filter(isRecord)
    .slice(0, 7);
  const lines = days.map((d) => {
    const when = str(d.date) ?? str(d.day) ?? str(d.month) ?? str(d.name) ?? "";
    const summary = str(d.summary) ?? str(d.condition) ?? str(d.conditions) ?? str(d.description) ?? "";
    const rest = describeFields(
      d,
      ["date", "day", "month", "name", "summary", "condition", "conditions", "description"],
      6,
    );
    return `${when}${when ? ": " : ""}${[summary, rest].filter(Boolean).join(", ")}`;
  });
  // Which provider answered is the trail's to keep, not the customer's to read ("provider offline").
  const head = describeFields(
    value,
    ["location", "name", "city", "note", "label", "disclaimer", "source", "kind", "provider"],
    6,
  );
  return [
    `Weather for ${place}${head ? ` — ${head}` : ""}:`,
    ...lines.map((l) => `- ${l}`),
    note ? `(${note})` : "",
  ]
    .filter(Boolean)
    .join("\n");
}
