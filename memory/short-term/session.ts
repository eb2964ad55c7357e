/**
 * Session scope and session state. Every per-session key is derived from the actor *and* the
 * session id, so an actor who names another actor's session id reaches its own empty keys,
 * never the other's: isolation holds by construction, with no ownership check to forget.
 */
import { FlightlyError } from "../../core/errors.js";
import { redactJson } from "../../core/redact.js";
import { keys } from "../store/keys.js";
import type { ShortTermStore } from "../store/types.js";

/** Who is talking, and in which conversation. `actorId` comes from the caller's auth context. */
export interface SessionScope {
  readonly actorId: string;
  readonly sessionId: string;
}

/** Default TTL of per-session keys, seconds (`config.sessionTtlS` overrides). */
const DEFAULT_SESSION_TTL_S = 86_400;

const MAX_ID_LENGTH = 256;

/** Rejects empty, over-long or control-character ids with a 400. */
export function assertId(value: string, what: string): void {
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_ID_LENGTH) {
    throw new FlightlyError("BAD_REQUEST", `${what} must be 1-${MAX_ID_LENGTH} characters`);
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new FlightlyError("BAD_REQUEST", `${what} must not contain control characters`);
  }
}

/**
 * The id the per-session key builders receive: actor and session, each URI-encoded, joined by
 * `/` (which encoding never emits, so the pair is recovered unambiguously). Keys come out as
 * `flightly:{s:<actor>%2F<session>}:history`, one hash slot per session.
 */
export function sessionSlot(scope: SessionScope): string {
  assertId(scope.actorId, "actorId");
  assertId(scope.sessionId, "sessionId");
  return `${encodeURIComponent(scope.actorId)}/${encodeURIComponent(scope.sessionId)}`;
}

/** The session's history key (what a turn's write needs), without building the other keys. */
export function historyKey(scope: SessionScope): string {
  return keys.history(sessionSlot(scope));
}

/** The session's keys, all in one hash slot. */
export function sessionKeys(scope: SessionScope): { history: string; state: string; checkpoint: string } {
  const slot = sessionSlot(scope);
  return { history: keys.history(slot), state: keys.sessionState(slot), checkpoint: keys.checkpoint(slot) };
}

export interface SessionTtlOptions {
  /** Expiry of the session's keys, milliseconds; refreshed by every write. */
  ttlMs?: number;
}

/** The TTL to apply, milliseconds. */
export function sessionTtlMs(options?: SessionTtlOptions): number {
  return options?.ttlMs ?? DEFAULT_SESSION_TTL_S * 1000;
}

/** The session's state hash (one HGETALL); `{}` for a new or expired session. */
export async function getSessionState(
  store: ShortTermStore,
  scope: SessionScope,
): Promise<Record<string, string>> {
  return store.hgetall(sessionKeys(scope).state);
}

/** Sets state fields and refreshes the TTL, in one round trip. */
export async function setSessionState(
  store: ShortTermStore,
  scope: SessionScope,
  fields: Readonly<Record<string, string>>,
  options?: SessionTtlOptions,
): Promise<void> {
  if (Object.keys(fields).length === 0) return;
  const key = sessionKeys(scope).state;
  const results = await store
    .pipeline()
    .hset(key, redactJson({ ...fields }))
    .pexpire(key, sessionTtlMs(options))
    .exec();
  throwFirstError(results);
}

/** Deletes the session's history, state and checkpoint. Returns how many keys existed. */
export async function clearSession(store: ShortTermStore, scope: SessionScope): Promise<number> {
  const k = sessionKeys(scope);
  return store.del(k.history, k.state, k.checkpoint);
}

/** Pipelines report failures in their result slots; surface the first one. */
export function throwFirstError(results: readonly unknown[]): void {
  const failed = results.find((r) => r instanceof Error);
  if (failed) throw failed;
}
