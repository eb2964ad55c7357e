/**
 * The `<context>` block of an agent's system prompt: one schema for the writer (`context-block.ts`)
 * and every reader (the local planner, tests). The writer is typed by it, so a renamed field fails
 * to compile; a reader gets the block only when it parses in full, and otherwise treats the turn
 * as a guest's: a block that does not parse never grants more than no block at all.
 *
 * The JSON is written with `<`, `>` and `&` escaped, so no text inside it (a prompt, a memory, a
 * support email) can close the block or open a forged one.
 */
import { z } from "zod";
import { AGENT_NAMES } from "../agents/types.js";

const json = z.json();

export const contextProfileSchema = z
  .object({
    home_airport: z.string().nullable(),
    family: z.string().nullable(),
    adults: z.number().int().nonnegative().nullable(),
    children_ages: z.array(z.number().int().nonnegative()).nullable(),
    budget_per_night_usd: z.number().nullable(),
    seat: z.string().nullable(),
    avoid_airlines: z.array(z.string()).nullable(),
    preferred_airline: z.string().nullable(),
    loyalty_tier: z.string().nullable(),
    email: z.string().nullable(),
  })
  .partial();

/** Where a reference of the request pointed (see `language/referents.ts`). */
const referentSchema = z.object({
  kind: z.literal("place"),
  iata: z.string(),
  city: z.string(),
  source: z.enum(["session", "memory"]),
  via: z.enum(["state", "message", "booking", "fact", "summary"]),
  ref: z.string().optional(),
  at: z.string().optional(),
});

export const contextBlockSchema = z.object({
  agent: z.enum(AGENT_NAMES),
  now: z.iso.datetime(),
  actor: z.object({ id: z.string().min(1), guest: z.boolean(), name: z.string().nullable() }),
  profile: contextProfileSchema.nullable(),
  memories: z.array(z.object({ kind: z.string(), content: z.string() })),
  session: z.object({
    last_flights: z.array(json),
    last_hotels: z.array(json),
    /** One-stop connections the session listed last (when it found no non-stop flight). */
    last_connections: z.array(json).nullish(),
    last_origin: z.string().nullable(),
    last_destination: z.string().nullable(),
    /** The booking this session made last: what "pay for it" and "cancel that booking" mean. */
    last_booking: z.string().nullish(),
    /** Which list the session showed last (`flights`, `hotels`): what "the cheapest" picks from. */
    last_list: z.enum(["flights", "hotels"]).nullish(),
    summary: z.string().nullable(),
  }),
  workflow: z.object({
    plan: z.array(z.enum(AGENT_NAMES)),
    step: z.number().int().nonnegative(),
    request: z.string(),
    outputs: z.partialRecord(z.enum(AGENT_NAMES), z.record(z.string(), json)),
    /** The request with its references resolved; absent when it had none or one did not resolve. */
    resolved: z.object({ text: z.string(), referents: z.array(referentSchema) }).nullish(),
  }),
});

export type ContextBlock = z.infer<typeof contextBlockSchema>;
export type ContextProfile = z.infer<typeof contextProfileSchema>;

const OPEN = "<context>";
const CLOSE = "</context>";
const UNSAFE = /[<>&]/g;
const ESCAPES: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026" };

/** The block as it goes into a system prompt. */
export function renderContextBlock(block: ContextBlock): string {
  return `${OPEN}${JSON.stringify(block).replace(UNSAFE, (c) => ESCAPES[c]!)}${CLOSE}`;
}

/**
 * The block of a system prompt, or undefined when there is none, there is more than one, or it
 * does not match the schema in full. Callers treat undefined as a guest with no context.
 */
export function readContextBlock(system: string): ContextBlock | undefined {
  const start = system.indexOf(OPEN);
  if (start < 0 || system.indexOf(OPEN, start + OPEN.length) >= 0) return undefined;
  const end = system.indexOf(CLOSE, start);
  if (end < 0 || system.indexOf(CLOSE, end + CLOSE.length) >= 0) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(system.slice(start + OPEN.length, end));
  } catch {
    return undefined;
  }
  const parsed = contextBlockSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}
