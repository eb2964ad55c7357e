/**
 * Retries with exponential backoff and full jitter, bounded by the caller's deadline and
 * AbortSignal, and a call scope that turns "the deadline passed" into `MODEL_TIMEOUT` and "the
 * caller aborted" into the caller's own abort reason. Provider-neutral: `retrying.ts` uses them
 * to wrap every network provider's single attempts.
 */
import { isRetryableModelError, ModelError } from "./errors.js";

/** `vendorCode` of the timeout a call scope raises at its deadline. */
const DEADLINE = "deadline";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly maxAttempts: number;
  /** Backoff ceiling before the first retry; doubles per retry (full jitter picks in [0, ceiling)). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 6,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
});

export interface RetryInfo {
  /** The attempt that failed, from 1. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: unknown;
}

export interface RetryOptions {
  readonly policy?: RetryPolicy;
  /** The caller's signal: aborting it stops the wait at once and rejects with its reason. */
  readonly signal?: AbortSignal | undefined;
  /** Epoch milliseconds; no retry is started whose wait would end past it. */
  readonly deadline?: number | undefined;
  /** Which errors to retry; retryable `ModelError`s by default. */
  readonly isRetryable?: (err: unknown) => boolean;
  readonly onRetry?: (info: RetryInfo) => void;
  /** Source of randomness in [0, 1), for deterministic tests. */
  readonly random?: () => number;
}

/** The full-jitter wait before retry number `attempt` (1 = first retry). */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Runs `attempt` until it succeeds, throws a non-retryable error, runs out of attempts, or the
 * next wait would end past the deadline — then the last error is thrown as is. Throttling that
 * outlasts the deadline surfaces as `MODEL_THROTTLED`, not as a timeout, even when the deadline
 * cuts a retry short: the earlier, retryable failure is the one that explains the outcome.
 */
export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const isRetryable = options.isRetryable ?? isRetryableModelError;
  const { signal, deadline } = options;
  let previous: unknown;
  for (let n = 1; ; n++) {
    signal?.throwIfAborted();
    try {
      return await attempt(n);
    } catch (error) {
      signal?.throwIfAborted();
      if (previous !== undefined && isDeadlineError(error)) throw previous;
      if (n >= policy.maxAttempts || !isRetryable(error)) throw error;
      previous = error;
      const retryAfterMs = error instanceof ModelError && error.retryAfterS ? error.retryAfterS * 1000 : 0;
      const delayMs = Math.max(retryAfterMs, backoffDelay(n, policy, options.random));
      if (deadline !== undefined && Date.now() + delayMs >= deadline) throw error;
      options.onRetry?.({ attempt: n, delayMs, error });
      await sleep(delayMs, signal);
    }
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** The `MODEL_TIMEOUT` a call scope raises when its deadline passes. */
function isDeadlineError(err: unknown): boolean {
  return err instanceof ModelError && err.code === "MODEL_TIMEOUT" && err.vendorCode === DEADLINE;
}

/**
 * One model call's lifetime: a signal that fires when the caller aborts or the deadline passes,
 * to hand to the transport, and a way to tell which of the two cut an attempt short.
 */
export interface CallScope {
  /** Aborts on the caller's abort, at the deadline, or on `dispose()`. */
  readonly signal: AbortSignal;
  readonly deadline: number;
  /**
   * The error to throw instead of `err` when the call was cut short: the caller's abort reason,
   * or `MODEL_TIMEOUT` (with `err` as cause) when the deadline passed; `undefined` otherwise.
   */
  interrupted(err: unknown): unknown;
  /** Clears the deadline timer and aborts whatever transport work is still in flight. */
  dispose(): void;
}

/**
 * Opens a call scope. `deadline` is absolute epoch milliseconds; without one, `defaultTimeoutMs`
 * from now applies so no call waits forever on a silent server.
 */
export function callScope(
  provider: string,
  signal: AbortSignal | undefined,
  deadline: number | undefined,
  defaultTimeoutMs: number,
): CallScope {
  const end = deadline ?? Date.now() + defaultTimeoutMs;
  const controller = new AbortController();
  let expired = false;
  const timeout = (): ModelError =>
    new ModelError("MODEL_TIMEOUT", `${provider}: no complete answer before the deadline`, {
      retryable: false,
      vendorCode: DEADLINE,
    });
  const onAbort = (): void => controller.abort(signal?.reason);
  const timer = setTimeout(
    () => {
      expired = true;
      controller.abort(timeout());
    },
    Math.max(0, end - Date.now()),
  );
  timer.unref?.();
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener("abort", onAbort, { once: true });
  if (end <= Date.now()) expired = true;
  return {
    signal: controller.signal,
    deadline: end,
    interrupted(err: unknown): unknown {
      if (signal?.aborted) return signal.reason;
      if (expired || Date.now() >= end) {
        if (err instanceof ModelError && err.code === "MODEL_TIMEOUT") return err;
        const e = timeout();
        return Object.defineProperty(e, "cause", { value: err, enumerable: false, configurable: true });
      }
      return undefined;
    },
    dispose(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (!controller.signal.aborted) controller.abort(new Error("model call finished"));
    },
  };
}
