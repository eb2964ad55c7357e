/**
 * Titan Text Embeddings V2 on Amazon Bedrock (`amazon.titan-embed-text-v2:0`) through
 * `InvokeModel`: one text per request (`{inputText, dimensions, normalize: true}` →
 * `{embedding}`), a batch fanned out with bounded concurrency. Vendor errors are mapped here,
 * once, into `FlightlyError` codes with the SDK error as `cause`.
 *
 * The endpoint is left to the SDK's own resolution, so `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` (and
 * `AWS_ENDPOINT_URL`) keep working; `endpoint` is an explicit override for tests.
 */
import type { BedrockRuntimeClient, BedrockRuntimeClientConfig } from "@aws-sdk/client-bedrock-runtime";
import { type ErrorCode, FlightlyError } from "../../core/errors.js";
import type { Embedder } from "./types.js";

/** The AWS SDK loads with the first call: a process that never calls Bedrock never loads it. */
const bedrockRuntime = () => import("@aws-sdk/client-bedrock-runtime");

export const TITAN_EMBED_V2 = "amazon.titan-embed-text-v2:0";
/** The output sizes Titan V2 supports. */
const TITAN_DIMENSIONS: readonly number[] = [256, 512, 1024];
/** Titan V2 accepts up to 50,000 characters (8,192 tokens); longer texts are cut here. */
const TITAN_MAX_CHARS = 50_000;

export interface BedrockEmbedderOptions {
  region: string;
  modelId?: string;
  /** 256, 512 or 1024 (default). */
  dimensions?: number;
  /** Requests in flight at once for one `embed` call (default 8). */
  concurrency?: number;
  /** Deadline of each request in milliseconds, retries included (default 15 s). */
  timeoutMs?: number;
  /** Attempts per request including the SDK's own retries of throttling and 5xx (SDK default 3). */
  maxAttempts?: number;
  /** Explicit endpoint (tests). Production leaves it unset: the SDK resolves it from the environment. */
  endpoint?: string;
  /** Explicit credentials (tests); otherwise the SDK's default provider chain. */
  credentials?: BedrockRuntimeClientConfig["credentials"];
  /** A client to share with other Bedrock adapters; the options above that configure a client are then ignored. */
  client?: BedrockRuntimeClient;
}

/** The vendor's error names that map to our codes; anything else falls back on the HTTP status. */
const BY_NAME: Record<string, ErrorCode> = {
  ThrottlingException: "MODEL_THROTTLED",
  ServiceQuotaExceededException: "MODEL_THROTTLED",
  TooManyRequestsException: "MODEL_THROTTLED",
  ModelTimeoutException: "MODEL_TIMEOUT",
  TimeoutError: "MODEL_TIMEOUT",
  RequestTimeout: "MODEL_TIMEOUT",
  ModelErrorException: "MODEL_BAD_RESPONSE",
  SerializationException: "MODEL_BAD_RESPONSE",
  ServiceUnavailableException: "MODEL_UNAVAILABLE",
  ModelNotReadyException: "MODEL_UNAVAILABLE",
  InternalServerException: "MODEL_UNAVAILABLE",
  AccessDeniedException: "MODEL_UNAVAILABLE",
  UnrecognizedClientException: "MODEL_UNAVAILABLE",
  ResourceNotFoundException: "MODEL_UNAVAILABLE",
  ValidationException: "MODEL_UNAVAILABLE",
  CredentialsProviderError: "MODEL_UNAVAILABLE",
};

interface SdkError {
  name?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $response?: { headers?: Record<string, string | undefined> };
}

