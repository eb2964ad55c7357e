/**
 * Any OpenAI-compatible chat-completions endpoint with tool calling (Ollama, vLLM, LM Studio,
 * OpenAI itself), over the global `fetch`: `tools` / `tool_calls`, streaming as SSE `data:`
 * lines. Our Converse-shaped blocks map to chat roles (tool results become `tool` messages) and
 * back; errors and retries follow the same rules as the Bedrock provider.
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../../core/logger.js";
import { badResponse, fromFetchError, fromHttpError, ModelError } from "./errors.js";
import { callScope, DEFAULT_RETRY_POLICY, type RetryInfo, type RetryPolicy, withRetry } from "./retry.js";
import type {
  ContentBlock,
  JsonValue,
  Message,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  ModelStreamEvent,
  StopReason,
  Usage,
} from "./types.js";

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

interface ChatToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

type ChatMessage =
  | { role: "system" | "user"; content: string }
  | { role: "assistant"; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: "tool"; tool_call_id: string; content: string };

interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
}

interface ChatCompletion {
  choices?: Array<{
    message?: {
      content?: string | null;
      tool_calls?: Array<{
        id?: string;
        function?: { name?: string; arguments?: string | JsonValue };
      }> | null;
    };
    finish_reason?: string | null;
  }>;
  usage?: ChatUsage | null;
}

interface ChatChunk {
  choices?: Array<{
    delta?: {
      content?: string | null;
      tool_calls?: Array<{
        index?: number;
        id?: string;
        function?: { name?: string; arguments?: string };
      }> | null;
    };
    finish_reason?: string | null;
  }>;
  usage?: ChatUsage | null;
  error?: { message?: string; code?: unknown; type?: string };
}

export class OpenAICompatibleModel implements ModelProvider {
  readonly name = "openai" as const;
  readonly modelId: string;
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #logger: Logger | undefined;
  readonly #policy: RetryPolicy;
  readonly #timeoutMs: number;

  constructor(options: OpenAICompatibleModelOptions) {
    this.modelId = options.model;
    this.#url = `${options.baseUrl.replace(/\/+$/, "")}/chat/completions`;
    this.#headers = {
      "content-type": "application/json",
      ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
    };
    this.#logger = options.logger?.child({ provider: "openai", model: options.model });
    this.#policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#timeoutMs = options.timeoutMs ?? 120_000;
  }

  async converse(request: ModelRequest): Promise<ModelResponse> {
    const started = performance.now();
    const body = JSON.stringify(this.#toRequest(request, false));
    const scope = callScope("openai", request.signal, request.deadline, this.#timeoutMs);
    let attempts = 0;
    try {
      const text = await withRetry(
        async (n) => {
          attempts = n;
          try {
            const res = await this.#post(body, scope.signal);
            return await res.text();
          } catch (err) {
            throw scope.interrupted(err) ?? fromFetchError(err, "request");
          }
        },
        this.#retryOptions(request, scope.deadline),
      );
      let parsed: ChatCompletion;
      try {
        parsed = JSON.parse(text) as ChatCompletion;
      } catch (err) {
        throw badResponse("openai", "chat completion is not JSON", err);
      }
      const response = this.#fromCompletion(parsed);
      this.#account("converse", response, attempts, started);
      return response;
    } finally {
      scope.dispose();
    }
  }

  async *converseStream(request: ModelRequest): AsyncGenerator<ModelStreamEvent, void, undefined> {
    const started = performance.now();
    const body = JSON.stringify(this.#toRequest(request, true));
    const scope = callScope("openai", request.signal, request.deadline, this.#timeoutMs);
    let attempts = 0;
    try {
      const res = await withRetry(
        async (n) => {
          attempts = n;
          try {
            return await this.#post(body, scope.signal);
          } catch (err) {
            throw scope.interrupted(err) ?? fromFetchError(err, "request");
          }
        },
        this.#retryOptions(request, scope.deadline),
      );
      if (!res.body) throw badResponse("openai", "streaming response has no body");
      const assembler = new ChunkAssembler();
      try {
        for await (const data of sseData(res.body)) {
          scope.signal.throwIfAborted();
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
        throw scope.interrupted(err) ?? fromFetchError(err, "stream");
      }
      if (assembler.finishReason === undefined) {
        const early = badResponse("openai", "stream ended before a finish_reason");
        throw scope.interrupted(early) ?? early;
      }
      const content = assembler.blocks();
      const response: ModelResponse = {
        stopReason: mapFinishReason(assembler.finishReason, content),
        message: { role: "assistant", content },
        usage: mapUsage(assembler.usage),
        model: this.modelId,
      };
      this.#account("converseStream", response, attempts, started);
      yield { type: "done", response };
    } finally {
      scope.dispose();
    }
  }

  /** POSTs the body; a non-2xx status becomes a `ModelError` (retryable or not). */
  async #post(body: string, signal: AbortSignal): Promise<Response> {
    const res = await fetch(this.#url, { method: "POST", headers: this.#headers, body, signal });
    if (res.ok) return res;
    const text = await res.text().catch(() => "");
    throw fromHttpError(res.status, text, res.headers.get("retry-after"));
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

  #toRequest(request: ModelRequest, stream: boolean): Record<string, unknown> {
    const messages: ChatMessage[] = request.system ? [{ role: "system", content: request.system }] : [];
    for (const message of request.messages) messages.push(...toChatMessages(message));
    const inf = request.inference ?? {};
    return {
      model: this.modelId,
      messages,
      ...(request.tools.length > 0
        ? {
            tools: request.tools.map((t) => ({
              type: "function",
              function: { name: t.name, description: t.description, parameters: t.inputSchema },
            })),
          }
        : {}),
      ...(inf.maxTokens === undefined ? {} : { max_tokens: inf.maxTokens }),
      ...(inf.temperature === undefined ? {} : { temperature: inf.temperature }),
      ...(inf.topP === undefined ? {} : { top_p: inf.topP }),
      ...(inf.stopSequences?.length ? { stop: inf.stopSequences } : {}),
      stream,
      ...(stream ? { stream_options: { include_usage: true } } : {}),
    };
  }

  #fromCompletion(completion: ChatCompletion): ModelResponse {
    const choice = completion.choices?.[0];
    if (!choice?.message) throw badResponse("openai", "chat completion has no choices[0].message");
    const content: ContentBlock[] = [];
    if (choice.message.content) content.push({ text: choice.message.content });
    for (const call of choice.message.tool_calls ?? []) {
      const name = call.function?.name;
      if (!name) throw badResponse("openai", "tool call without a function name");
      content.push({
        toolUse: {
          toolUseId: call.id || `call_${randomUUID()}`,
          name,
          input: parseArguments(name, call.function?.arguments),
        },
      });
    }
    return {
      stopReason: mapFinishReason(choice.finish_reason ?? undefined, content),
      message: { role: "assistant", content },
      usage: mapUsage(completion.usage ?? undefined),
      model: this.modelId,
    };
  }
}

