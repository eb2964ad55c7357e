/**
 * The model interface every agent talks to, shaped on the Bedrock Converse API. Providers
 * (`bedrock`, `openai`, `local`, in `orchestrator/models/`) implement `ModelProvider`; vendor SDK
 * types never pass this seam. The memory worker's model extraction uses it too, hence `core`.
 */
import { FlightlyError } from "./errors.js";
import type { JsonValue } from "./json.js";

export interface TextBlock {
  text: string;
}
export interface ToolUseBlock {
  toolUse: { toolUseId: string; name: string; input: JsonValue };
}
export interface ToolResultBlock {
  toolResult: {
    toolUseId: string;
    status: "success" | "error";
    content: Array<{ json: JsonValue } | { text: string }>;
  };
}
export type ContentBlock = TextBlock | ToolUseBlock | ToolResultBlock;

export interface Message {
  role: "user" | "assistant";
  content: ContentBlock[];
}

/** A tool as offered to the model; `inputSchema` is JSON Schema (from `z.toJSONSchema`). */
export interface ToolSpec {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface InferenceSettings {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

export interface ModelRequest {
  system: string;
  messages: Message[];
  tools: ToolSpec[];
  inference?: InferenceSettings;
  /**
   * Cancels the call. Providers then reject with the signal's own `reason` (as `fetch` does), not
   * with a model error: the caller asked for it.
   */
  signal?: AbortSignal;
  /**
   * Absolute deadline, epoch milliseconds; retries never go past it and a call still running at
   * the deadline fails with `MODEL_TIMEOUT`. Providers apply their own default when it is absent.
   */
  deadline?: number;
  /** Mark the system prompt and tool specs as a prompt-cache point where the provider supports it. */
  promptCache?: boolean;
}

export type StopReason =
  | "end_turn"
  | "tool_use"
  | "max_tokens"
  | "stop_sequence"
  | "guardrail_intervened"
  | "content_filtered";

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

/** Sums two usages, e.g. the model calls of one turn. */
export function addUsage(a: Usage, b: Usage): Usage {
  const sum: Usage = {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    totalTokens: a.totalTokens + b.totalTokens,
  };
  const read = (a.cacheReadInputTokens ?? 0) + (b.cacheReadInputTokens ?? 0);
  const write = (a.cacheWriteInputTokens ?? 0) + (b.cacheWriteInputTokens ?? 0);
  if (a.cacheReadInputTokens !== undefined || b.cacheReadInputTokens !== undefined) {
    sum.cacheReadInputTokens = read;
  }
  if (a.cacheWriteInputTokens !== undefined || b.cacheWriteInputTokens !== undefined) {
    sum.cacheWriteInputTokens = write;
  }
  return sum;
}

export interface ModelResponse {
  stopReason: StopReason;
  /** The assistant message: text and/or toolUse blocks. */
  message: Message;
  usage: Usage;
  /** Provider label and model id, e.g. `local`, or the Bedrock model id. */
  model: string;
}

export type ModelStreamEvent =
  | { type: "text"; delta: string }
  | { type: "toolUseStart"; toolUseId: string; name: string }
  | { type: "toolUseDelta"; toolUseId: string; delta: string }
  | { type: "done"; response: ModelResponse };

export interface ModelProvider {
  readonly name: "local" | "bedrock" | "openai" | "scripted";
  readonly modelId: string;
  converse(request: ModelRequest): Promise<ModelResponse>;
  /** Streams deltas; the last event is always `done` with the assembled response. */
  converseStream(request: ModelRequest): AsyncIterable<ModelStreamEvent>;
}

/** Model errors are `FlightlyError`s with one of these codes and the vendor error as `cause`. */
export type ModelErrorCode = Extract<
  FlightlyError["code"],
  "MODEL_THROTTLED" | "MODEL_CONTEXT_OVERFLOW" | "MODEL_TIMEOUT" | "MODEL_BAD_RESPONSE" | "MODEL_UNAVAILABLE"
>;

export class ModelError extends FlightlyError {
  declare readonly code: ModelErrorCode;
  /** Whether the same request may succeed if sent again after a pause. */
  readonly retryable: boolean;
  /** The vendor's own name for the fault (`ThrottlingException`, `http 429`, ...), for logs. */
  readonly vendorCode: string | undefined;

  constructor(
    code: ModelErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean; retryAfterS?: number; vendorCode?: string } = {},
  ) {
    super(code, message, {
      ...(options.cause === undefined ? {} : { cause: options.cause }),
      ...(options.retryAfterS === undefined ? {} : { retryAfterS: options.retryAfterS }),
    });
    this.retryable = options.retryable ?? (code === "MODEL_THROTTLED" || code === "MODEL_UNAVAILABLE");
    this.vendorCode = options.vendorCode;
  }
}

/** True for errors a retry may cure: throttling, a model that is loading, a service hiccup. */
export function isRetryableModelError(err: unknown): boolean {
  return err instanceof ModelError && err.retryable;
}

/** A response that arrived but cannot be understood (bad JSON, missing fields, a cut stream). */
export function badResponse(provider: string, detail: string, cause?: unknown): ModelError {
  return new ModelError("MODEL_BAD_RESPONSE", `${provider}: malformed model response: ${detail}`, {
    ...(cause === undefined ? {} : { cause }),
    vendorCode: "bad_response",
  });
}
