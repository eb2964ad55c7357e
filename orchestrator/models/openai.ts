/**
 * Any OpenAI-compatible chat-completions endpoint with tool calling (Ollama, vLLM, LM Studio,
 * OpenAI itself), over the global `fetch`: `tools` / `tool_calls`, streaming as SSE `data:`
 * lines. The wire format is in `openai-chat.ts`; errors and retries follow the same rules as
 * the Bedrock provider (`retrying`).
 */
import type { Logger } from "../../core/logger.js";
import { badResponse, fromFetchError, fromHttpError } from "./errors.js";
import {
  type ChatChunk,
  type ChatCompletion,
  ChunkAssembler,
  fromCompletion,
  mapFinishReason,
  mapUsage,
  toChatRequest,
} from "./openai-chat.js";
import type { RetryPolicy } from "./retry.js";
import { attemptError, type ModelAdapter, retrying, type ScopedRequest } from "./retrying.js";
import { sseData } from "./sse.js";
import type { ModelProvider, ModelRequest, ModelResponse, ModelStreamEvent } from "./types.js";

export interface OpenAICompatibleModelOptions {
  /** Base URL up to and including the version, e.g. `http://127.0.0.1:11434/v1`. */
  baseUrl: string;
  model: string;
  /** Sent as a bearer token when set (local servers usually need none). */
  apiKey?: string | undefined;
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  /** Time limit of a call whose request carries no deadline. Default 120 s. */
  timeoutMs?: number;
}

/** An OpenAI-compatible endpoint, with the retries, deadlines and logs of `retrying`. */
export class OpenAICompatibleModel implements ModelProvider {
  readonly name = "openai" as const;
  readonly modelId: string;
  readonly #model: ModelProvider;

  constructor(options: OpenAICompatibleModelOptions) {
    this.modelId = options.model;
    this.#model = retrying(new OpenAIAdapter(options), options);
  }

  converse(request: ModelRequest): Promise<ModelResponse> {
    return this.#model.converse(request);
  }

  converseStream(request: ModelRequest): AsyncIterable<ModelStreamEvent> {
    return this.#model.converseStream(request);
  }
}

/** Single chat-completions attempts. */
class OpenAIAdapter implements ModelAdapter {
  readonly name = "openai" as const;
  readonly modelId: string;
  readonly #url: string;
  readonly #headers: Record<string, string>;

  constructor(options: OpenAICompatibleModelOptions) {
    this.modelId = options.model;
    this.#url = `${options.baseUrl.replace(/\/+$/, "")}/chat/completions`;
    this.#headers = {
      "content-type": "application/json",
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    };
  }

  async converse(request: ScopedRequest): Promise<ModelResponse> {
    const body = JSON.stringify(toChatRequest(request, this.modelId, false));
    let text: string;
    try {
      const res = await this.#post(body, request.signal);
      text = await res.text();
    } catch (err) {
      throw attemptError(request, err, (e) => fromFetchError(e, "request"));
    }
    let parsed: ChatCompletion;
    try {
      parsed = JSON.parse(text) as ChatCompletion;
    } catch (err) {
      throw badResponse("openai", "chat completion is not JSON", err);
    }
    return fromCompletion(parsed, this.modelId);
  }

  async openStream(request: ScopedRequest): Promise<AsyncIterable<ModelStreamEvent>> {
    const body = JSON.stringify(toChatRequest(request, this.modelId, true));
    let res: Response;
    try {
      res = await this.#post(body, request.signal);
    } catch (err) {
      throw attemptError(request, err, (e) => fromFetchError(e, "request"));
    }
    if (!res.body) throw badResponse("openai", "streaming response has no body");
    return this.#events(res.body, request);
  }

  async *#events(
    stream: ReadableStream<Uint8Array>,
    request: ScopedRequest,
  ): AsyncGenerator<ModelStreamEvent, void, undefined> {
    const assembler = new ChunkAssembler();
    try {
      for await (const data of sseData(stream)) {
        request.signal.throwIfAborted();
        if (data === "[DONE]") {
          assembler.done = true;
          break;
        }
        let chunk: ChatChunk;
        try {
          chunk = JSON.parse(data) as ChatChunk;
        } catch (err) {
          throw badResponse("openai", "stream chunk is not JSON", err);
        }
        yield* assembler.push(chunk);
      }
    } catch (err) {
      throw attemptError(request, err, (e) => fromFetchError(e, "stream"));
    }
    if (assembler.finishReason === undefined) {
      throw badResponse("openai", "stream ended before a finish_reason");
    }
    const content = assembler.blocks();
    const response: ModelResponse = {
      stopReason: mapFinishReason(assembler.finishReason, content),
      message: { role: "assistant", content },
      usage: mapUsage(assembler.usage),
      model: this.modelId,
    };
    yield { type: "done", response };
  }

  /** POSTs the body; a non-2xx status becomes a `ModelError` (retryable or not). */
  async #post(body: string, signal: AbortSignal): Promise<Response> {
    const res = await fetch(this.#url, { method: "POST", headers: this.#headers, body, signal });
    if (res.ok) return res;
    const text = await res.text().catch(() => "");
    throw fromHttpError(res.status, text, res.headers.get("retry-after"));
  }
}
