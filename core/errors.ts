/**
 * Errors that cross module boundaries. Each carries a stable `code` and the HTTP status it maps
 * to; vendor errors are wrapped at their adapter with `cause` and never leak their own types.
 */
export type ErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "RATE_LIMITED"
  | "INTERNAL"
  | "UNAVAILABLE"
  | "CONFIG_INVALID"
  | "CHECKPOINT_CONFLICT"
  | "EMBEDDER_MISMATCH"
  | "MODEL_THROTTLED"
  | "MODEL_CONTEXT_OVERFLOW"
  | "MODEL_TIMEOUT"
  | "MODEL_BAD_RESPONSE"
  | "MODEL_UNAVAILABLE";

const STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  CONFIG_INVALID: 500,
  CHECKPOINT_CONFLICT: 409,
  EMBEDDER_MISMATCH: 500,
  MODEL_THROTTLED: 429,
  MODEL_CONTEXT_OVERFLOW: 400,
  MODEL_TIMEOUT: 503,
  MODEL_BAD_RESPONSE: 500,
  MODEL_UNAVAILABLE: 503,
};

export class FlightlyError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Seconds a client should wait before retrying (503 / 429). */
  readonly retryAfterS: number | undefined;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; retryAfterS?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = STATUS[code];
    this.retryAfterS = options?.retryAfterS;
  }
}

export class ConfigError extends FlightlyError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super("CONFIG_INVALID", `Invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.problems = problems;
  }
}

/** A compare-and-set write lost the race: someone else wrote a newer version first. */
export class CheckpointConflictError extends FlightlyError {
  readonly expectedVersion: number;
  readonly actualVersion: number;
  constructor(key: string, expectedVersion: number, actualVersion: number) {
    super(
      "CHECKPOINT_CONFLICT",
      `checkpoint ${key} is at version ${actualVersion}, writer expected ${expectedVersion}`,
    );
    this.expectedVersion = expectedVersion;
    this.actualVersion = actualVersion;
  }
}

export function isFlightlyError(err: unknown): err is FlightlyError {
  return err instanceof FlightlyError;
}