function retryAfter(err: SdkError): number | undefined {
  const raw = err.$response?.headers?.["retry-after"];
  const seconds = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/** Maps whatever the SDK threw into a `FlightlyError` (exported for tests and the other Bedrock adapters). */
function mapBedrockEmbeddingError(err: unknown, modelId: string): FlightlyError {
  if (err instanceof FlightlyError) return err;
  const e = (err && typeof err === "object" ? err : {}) as SdkError;
  const name = typeof e.name === "string" ? e.name : "Error";
  const message = typeof e.message === "string" ? e.message : String(err);
  const status = typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined;
  const prefix = `bedrock embeddings (${modelId})`;
  let code = BY_NAME[name];
  if (name === "ValidationException" && /too long|too many tokens|max(imum)? (input|length)/i.test(message)) {
    code = "MODEL_CONTEXT_OVERFLOW";
  }
  if (!code && status !== undefined) {
    code =
      status === 429
        ? "MODEL_THROTTLED"
        : status === 408 || status === 504
          ? "MODEL_TIMEOUT"
          : status === 200
            ? "MODEL_BAD_RESPONSE"
            : "MODEL_UNAVAILABLE";
  }
  // No status: a deserialisation failure or a socket that never connected.
  code ??=
    e.$response !== undefined || err instanceof SyntaxError ? "MODEL_BAD_RESPONSE" : "MODEL_UNAVAILABLE";
  const after = code === "MODEL_THROTTLED" ? retryAfter(e) : undefined;
  return new FlightlyError(code, `${prefix}: ${name}${status ? ` (HTTP ${status})` : ""}: ${message}`, {
    cause: err,
    ...(after === undefined ? {} : { retryAfterS: after }),
  });
}

const decoder = new TextDecoder();

/** Titan Text Embeddings V2 behind the `Embedder` interface. */
export class BedrockEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimensions: number;
  readonly #client: Promise<BedrockRuntimeClient>;
  readonly #ownsClient: boolean;
  readonly #concurrency: number;
  readonly #timeoutMs: number;

  constructor(options: BedrockEmbedderOptions) {
    this.modelId = options.modelId ?? TITAN_EMBED_V2;
    this.dimensions = options.dimensions ?? 1024;
    if (!TITAN_DIMENSIONS.includes(this.dimensions)) {
      throw new FlightlyError(
        "CONFIG_INVALID",
        `Titan embeddings support ${TITAN_DIMENSIONS.join(", ")} dimensions, not ${this.dimensions}`,
      );
    }
    this.#concurrency = Math.max(1, options.concurrency ?? 8);
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#ownsClient = options.client === undefined;
    this.#client = options.client
      ? Promise.resolve(options.client)
      : bedrockRuntime().then(
          ({ BedrockRuntimeClient }) =>
            new BedrockRuntimeClient({
              region: options.region,
              ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
              ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
              ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
            }),
        );
    this.#client.catch(() => {}); // a failed load is reported by the call that awaits it
  }

  async embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    for (const t of texts) {
      if (t.trim() === "") throw new FlightlyError("BAD_REQUEST", "cannot embed an empty text");
    }
    const out = new Array<Float32Array>(texts.length);
    // One failure stops the rest of the batch.
    const stop = new AbortController();
    const batchSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < texts.length && !batchSignal.aborted) {
        const i = next++;
        out[i] = await this.#embedOne(texts[i]!, batchSignal);
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(this.#concurrency, texts.length) }, worker));
    } catch (err) {
      stop.abort();
      throw err;
    }
    signal?.throwIfAborted();
    return out;
  }

  async #embedOne(text: string, signal: AbortSignal): Promise<Float32Array> {
    const deadline = AbortSignal.timeout(this.#timeoutMs);
    const inputText = text.length > TITAN_MAX_CHARS ? text.slice(0, TITAN_MAX_CHARS) : text;
    const [client, { InvokeModelCommand }] = await Promise.all([this.#client, bedrockRuntime()]);
    const command = new InvokeModelCommand({
      modelId: this.modelId,
      contentType: "application/json",
      accept: "application/json",
      body: JSON.stringify({ inputText, dimensions: this.dimensions, normalize: true }),
    });
    let body: Uint8Array;
    try {
      const res = await client.send(command, { abortSignal: AbortSignal.any([signal, deadline]) });
      body = res.body;
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      if (deadline.aborted) {
        throw new FlightlyError(
          "MODEL_TIMEOUT",
          `bedrock embeddings (${this.modelId}): no answer within ${this.#timeoutMs} ms`,
          { cause: err },
        );
      }
      throw mapBedrockEmbeddingError(err, this.modelId);
    }
    return this.#parse(body);
  }

  #parse(body: Uint8Array | undefined): Float32Array {
    const bad = (detail: string, cause?: unknown): FlightlyError =>
      new FlightlyError(
        "MODEL_BAD_RESPONSE",
        `bedrock embeddings (${this.modelId}): malformed response: ${detail}`,
        {
          ...(cause === undefined ? {} : { cause }),
        },
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(decoder.decode(body ?? new Uint8Array()));
    } catch (err) {
      throw bad("body is not JSON", err);
    }
    const embedding = (parsed as { embedding?: unknown } | null)?.embedding;
    if (!Array.isArray(embedding)) throw bad("no `embedding` array");
    if (embedding.length !== this.dimensions) {
      throw bad(`expected ${this.dimensions} values, got ${embedding.length}`);
    }
    const v = new Float32Array(this.dimensions);
    let norm = 0;
    for (let i = 0; i < embedding.length; i++) {
      const x = embedding[i];
      if (typeof x !== "number" || !Number.isFinite(x)) throw bad(`value ${i} is not a finite number`);
      v[i] = x;
      norm += x * x;
    }
    if (norm === 0) throw bad("zero vector");
    // Titan normalises already; renormalise so float32 rounding never drifts from unit length.
    const k = 1 / Math.sqrt(norm);
    for (let i = 0; i < v.length; i++) v[i]! *= k;
    return v;
  }

  /** Closes the client's sockets (only when this embedder created the client). */
  close(): void {
    if (this.#ownsClient)
      void this.#client.then(
        (client) => client.destroy(),
        () => {},
      );
  }
}
