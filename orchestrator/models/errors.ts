/**
 * Vendor errors mapped, once, at the provider adapter into `ModelError` (`core/model.ts`) — a
 * `FlightlyError` with one of five stable codes, the vendor error as `cause`, and whether a retry
 * may help. The SDKs' own classes are recognised by name and HTTP status, so this module imports
 * none of them.
 */
import { badResponse, ModelError, type ModelErrorCode } from "../../core/model.js";

export { badResponse, isRetryableModelError, ModelError } from "../../core/model.js";

const CONTEXT_OVERFLOW = [
  /input is too long/i,
  /input length and `?max_tokens`? exceed context limit/i,
  /too many total text bytes/i,
  /maximum context length/i,
  /context[_ ]length[_ ]exceeded/i,
  /context window/i,
  /prompt is too long/i,
  /exceeds? the (?:model'?s? )?(?:maximum )?context/i,
  /too many tokens/i,
];

/** Whether a vendor message says the prompt does not fit the model's context window. */
function isContextOverflowMessage(message: string): boolean {
  return CONTEXT_OVERFLOW.some((re) => re.test(message));
}

interface SdkErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $fault?: unknown;
  $response?: unknown;
}

/** Bedrock runtime exception names → our codes. Anything else falls back on the HTTP status. */
const BEDROCK_NAMES: Record<string, { code: ModelErrorCode; retryable: boolean }> = {
  ThrottlingException: { code: "MODEL_THROTTLED", retryable: true },
  ServiceQuotaExceededException: { code: "MODEL_THROTTLED", retryable: true },
  TooManyRequestsException: { code: "MODEL_THROTTLED", retryable: true },
  ServiceUnavailableException: { code: "MODEL_UNAVAILABLE", retryable: true },
  ModelNotReadyException: { code: "MODEL_UNAVAILABLE", retryable: true },
  InternalServerException: { code: "MODEL_UNAVAILABLE", retryable: true },
  InternalFailure: { code: "MODEL_UNAVAILABLE", retryable: true },
  ModelTimeoutException: { code: "MODEL_TIMEOUT", retryable: false },
  TimeoutError: { code: "MODEL_TIMEOUT", retryable: false },
  RequestTimeout: { code: "MODEL_TIMEOUT", retryable: false },
  ModelErrorException: { code: "MODEL_BAD_RESPONSE", retryable: false },
  ModelStreamErrorException: { code: "MODEL_BAD_RESPONSE", retryable: false },
  SyntaxError: { code: "MODEL_BAD_RESPONSE", retryable: false },
  SerializationException: { code: "MODEL_BAD_RESPONSE", retryable: false },
  AccessDeniedException: { code: "MODEL_UNAVAILABLE", retryable: false },
  UnrecognizedClientException: { code: "MODEL_UNAVAILABLE", retryable: false },
  ResourceNotFoundException: { code: "MODEL_UNAVAILABLE", retryable: false },
  ValidationException: { code: "MODEL_UNAVAILABLE", retryable: false },
  ConflictException: { code: "MODEL_UNAVAILABLE", retryable: false },
  CredentialsProviderError: { code: "MODEL_UNAVAILABLE", retryable: false },
};

/** Socket-level failures before any response: the endpoint is down or restarting. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ERR_HTTP2_GOAWAY_SESSION",
  "ERR_HTTP2_SESSION_ERROR",
  "ERR_HTTP2_STREAM_ERROR",
  "ERR_HTTP2_STREAM_CANCEL",
  "ERR_HTTP2_ERROR",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
]);

function networkCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

function statusCode(status: number, vendorCode: string): { code: ModelErrorCode; retryable: boolean } {
  if (status === 429) return { code: "MODEL_THROTTLED", retryable: true };
  if (status === 408 || status === 504) return { code: "MODEL_TIMEOUT", retryable: false };
  if (status === 502 || status === 503 || status === 500)
    return { code: "MODEL_UNAVAILABLE", retryable: true };
  if (status >= 500) return { code: "MODEL_UNAVAILABLE", retryable: true };
  if (status === 200 || vendorCode === "SyntaxError") return { code: "MODEL_BAD_RESPONSE", retryable: false };
  return { code: "MODEL_UNAVAILABLE", retryable: false };
}

/**
 * Maps whatever the AWS SDK threw into a `ModelError`. `during` tells a fault before the
 * response (a refused connection: the service is unavailable, retry) from one while reading a
 * stream that had started (a cut stream: the response is bad, do not replay half an answer).
 */
