/**
 * Conversation history per session: a capped Valkey list of JSON messages, newest last.
 */
import { z } from "zod";
import { redactText } from "../../core/redact.js";
import type { Pipeline, ShortTermStore } from "../store/types.js";
import {
  historyKey,
  type SessionScope,
  type SessionTtlOptions,
  sessionTtlMs,
  throwFirstError,
} from "./session.js";

export type HistoryRole = "user" | "assistant" | "tool" | "system";

export interface HistoryMessage {
  role: HistoryRole;
  content: string;
  /** ISO timestamp. */
  at: string;
  /** The agent that spoke (assistant / tool messages). */
  agent?: string;
  /** Tool name, for tool messages. */
  name?: string;
}

const messageSchema = z.object({
  role: z.enum(["user", "assistant", "tool", "system"]),
  content: z.string(),
  at: z.string(),
  agent: z.string().optional(),
  name: z.string().optional(),
});

/** Messages kept per session by default. */
const DEFAULT_HISTORY_CAP = 50;

export interface HistoryOptions extends SessionTtlOptions {
  /** Keep only the newest `cap` messages. */
  cap?: number;
}

/** Appends messages, trims to the cap and refreshes the TTL in one round trip; returns the length. */
export async function appendHistory(
  store: ShortTermStore,
  scope: SessionScope,
  messages: readonly HistoryMessage[],
  options?: HistoryOptions,
): Promise<number> {
  const key = historyKey(scope);
  if (messages.length === 0) return (await store.lrange(key, 0, -1)).length;
  const results = await queueHistory(store.pipeline(), scope, messages, options).exec();
  throwFirstError(results);
  return Number(results[0]);
}

/**
 * Queues the append of `messages` (one command: the capped push with the TTL refresh, whose slot
 * holds the new length) on `pipeline`, so other writes can share its round trip.
 */
export function queueHistory(
  pipeline: Pipeline,
  scope: SessionScope,
  messages: readonly HistoryMessage[],
  options?: HistoryOptions,
): Pipeline {
  const key = historyKey(scope);
  // Redacted here, at the write, so no caller can keep a secret in the history.
  const encoded = messages.map((m) => JSON.stringify(stored(m)));
  return pipeline.appendCapped(key, encoded, options?.cap ?? DEFAULT_HISTORY_CAP, sessionTtlMs(options));
}

const ROLES: ReadonlySet<string> = new Set(messageSchema.shape.role.options);

/**
 * A message as the list keeps it (the fields of `messageSchema`, in its order), its text redacted;
 * what the schema would refuse throws (checked by hand: this runs on every turn).
 */
function stored(m: HistoryMessage): HistoryMessage {
  const optional = (v: unknown) => v === undefined || typeof v === "string";
  if (!ROLES.has(m.role) || typeof m.content !== "string" || typeof m.at !== "string")
    throw new TypeError(`not a history message: ${JSON.stringify(m.role)}`);
  if (!optional(m.agent) || !optional(m.name)) throw new TypeError("not a history message");
  return {
    role: m.role,
    content: redactText(m.content),
    at: m.at,
    ...(m.agent !== undefined ? { agent: m.agent } : {}),
    ...(m.name !== undefined ? { name: m.name } : {}),
  };
}

/** The newest `limit` messages, oldest first. */
export async function readHistory(
  store: ShortTermStore,
  scope: SessionScope,
  limit = DEFAULT_HISTORY_CAP,
): Promise<HistoryMessage[]> {
  if (limit <= 0) return [];
  return parseHistory(await store.lrange(historyKey(scope), -limit, -1));
}

/** Decodes raw list entries; entries that are not valid messages are dropped. */
export function parseHistory(raw: unknown): HistoryMessage[] {
  if (!Array.isArray(raw)) return [];
  const out: HistoryMessage[] = [];
  for (const item of raw) {
    if (typeof item !== "string") continue;
    try {
      const parsed = messageSchema.safeParse(JSON.parse(item));
      if (parsed.success) out.push(stripUndefined(parsed.data));
    } catch {
      // not JSON: skip
    }
  }
  return out;
}

function stripUndefined(m: z.infer<typeof messageSchema>): HistoryMessage {
  const out: HistoryMessage = { role: m.role, content: m.content, at: m.at };
  if (m.agent !== undefined) out.agent = m.agent;
  if (m.name !== undefined) out.name = m.name;
  return out;
}
