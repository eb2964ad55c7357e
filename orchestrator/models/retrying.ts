/**
 * The retry decorator every network model provider uses. `retrying(adapter, options)` turns an
 * adapter that makes single attempts into a `ModelProvider`: one call scope per call (the
 * request's deadline, or the provider's default timeout), retries with backoff within it, and the
 * same logs for every provider. A stream is retried only until it has started: once the response
 * is open, its errors are final (part of the answer may have reached the caller).
 */
import type { Logger } from "../../core/logger.js";
import { ModelError } from "./errors.js";
import { callScope, DEFAULT_RETRY_POLICY, type RetryInfo, type RetryPolicy, withRetry } from "./retry.js";
import type { ModelProvider, ModelRequest, ModelResponse, ModelStreamEvent } from "./types.js";

/** A request inside a call scope: the scope's signal and absolute deadline. */
export interface ScopedRequest extends ModelRequest {
  readonly signal: AbortSignal;
  readonly deadline: number;
}

/**
 * One provider's single attempt, without retries. Vendor errors become `ModelError`s through
 * `attemptError`, which leaves an error of a cut-short call as it is for the decorator to name.
 */
export interface ModelAdapter {
  readonly name: ModelProvider["name"];
  readonly modelId: string;
  converse(request: ScopedRequest): Promise<ModelResponse>;
  /** Opens a stream; resolves once the response has started, with its events (the last is `done`). */
  openStream(request: ScopedRequest): Promise<AsyncIterable<ModelStreamEvent>>;
}

export interface RetryingOptions {
  retry?: Partial<RetryPolicy> | undefined;
  /** Time limit of a call whose request carries no deadline. Default 120 s. */
  timeoutMs?: number | undefined;
  logger?: Logger | undefined;
}

/**
 * The error an adapter throws for a failed attempt: `err` as it is when the call was cut short
 * (the decorator turns it into the caller's abort reason or `MODEL_TIMEOUT`), `map(err)` otherwise.
 */
export function attemptError(
  request: ScopedRequest,
  err: unknown,
  map: (err: unknown) => ModelError,
): unknown {
  return request.signal.aborted || Date.now() >= request.deadline ? err : map(err);
}

/** Wraps `adapter` in call scopes, retries and logging. */
export function retrying(adapter: ModelAdapter, options: RetryingOptions = {}): ModelProvider {
  return new RetryingModel(adapter, options);
}

class RetryingModel implements ModelProvider {
  readonly name: ModelProvider["name"];
  readonly modelId: string;
  readonly #adapter: ModelAdapter;
  readonly #logger: Logger | undefined;
  readonly #policy: RetryPolicy;
  readonly #timeoutMs: number;

  constructor(adapter: ModelAdapter, options: RetryingOptions) {
    this.name = adapter.name;
    this.modelId = adapter.modelId;
    this.#adapter = adapter;
    this.#logger = options.logger?.child({ provider: adapter.name, model: adapter.modelId });
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#timeoutMs = options.timeoutMs ?? 120_000;
  }

  async converse(request: ModelRequest): Promise<ModelResponse> {
    const started = performance.now();
    const scope = callScope(this.name, request.signal, request.deadline, this.#timeoutMs);
    const scoped: ScopedRequest = { ...request, signal: scope.signal, deadline: scope.deadline };
    let attempts = 0;
    try {
      const response = await withRetry(
        async (n) => {
          attempts = n;
          try {
            return await this.#adapter.converse(scoped);
          } catch (err) {
            throw scope.interrupted(err) ?? err;
          }
        },
        this.#retryOptions(request, scope.deadline),
      );
      this.#account("converse", response, attempts, started);
      return response;
    } finally {
      scope.dispose();
    }
  }

  async *converseStream(request: ModelRequest): AsyncGenerator<ModelStreamEvent, void, undefined> {
    const started = performance.now();
    const scope = callScope(this.name, request.signal, request.deadline, this.#timeoutMs);
    const scoped: ScopedRequest = { ...request, signal: scope.signal, deadline: scope.deadline };
    let attempts = 0;
    try {
      const events = await withRetry(
        async (n) => {
          attempts = n;
          try {
            return await this.#adapter.openStream(scoped);
          } catch (err) {
            throw scope.interrupted(err) ?? err;
          }
        },
        this.#retryOptions(request, scope.deadline),
      );
      try {
        for await (const event of events) {
          if (event.type === "done") this.#account("converseStream", event.response, attempts, started);
          yield event;
        }
      } catch (err) {
        throw scope.interrupted(err) ?? err;
      }
    } finally {
      scope.dispose();
    }
  }

  #retryOptions(request: ModelRequest, deadline: number) {
    return {
      policy: this.#policy,
      signal: request.signal,
      deadline,
      onRetry: (info: RetryInfo) =>
        this.#logger?.warn(
          {
            attempt: info.attempt,
            delayMs: info.delayMs,
            code: info.error instanceof ModelError ? info.error.code : undefined,
            vendorCode: info.error instanceof ModelError ? info.error.vendorCode : undefined,
          },
          "model call failed, retrying",
        ),
    };
  }

  #account(op: string, response: ModelResponse, attempts: number, started: number): void {
    this.#logger?.debug(
      {
        op,
        attempts,
        latencyMs: Math.round((performance.now() - started) * 100) / 100,
        stopReason: response.stopReason,
        usage: response.usage,
      },
      "model call",
    );
  }
}
