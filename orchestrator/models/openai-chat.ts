/**
 * The OpenAI chat-completions wire format: our Converse-shaped blocks map to chat roles (tool
 * results become `tool` messages) and back, and streamed chunks fold into deltas and blocks.
 */
import { randomUUID } from "node:crypto";
import { badResponse, fromHttpError } from "./errors.js";
import type {
  ContentBlock,
  JsonValue,
  Message,
  ModelRequest,
  ModelResponse,
  ModelStreamEvent,
  StopReason,
  Usage,
} from "./types.js";

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

export interface ChatCompletion {
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

export interface ChatChunk {
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

/** The chat-completions request body for `request`. */
export function toChatRequest(
  request: ModelRequest,
  model: string,
  stream: boolean,
): Record<string, unknown> {
  const messages: ChatMessage[] = request.system ? [{ role: "system", content: request.system }] : [];
  for (const message of request.messages) messages.push(...toChatMessages(message));
  const inf = request.inference ?? {};
  return {
    model,
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

/** A chat completion → our response. */
export function fromCompletion(completion: ChatCompletion, model: string): ModelResponse {
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
    model,
  };
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

export function mapFinishReason(reason: string | undefined, content: ContentBlock[]): StopReason {
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

export function mapUsage(usage: ChatUsage | undefined): Usage {
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
export class ChunkAssembler {
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
