/** The DESIGN §6 error envelope: `{"error": {"code", "message", "request_id"}}`, never a stack. */
import { FlightlyError } from "../../core/errors.js";

export interface ErrorBody {
  error: { code: string; message: string; request_id: string };
}

export function errorBody(
  err: unknown,
  requestId: string,
): { status: number; body: ErrorBody; retryAfterS?: number } {
  if (err instanceof FlightlyError) {
    const internal = err.status >= 500 && err.code !== "UNAVAILABLE" && err.code !== "MODEL_UNAVAILABLE";
    return {
      status: err.status,
      body: {
        error: {
          code: err.code,
          message: internal ? "internal error" : err.message,
          request_id: requestId,
        },
      },
      ...(err.retryAfterS !== undefined ? { retryAfterS: err.retryAfterS } : {}),
    };
  }
  return {
    status: 500,
    body: { error: { code: "INTERNAL", message: "internal error", request_id: requestId } },
  };
}