/** Our message → chat messages: tool results become `tool` messages, ahead of any user text. */
function toChatMessages(message: Message): ChatMessage[] {
  const texts: string[] = [];
  if (message.role === "assistant") {
    const calls: ChatToolCall[] = [];
    for (const block of message.content) {
      if ("text" in block) texts.push(block.text);
      else if ("toolUse" in block) {
        const { toolUseId, name, input } = block.toolUse;
        calls.push({ id: toolUseId, type: "function", function: { name, arguments: JSON.stringify(input) } });
      }
    }
    const text = texts.join("\n");
    return [{ role: "assistant", content: text || null, ...(calls.length > 0 ? { tool_calls: calls } : {}) }];
  }
  const out: ChatMessage[] = [];
  for (const block of message.content) {
    if ("text" in block) texts.push(block.text);
    else if ("toolResult" in block) {
      const { toolUseId, status, content } = block.toolResult;
      const parts = content.map((p) => ("text" in p ? p.text : JSON.stringify(p.json)));
      const text = parts.join("\n");
      out.push({
        role: "tool",
        tool_call_id: toolUseId,
        content: status === "error" ? `Error: ${text}` : text,
      });
    }
  }
  if (texts.length > 0) out.push({ role: "user", content: texts.join("\n") });
  return out;
}

