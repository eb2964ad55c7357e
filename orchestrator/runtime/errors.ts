/** The DESIGN §6 error envelope: `{"error": {"code", "message", "request_id"}}`, never a stack. */
import { FlightlyError } from "../../core/errors.js";

export interface ErrorBody {
  error: { code: string; message: string; request_id: string };
}

/** 5xx codes whose message is safe and useful to show (the rest say "internal error"). */
const PUBLIC_5XX: ReadonlySet<string> = new Set(["UNAVAILABLE", "MODEL_UNAVAILABLE", "MODEL_TIMEOUT"]);

/** Seconds a client is told to wait when the error itself names none. */
const DEFAULT_RETRY_AFTER_S: Readonly<Record<number, number>> = { 429: 1, 503: 2 };

/** Socket errors (Node) and postgres.js connection errors: the peer is not there right now. */
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);
/**
 * SQLSTATEs a retry can cure: the database going away or refusing connections (08, 57P01-03),
 * out of a resource (53: memory, shared memory for locks, disk, connections), a lock not had in
 * time (55P03), a statement cancelled by its timeout (57014), or a transaction that lost a race
 * (40001 serialization, 40P01 deadlock).
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[1-3]|53...|55P03|57014|40001|40P01)$/;

/**
 * Whether an error that is not ours comes from a backing service that cannot serve it right now
 * (the database dropped its connections or ran out of locks, a socket was refused): a 503 the
 * client may retry, not a 500.
 * Follows `cause` a few levels, as wrappers keep the original there.
 */
export function isConnectionFault(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e !== null && typeof e === "object"; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && (CONNECTION_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code)))
      return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export function errorBody(
  err: unknown,
  requestId: string,
): { status: number; body: ErrorBody; retryAfterS?: number } {
  if (err instanceof FlightlyError) {
    const internal = err.status >= 500 && !PUBLIC_5XX.has(err.code);
    const retryAfterS = err.retryAfterS ?? DEFAULT_RETRY_AFTER_S[err.status];
    return {
      status: err.status,
      body: {
        error: {
          code: err.code,
          message: internal ? "internal error" : err.message,
          request_id: requestId,
        },
      },
      ...(retryAfterS !== undefined ? { retryAfterS } : {}),
    };
  }
  if (isConnectionFault(err)) {
    return {
      status: 503,
      body: {
        error: {
          code: "UNAVAILABLE",
          message: "a backing service is temporarily unreachable; retry shortly",
          request_id: requestId,
        },
      },
      retryAfterS: DEFAULT_RETRY_AFTER_S[503]!,
    };
  }
  return {
    status: 500,
    body: { error: { code: "INTERNAL", message: "internal error", request_id: requestId } },
  };
}
