/**
 * Turn events, the producer side of the tiering worker: their shape, their parsing, and
 * `appendTurnEvent`, which every finished turn calls (through the turn outbox) to add one to the
 * Valkey stream the worker consumes.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { FlightlyError } from "../../core/errors.js";
import { redactText } from "../../core/redact.js";
import { assertId } from "../short-term/session.js";
import { keys } from "../store/keys.js";
import type { ShortTermStore } from "../store/types.js";

export type TurnRole = "user" | "assistant";

export interface TurnEvent {
  /** Idempotency key: the same turn appended twice is processed once. */
  eventId: string;
  actorId: string;
  sessionId: string;
  role: TurnRole;
  text: string;
  /** ISO timestamp. */
  at: string;
}

const MAX_TEXT = 20_000;

const eventSchema = z.object({
  event_id: z.string().min(1).max(200),
  actor_id: z.string().min(1).max(256),
  session_id: z.string().min(1).max(256),
  role: z.enum(["user", "assistant"]),
  text: z.string().max(MAX_TEXT),
  at: z.string().refine((s) => !Number.isNaN(Date.parse(s)), "at must be a timestamp"),
});

/** Stream entry fields → event. @throws FlightlyError BAD_REQUEST (never retried). */
export function parseTurnEvent(fields: Record<string, string>): TurnEvent {
  const parsed = eventSchema.safeParse(fields);
  if (!parsed.success) {
    throw new FlightlyError(
      "BAD_REQUEST",
      `malformed turn event: ${parsed.error.issues[0]?.message ?? "invalid"}`,
    );
  }
  const e = parsed.data;
  return {
    eventId: e.event_id,
    actorId: e.actor_id,
    sessionId: e.session_id,
    role: e.role,
    // Events written before redaction at the write are scrubbed before anything derives from them.
    text: redactText(e.text),
    at: e.at,
  };
}

export interface AppendOptions {
  /** Stream key (default `keys.events()`). */
  stream?: string;
  /** Approximate cap on the stream's length (default 100,000). */
  maxLen?: number;
}

/** The events stream's approximate length cap. */
export const EVENTS_MAX_LEN = 100_000;

/** The stream entry of one turn; `eventId` defaults to a new UUID and `at` to now. */
export function turnEventFields(
  turn: Omit<TurnEvent, "eventId" | "at"> & { eventId?: string; at?: string },
): Record<string, string> {
  assertId(turn.actorId, "actorId");
  assertId(turn.sessionId, "sessionId");
  return {
    event_id: turn.eventId ?? randomUUID(),
    actor_id: turn.actorId,
    session_id: turn.sessionId,
    role: turn.role,
    text: redactText(turn.text).slice(0, MAX_TEXT),
    at: turn.at ?? new Date().toISOString(),
  };
}

/**
 * Appends one turn to the events stream; `eventId` defaults to a new UUID and `at` to now.
 * Returns the event id and the stream entry id.
 */
export async function appendTurnEvent(
  store: ShortTermStore,
  turn: Omit<TurnEvent, "eventId" | "at"> & { eventId?: string; at?: string },
  options: AppendOptions = {},
): Promise<{ eventId: string; streamId: string }> {
  const fields = turnEventFields(turn);
  const streamId = await store.xadd(options.stream ?? keys.events(), fields, {
    maxLen: options.maxLen ?? EVENTS_MAX_LEN,
  });
  return { eventId: fields.event_id!, streamId };
}
