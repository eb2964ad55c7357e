/**
 * Helpers shared by the domain tools: dependencies, the signed-in customer behind `ctx.actor`,
 * money (cents in the database, USD with two decimals out), input schemas and text excerpts.
 */
import { randomInt } from "node:crypto";
import { z } from "zod";
import type { Config } from "../core/config.js";
import type { Logger } from "../core/logger.js";
import type { Sql } from "../memory/db/index.js";
import type { Embedder } from "../memory/embeddings/types.js";
import type { ToolCache } from "./cache.js";
import type { PaymentProcessor } from "./payments-processor.js";
import { fail, type ToolContext, type ToolResult } from "./types.js";

/** What the domain tools are built from. */
export interface ToolDeps {
  readonly sql: Sql;
  readonly embedder: Embedder;
  readonly config: Config;
  readonly logger: Logger;
  readonly cache: ToolCache;
  readonly processor: PaymentProcessor;
}

const REF_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
/** A new reference: `prefix`, a dash and six upper-case letters or digits (`FL-7QK2ZD`). */
export const newRef = (prefix: string): string =>
  `${prefix}-${Array.from({ length: 6 }, () => REF_ALPHABET[randomInt(REF_ALPHABET.length)]).join("")}`;

/** A catalogue row id as a tool takes it: digits as a string or a positive integer. */
export const rowId = (from: string) =>
  z
    .union([
      z
        .string()
        .trim()
        .regex(/^\d{1,18}$/, `expected a ${from}`),
      z.number().int().positive(),
    ])
    .transform(String)
    .describe(from);

/** Cents to USD with at most two decimals. */
export const usd = (cents: number): number => Math.round(cents) / 100;

const SIGN_IN_REQUIRED =
  "sign in required: this is an account action and the caller is not signed in as a customer";

export interface SignedInCustomer {
  id: string;
  email: string;
  cardLast4: string | null;
}

/**
 * The signed-in customer behind the actor, or an error result for guests (and ids that are not
 * customers). Account tools call this first and use only `customer.id` in their queries.
 */
export async function signedInCustomer(sql: Sql, ctx: ToolContext): Promise<SignedInCustomer | ToolResult> {
  if (ctx.actor.guest || !/^\d{1,18}$/.test(ctx.actor.id)) return fail(SIGN_IN_REQUIRED);
  const [row] = await sql<{ email: string; card_last4: string | null }[]>`
    SELECT email, card_last4 FROM customers WHERE id = ${ctx.actor.id}`;
  if (!row) return fail(SIGN_IN_REQUIRED);
  return { id: ctx.actor.id, email: row.email, cardLast4: row.card_last4 };
}

export const isResult = (v: unknown): v is ToolResult =>
  typeof v === "object" && v !== null && "status" in v && (v.status === "error" || v.status === "success");

export const iata = (what: string) =>
  z
    .string()
    .trim()
    .regex(/^[A-Za-z]{3}$/, "expected a 3-letter IATA airport code")
    .toUpperCase()
    .describe(`${what} airport, 3-letter IATA code (e.g. SEA, NRT, HNL)`);

export const isoDate = (what: string) => z.iso.date().describe(`${what}, YYYY-MM-DD`);

export const bookingRef = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^FL-[A-Z0-9]{6}$/, "expected a booking reference like FL-7QK2ZD")
  .describe("Booking reference, e.g. FL-7QK2ZD");

/** A flight booking's reference (`FL-…`) or a hotel stay's (`HT-…`), for the tools that take either. */
export const anyBookingRef = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^(?:FL|HT)-[A-Z0-9]{6}$/, "expected a booking reference like FL-7QK2ZD or HT-4M8PQ2")
  .describe("Booking reference: a flight booking (FL-7QK2ZD) or a hotel stay (HT-4M8PQ2)");

/** Hotel stays are `HT-…`; flight bookings are `FL-…`. */
export const isStayRef = (ref: string): boolean => ref.startsWith("HT-");

/** Invalidation tag of flight searches on a route, optionally for one local departure date. */
export const flightsTag = (origin: string, destination: string, date?: string): string =>
  date === undefined ? `flights:${origin}:${destination}` : `flights:${origin}:${destination}:${date}`;

/** Invalidation tag of searches with connections that leave `origin` (that local day, or any). */
export const departuresTag = (origin: string, date?: string): string =>
  date === undefined ? `departures:${origin}` : `departures:${origin}:${date}`;
/** Invalidation tag of searches with connections into `destination`, by the leg's departure day. */
export const arrivalsTag = (destination: string, date?: string): string =>
  date === undefined ? `arrivals:${destination}` : `arrivals:${destination}:${date}`;

/**
 * Tags a seat change on a flight invalidates: that day's searches and date-less ones on the route,
 * and the searches with connections that could use the flight as their first or last leg.
 */
export const seatChangeTags = (origin: string, destination: string, localDate: string): string[] => [
  flightsTag(origin, destination, localDate),
  flightsTag(origin, destination),
  departuresTag(origin, localDate),
  departuresTag(origin),
  arrivalsTag(destination, localDate),
  arrivalsTag(destination),
];

const STOP = new Set(
  "the a an and or of to in on for with is are be do does what which how can my me i you your our at by from about any this that it".split(
    " ",
  ),
);
const words = (text: string): string[] =>
  text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 2 && !STOP.has(w));

/**
 * The passage of `body` that best matches `query`: the sentence sharing the most words with it,
 * followed by the next sentences up to `max` characters.
 */
export function excerpt(body: string, query: string, max = 480): string {
  const sentences = body.match(/[^.!?]+[.!?]*\s*/g) ?? [body];
  const q = new Set(words(query));
  let best = 0;
  let bestScore = 0;
  sentences.forEach((s, i) => {
    const score = words(s).filter((w) => q.has(w)).length;
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  });
  let out = "";
  for (const s of sentences.slice(best)) {
    if (out.length + s.length > max) break;
    out += s;
  }
  if (out === "") out = `${(sentences[best] ?? body).slice(0, max - 1).trimEnd()}…`;
  return out.trim();
}

export const round3 = (n: number): number => Math.round(n * 1000) / 1000;