function parseArguments(name: string, args: string | JsonValue | undefined): JsonValue {
  if (args === undefined || args === null || args === "") return {};
  if (typeof args !== "string") return args;
  try {
    return JSON.parse(args) as JsonValue;
  } catch (err) {
    throw badResponse("openai", `tool call ${name} arguments are not JSON`, err);
  }
}

function mapFinishReason(reason: string | undefined, content: ContentBlock[]): StopReason {
  // Some servers (older Ollama) report "stop" even when the message carries tool calls.
  if (content.some((b) => "toolUse" in b)) return "tool_use";
  switch (reason) {
    case "length":
      return "max_tokens";
    case "content_filter":
      return "content_filtered";
    case "tool_calls":
    case "function_call":
      return "tool_use";
    default:
      return "end_turn";
  }
}

function mapUsage(usage: ChatUsage | undefined): Usage {
  const input = usage?.prompt_tokens ?? 0;
  const output = usage?.completion_tokens ?? 0;
  const mapped: Usage = {
    inputTokens: input,
    outputTokens: output,
    totalTokens: usage?.total_tokens ?? input + output,
  };
  const cached = usage?.prompt_tokens_details?.cached_tokens;
  if (typeof cached === "number") mapped.cacheReadInputTokens = cached;
  return mapped;
}

/** Folds chat-completion chunks into deltas for the caller and the final content blocks. */
class ChunkAssembler {
  text = "";
  readonly #tools = new Map<number, { toolUseId: string; name: string; args: string }>();
  finishReason: string | undefined;
  usage: ChatUsage | undefined;
  done = false;

  *push(chunk: ChatChunk): Generator<ModelStreamEvent> {
    if (chunk.error) {
      // An error after the stream started: an overflow stays an overflow, anything else is a
      // broken answer (never replayed: part of it has already reached the caller).
      const status = typeof chunk.error.code === "number" ? chunk.error.code : 400;
      const mapped = fromHttpError(status, JSON.stringify({ error: chunk.error }), null);
      if (mapped.code === "MODEL_CONTEXT_OVERFLOW") throw mapped;
      throw badResponse("openai", `error event in stream: ${chunk.error.message ?? "unknown"}`, mapped);
    }
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) return;
    const delta = choice.delta;
    if (delta?.content) {
      this.text += delta.content;
      yield { type: "text", delta: delta.content };
    }
    for (const call of delta?.tool_calls ?? []) {
      const index = call.index ?? this.#tools.size;
      let tool = this.#tools.get(index);
      if (!tool) {
        const name = call.function?.name;
        if (!name) throw badResponse("openai", `tool call ${index} starts without a function name`);
        tool = { toolUseId: call.id || `call_${randomUUID()}`, name, args: "" };
        this.#tools.set(index, tool);
        yield { type: "toolUseStart", toolUseId: tool.toolUseId, name };
      }
      const piece = call.function?.arguments;
      if (piece) {
        tool.args += piece;
        yield { type: "toolUseDelta", toolUseId: tool.toolUseId, delta: piece };
      }
    }
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
  }

  blocks(): ContentBlock[] {
    const out: ContentBlock[] = this.text ? [{ text: this.text }] : [];
    for (const index of [...this.#tools.keys()].sort((a, b) => a - b)) {
      const tool = this.#tools.get(index);
      if (!tool) continue;
      out.push({
        toolUse: { toolUseId: tool.toolUseId, name: tool.name, input: parseArguments(tool.name, tool.args) },
      });
    }
    return out;
  }
}

/** The `data:` payloads of a server-sent-event stream, one per event. */
async function* sseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  let data: string[] = [];
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let newline = buffer.search(/\r?\n/);
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(buffer[newline] === "\r" ? newline + 2 : newline + 1);
        if (line === "") {
          if (data.length > 0) yield data.join("\n");
          data = [];
        } else if (line.startsWith("data:")) {
          data.push(line.slice(line[5] === " " ? 6 : 5));
        }
        newline = buffer.search(/\r?\n/);
      }
      if (done) break;
    }
    if (buffer.startsWith("data:")) data.push(buffer.slice(buffer[5] === " " ? 6 : 5));
    if (data.length > 0) yield data.join("\n");
  } finally {
    await reader.cancel().catch(() => {});
  }
}