export function fromBedrockError(
  err: unknown,
  during: "request" | "stream" = "request",
  provider = "bedrock",
): ModelError {
  if (err instanceof ModelError) return err;
  const e = (err && typeof err === "object" ? err : {}) as SdkErrorLike;
  const name = typeof e.name === "string" ? e.name : "Error";
  const message = typeof e.message === "string" ? e.message : String(err);
  const status = typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined;

  if (isContextOverflowMessage(message) && (name === "ValidationException" || status === 400 || !status)) {
    return new ModelError(
      "MODEL_CONTEXT_OVERFLOW",
      `${provider}: the prompt exceeds the model's context window`,
      {
        cause: err,
        vendorCode: name,
      },
    );
  }
  const net = networkCode(err);
  if (net) {
    return during === "stream"
      ? badResponse(provider, `connection lost mid-stream (${net})`, err)
      : new ModelError("MODEL_UNAVAILABLE", `${provider}: endpoint unreachable (${net})`, {
          cause: err,
          retryable: true,
          vendorCode: net,
        });
  }
  const known = BEDROCK_NAMES[name];
  if (known) {
    return new ModelError(known.code, `${provider}: ${name}: ${message}`, {
      cause: err,
      ...known,
      vendorCode: name,
    });
  }
  if (status !== undefined) {
    const mapped = statusCode(status, name);
    return new ModelError(mapped.code, `${provider}: ${name} (HTTP ${status}): ${message}`, {
      cause: err,
      ...mapped,
      vendorCode: name,
    });
  }
  if (during === "stream") return badResponse(provider, `stream failed: ${message}`, err);
  // Deserialisation failures surface as plain errors (often carrying the raw `$response`).
  if (e.$response !== undefined || /deserializ|unexpected token|json/i.test(message)) {
    return badResponse(provider, message, err);
  }
  return new ModelError("MODEL_UNAVAILABLE", `${provider}: ${name}: ${message}`, {
    cause: err,
    retryable: false,
    vendorCode: name,
  });
}

/** An error body from an OpenAI-compatible server: `{error: {message, type, code}}` or free text. */
export function fromHttpError(
  status: number,
  body: string,
  retryAfter: string | null,
  provider = "openai",
): ModelError {
  let message = body.slice(0, 500);
  let vendor = `http ${status}`;
  try {
    const parsed = JSON.parse(body) as {
      error?: { message?: unknown; code?: unknown; type?: unknown } | string;
    };
    const inner = parsed.error;
    if (typeof inner === "string") message = inner;
    else if (inner && typeof inner === "object") {
      if (typeof inner.message === "string") message = inner.message;
      const code = inner.code ?? inner.type;
      if (typeof code === "string") vendor = code;
    }
  } catch {
    // not JSON: keep the text
  }
  const cause = Object.assign(new Error(message), { status, vendorCode: vendor });
  const retryAfterS = parseRetryAfter(retryAfter);
  const extra = retryAfterS === undefined ? {} : { retryAfterS };
  if (
    (status === 400 || status === 413 || status === 422) &&
    isContextOverflowMessage(`${vendor} ${message}`)
  ) {
    return new ModelError(
      "MODEL_CONTEXT_OVERFLOW",
      `${provider}: the prompt exceeds the model's context window`,
      {
        cause,
        vendorCode: vendor,
      },
    );
  }
  const mapped = statusCode(status, vendor);
  return new ModelError(mapped.code, `${provider}: HTTP ${status}: ${message}`, {
    cause,
    ...mapped,
    ...extra,
    vendorCode: vendor,
  });
}

/** Maps a `fetch` failure (no HTTP status) into a `ModelError`; see `fromBedrockError` for `during`. */
export function fromFetchError(err: unknown, during: "request" | "stream", provider = "openai"): ModelError {
  if (err instanceof ModelError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (during === "stream") return badResponse(provider, `stream failed: ${message}`, err);
  if (err instanceof SyntaxError) return badResponse(provider, message, err);
  return new ModelError(
    "MODEL_UNAVAILABLE",
    `${provider}: endpoint unreachable: ${networkCode(err) ?? message}`,
    {
      cause: err,
      retryable: true,
      vendorCode: networkCode(err) ?? "fetch_failed",
    },
  );
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, (date - Date.now()) / 1000);
}
