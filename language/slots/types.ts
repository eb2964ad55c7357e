/** What the slot reader finds in one message. */
import type { NearbyAirport } from "../unserved.js";

export interface Place {
  /** The airport to search from or to (the first of `airports`). */
  iata: string;
  /** Every airport the words can mean ("Tokyo" → NRT, HND). */
  airports: string[];
  city: string;
  /** How the user named it ("Maui", "Vegas"), for weather and destination look-ups. */
  label: string;
}

/** A city named as an end of a route that Flightly does not serve. */
export interface UnknownPlace {
  /** The city as the reference list spells it, else as written ("St. Louis", "Xanadu"). */
  name: string;
  role: "origin" | "destination";
  /** Its country, when the reference list knows the city. */
  country?: string;
  /** Served airports nearest to it, nearest first; empty when no reference list knows it. */
  nearest: NearbyAirport[];
  /** Named as one of several destinations ("Boston or Akron"): the served ones are still searched. */
  alternative?: boolean;
}

export interface DateRange {
  from: string;
  to: string;
}

/** `unspecified`: a cap such as "under $800" whose unit depends on what is searched. */
export type BudgetPer = "night" | "person" | "total" | "unspecified";

export interface Budget {
  amountUsd: number;
  per: BudgetPer;
}

export type Selection =
  | { by: "cheapest" | "earliest" | "fastest" | "latest" }
  /** Zero-based position in the previous list; -1 is the last one. */
  | { by: "index"; index: number };

export interface Slots {
  origin?: Place;
  /** Destination candidates in the order named ("Honolulu or Maui" → HNL, OGG). */
  destinations: Place[];
  /** Places named as an end of a route that no airport Flightly serves stands for ("Tacoma"). */
  unknownPlaces: UnknownPlace[];
  /** A single day, YYYY-MM-DD (departure or check-in). */
  date?: string;
  returnDate?: string;
  /** A span to search in ("in June", "next month"). */
  dateRange?: DateRange;
  nights?: number;
  adults?: number;
  children?: number;
  childrenAges: number[];
  /** Everyone travelling, when it can be told. */
  passengers?: number;
  budget?: Budget;
  avoidAirlines: string[];
  preferredAirline?: string;
  emails: string[];
  bookingRefs: string[];
  seat?: "window" | "aisle";
  sort?: "price" | "departure" | "duration";
  selection?: Selection;
  cardLast4?: string;
  /** Departure or arrival window, local "HH:MM" ("in the morning", "before 10am", "arrive by 5"). */
  departAfter?: string;
  departBefore?: string;
  arriveAfter?: string;
  arriveBefore?: string;
  roundTrip?: boolean;
  nonstop?: boolean;
}
