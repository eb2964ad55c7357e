/**
 * Reading one message is pure but not free (chrono, the gazetteer, the reference lists, the
 * redaction patterns), and a turn, or the next turn asking the same, reads the same text again:
 * the response cache's key, its canonical form, the planner, the history write. The last results
 * are kept (least recently used dropped); callers get their own copy, so nothing they change leaks
 * into another reading.
 */
import { hash } from "node:crypto";

const SIZE = 512;

function lru<R>(share = false): (key: string, compute: () => R) => R {
  const kept = new Map<string, R>();
  return (key, compute) => {
    let value = kept.get(key);
    if (value === undefined) {
      value = compute();
      if (share) deepFreeze(value);
      if (kept.size >= SIZE) kept.delete(kept.keys().next().value as string);
    } else {
      kept.delete(key); // re-inserted last: the first key is always the least recently used
    }
    kept.set(key, value);
    // A string (redacted text, a key) cannot be changed by the caller: no copy needed.
    return !share && typeof value === "object" && value !== null ? structuredClone(value) : value;
  };
}

function deepFreeze(value: unknown): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value) || ArrayBuffer.isView(value))
    return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

/** A reading of `text` against a clock: kept per text and minute of the clock. */
export function memoRead<R>(fn: (text: string, now: Date) => R): (text: string, now: Date) => R {
  const get = lru<R>();
  return (text, now) => get(`${Math.floor(now.getTime() / 60_000)}\u0000${text}`, () => fn(text, now));
}

/**
 * `memoRead` whose results are frozen (deeply) and shared rather than copied: for the hot path,
 * where the copy costs more than the reading saves. A caller that tries to change one throws.
 */
export function memoReadShared<R>(fn: (text: string, now: Date) => R): (text: string, now: Date) => R {
  const get = lru<R>(true);
  return (text, now) => get(`${Math.floor(now.getTime() / 60_000)}\u0000${text}`, () => fn(text, now));
}

/** `memoText` whose results are frozen (deeply) and shared rather than copied (see `memoReadShared`). */
export function memoTextShared<R>(fn: (text: string) => R): (text: string) => R {
  const get = lru<R>(true);
  return (text) => get(hash("sha256", text, "base64"), () => fn(text));
}

/**
 * A function of the text alone. Keys are digests, so the raw text (which may hold a secret before
 * redaction) is not kept; values must be safe to keep (redacted text, spans).
 */
export function memoText<R>(fn: (text: string) => R): (text: string) => R {
  const get = lru<R>();
  // One-shot digest: no Hash object per call (this runs on every history write and log line).
  return (text) => get(hash("sha256", text, "base64"), () => fn(text));
}
