/**
 * Amazon Bedrock provider over the Converse and ConverseStream APIs. The only module that
 * imports the Bedrock runtime SDK: our blocks are mapped to the SDK's on the way out and back on
 * the way in, and every SDK error becomes a `ModelError` here. The SDK's own retries are off
 * (`maxAttempts: 1`) so `retrying` alone decides, within the caller's deadline.
 */
import type {
  ContentBlock as BedrockBlock,
  Message as BedrockMessage,
  BedrockRuntimeClient,
  ConverseRequest,
  ConverseResponse,
  ConverseStreamOutput,
  ConverseStreamResponse,
  SystemContentBlock,
  TokenUsage,
  Tool,
  ToolResultContentBlock,
} from "@aws-sdk/client-bedrock-runtime";
import type { Logger } from "../../core/logger.js";
import { badResponse, fromBedrockError, ModelError } from "./errors.js";
import type { RetryPolicy } from "./retry.js";
import { attemptError, type ModelAdapter, retrying, type ScopedRequest } from "./retrying.js";
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

/** The SDK loads with the first call: a process that never calls Bedrock never loads it. */
const bedrockRuntime = () => import("@aws-sdk/client-bedrock-runtime");

export const DEFAULT_BEDROCK_MODEL_ID = "us.anthropic.claude-haiku-4-5-20251001-v1:0";

export interface BedrockModelOptions {
  modelId: string;
  region: string;
  /**
   * Endpoint override. Without it the SDK resolves the endpoint itself, which honours
   * `AWS_ENDPOINT_URL_BEDROCK_RUNTIME` and `AWS_ENDPOINT_URL`.
   */
  endpoint?: string;
  logger?: Logger;
  /** Static credentials (tests, local servers); the SDK's default provider chain otherwise. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  retry?: Partial<RetryPolicy>;
  /** Time limit of a call whose request carries no deadline. Default 120 s. */
  timeoutMs?: number;
}

const PASS_STOP: ReadonlySet<string> = new Set<StopReason>([
  "end_turn",
  "tool_use",
  "max_tokens",
  "stop_sequence",
  "guardrail_intervened",
  "content_filtered",
]);

/** Amazon Bedrock, with the retries, deadlines and logs of `retrying`. */
export class BedrockModel implements ModelProvider {
  readonly name = "bedrock" as const;
  readonly modelId: string;
  readonly #adapter: BedrockAdapter;
  readonly #model: ModelProvider;

  constructor(options: BedrockModelOptions) {
    this.modelId = options.modelId;
    this.#adapter = new BedrockAdapter(options);
    this.#model = retrying(this.#adapter, options);
  }

  converse(request: ModelRequest): Promise<ModelResponse> {
    return this.#model.converse(request);
  }

  converseStream(request: ModelRequest): AsyncIterable<ModelStreamEvent> {
    return this.#model.converseStream(request);
  }

  /** Closes the SDK client's connections. */
  close(): void {
    this.#adapter.close();
  }
}

/** Single Converse and ConverseStream attempts. */
class BedrockAdapter implements ModelAdapter {
  readonly name = "bedrock" as const;
  readonly modelId: string;
  readonly #client: Promise<BedrockRuntimeClient>;
  /** Only Anthropic models accept `status` on a tool result; others reject the request with it. */
  readonly #toolResultStatus: boolean;

  constructor(options: BedrockModelOptions) {
    this.modelId = options.modelId;
    this.#toolResultStatus = /anthropic\.claude/.test(options.modelId);
    this.#client = bedrockRuntime().then(
      ({ BedrockRuntimeClient }) =>
        new BedrockRuntimeClient({
          region: options.region,
          maxAttempts: 1,
          ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
          ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
        }),
    );
    this.#client.catch(() => {}); // a failed load is reported by the call that awaits it
  }

  async converse(request: ScopedRequest): Promise<ModelResponse> {
    let output: ConverseResponse;
    try {
      const [client, { ConverseCommand }] = await Promise.all([this.#client, bedrockRuntime()]);
      output = await client.send(new ConverseCommand(this.#toRequest(request)), {
        abortSignal: request.signal,
      });
    } catch (err) {
      throw attemptError(request, err, (e) => fromBedrockError(e));
    }
    return this.#fromResponse(output);
  }

  async openStream(request: ScopedRequest): Promise<AsyncIterable<ModelStreamEvent>> {
    let output: ConverseStreamResponse;
    try {
      const [client, { ConverseStreamCommand }] = await Promise.all([this.#client, bedrockRuntime()]);
      output = await client.send(new ConverseStreamCommand(this.#toRequest(request)), {
        abortSignal: request.signal,
      });
    } catch (err) {
      throw attemptError(request, err, (e) => fromBedrockError(e));
    }
    if (!output.stream) throw badResponse("bedrock", "ConverseStream returned no event stream");
    return this.#events(output.stream, request);
  }

  async *#events(
    stream: AsyncIterable<ConverseStreamOutput>,
    request: ScopedRequest,
  ): AsyncGenerator<ModelStreamEvent, void, undefined> {
    const assembler = new StreamAssembler();
    try {
      for await (const event of stream) {
        request.signal.throwIfAborted();
        yield* assembler.push(event);
      }
    } catch (err) {
      throw attemptError(request, err, (e) => fromBedrockError(e, "stream"));
    }
    if (assembler.stopReason === undefined) {
      throw badResponse("bedrock", "event stream ended before messageStop");
    }
    const response: ModelResponse = {
      stopReason: mapStopReason(assembler.stopReason, assembler.hasToolUse),
      message: { role: "assistant", content: assembler.blocks() },
      usage: mapUsage(assembler.usage),
      model: this.modelId,
    };
    yield { type: "done", response };
  }

  close(): void {
    void this.#client.then(
      (client) => client.destroy(),
      () => {},
    );
  }

  #toRequest(request: ModelRequest): ConverseRequest {
    const system: SystemContentBlock[] = request.system ? [{ text: request.system }] : [];
    if (request.promptCache && system.length > 0) system.push({ cachePoint: { type: "default" } });
    const input: ConverseRequest = {
      modelId: this.modelId,
      messages: request.messages.map((m) => this.#toMessage(m)).filter((m) => m.content?.length),
    };
    if (system.length > 0) input.system = system;
    if (request.tools.length > 0) {
      const tools: Tool[] = request.tools.map((t) => ({
        toolSpec: {
          name: t.name,
          description: t.description,
          inputSchema: { json: t.inputSchema as { [key: string]: JsonValue } },
        },
      }));
      if (request.promptCache) tools.push({ cachePoint: { type: "default" } });
      input.toolConfig = { tools };
    }
    const inf = request.inference;
    if (inf && Object.values(inf).some((v) => v !== undefined)) {
      input.inferenceConfig = {
        ...(inf.maxTokens === undefined ? {} : { maxTokens: inf.maxTokens }),
        ...(inf.temperature === undefined ? {} : { temperature: inf.temperature }),
        ...(inf.topP === undefined ? {} : { topP: inf.topP }),
        ...(inf.stopSequences === undefined ? {} : { stopSequences: inf.stopSequences }),
      };
    }
    return input;
  }

  #toMessage(message: Message): BedrockMessage {
    const content: BedrockBlock[] = [];
    for (const block of message.content) {
      if ("text" in block) {
        // Bedrock rejects blank text blocks.
        if (block.text.trim()) content.push({ text: block.text });
      } else if ("toolUse" in block) {
        const { toolUseId, name, input } = block.toolUse;
        content.push({ toolUse: { toolUseId, name, input: isObject(input) ? input : {} } });
      } else {
        const { toolUseId, status, content: parts } = block.toolResult;
        const mapped: ToolResultContentBlock[] = parts.map((p) =>
          "json" in p
            ? isObject(p.json)
              ? { json: p.json }
              : { text: JSON.stringify(p.json) }
            : { text: p.text },
        );
        content.push({
          toolResult: {
            toolUseId,
            content: mapped.length > 0 ? mapped : [{ text: "" }],
            ...(this.#toolResultStatus ? { status } : {}),
          },
        });
      }
    }
    return { role: message.role, content };
  }

  #fromResponse(output: ConverseResponse): ModelResponse {
    const blocks = output.output?.message?.content;
    if (!Array.isArray(blocks)) throw badResponse("bedrock", "Converse output has no message content");
    const content: ContentBlock[] = [];
    for (const block of blocks) {
      if (typeof block.text === "string") content.push({ text: block.text });
      else if (block.toolUse) {
        const { toolUseId, name, input } = block.toolUse;
        if (!toolUseId || !name) throw badResponse("bedrock", "toolUse block without toolUseId or name");
        content.push({ toolUse: { toolUseId, name, input: (input ?? {}) as JsonValue } });
      }
      // reasoning, citations and other block kinds are not part of our interface
    }
    const hasToolUse = content.some((b) => "toolUse" in b);
    return {
      stopReason: mapStopReason(output.stopReason, hasToolUse),
      message: { role: "assistant", content },
      usage: mapUsage(output.usage),
      model: this.modelId,
    };
  }
}

type Pending = { text: string } | { toolUseId: string; name: string; input: string };

/** Folds ConverseStream events into deltas for the caller and the final content blocks. */
class StreamAssembler {
  readonly #blocks = new Map<number, Pending>();
  stopReason: string | undefined;
  usage: TokenUsage | undefined;
  hasToolUse = false;

  *push(event: ConverseStreamOutput): Generator<ModelStreamEvent> {
    if (event.contentBlockStart) {
      const index = event.contentBlockStart.contentBlockIndex ?? this.#blocks.size;
      const tool = event.contentBlockStart.start?.toolUse;
      if (tool) {
        if (!tool.toolUseId || !tool.name) throw badResponse("bedrock", "toolUse start without id or name");
        this.#blocks.set(index, { toolUseId: tool.toolUseId, name: tool.name, input: "" });
        this.hasToolUse = true;
        yield { type: "toolUseStart", toolUseId: tool.toolUseId, name: tool.name };
      }
    } else if (event.contentBlockDelta) {
      const index = event.contentBlockDelta.contentBlockIndex ?? 0;
      const delta = event.contentBlockDelta.delta;
      const block = this.#blocks.get(index);
      if (typeof delta?.text === "string") {
        if (block && !("text" in block))
          throw badResponse("bedrock", `text delta for toolUse block ${index}`);
        if (block) block.text += delta.text;
        else this.#blocks.set(index, { text: delta.text });
        if (delta.text) yield { type: "text", delta: delta.text };
      } else if (delta?.toolUse) {
        if (!block || !("toolUseId" in block)) {
          throw badResponse("bedrock", `toolUse delta for block ${index} that did not start as toolUse`);
        }
        const piece = delta.toolUse.input ?? "";
        block.input += piece;
        if (piece) yield { type: "toolUseDelta", toolUseId: block.toolUseId, delta: piece };
      }
    } else if (event.messageStop) {
      this.stopReason = event.messageStop.stopReason ?? "end_turn";
    } else if (event.metadata) {
      this.usage = event.metadata.usage;
    } else {
      const fault =
        event.throttlingException ??
        event.serviceUnavailableException ??
        event.internalServerException ??
        event.modelStreamErrorException ??
        event.validationException;
      if (fault) throw fromBedrockError(fault, "stream");
    }
  }

  blocks(): ContentBlock[] {
    const out: ContentBlock[] = [];
    for (const index of [...this.#blocks.keys()].sort((a, b) => a - b)) {
      const block = this.#blocks.get(index);
      if (!block) continue;
      if ("text" in block) {
        out.push({ text: block.text });
        continue;
      }
      let input: JsonValue = {};
      if (block.input.trim()) {
        try {
          input = JSON.parse(block.input) as JsonValue;
        } catch (err) {
          throw badResponse("bedrock", `toolUse ${block.name} input is not JSON`, err);
        }
      }
      out.push({ toolUse: { toolUseId: block.toolUseId, name: block.name, input } });
    }
    return out;
  }
}

function mapStopReason(raw: string | undefined, hasToolUse: boolean): StopReason {
  if (raw && PASS_STOP.has(raw)) return raw as StopReason;
  if (raw === "model_context_window_exceeded") {
    throw new ModelError(
      "MODEL_CONTEXT_OVERFLOW",
      "bedrock: the conversation filled the model's context window",
      {
        vendorCode: raw,
      },
    );
  }
  if (raw === "malformed_model_output" || raw === "malformed_tool_use") {
    throw badResponse("bedrock", `stop reason ${raw}`);
  }
  return hasToolUse ? "tool_use" : "end_turn";
}

function mapUsage(usage: TokenUsage | undefined): Usage {
  const input = usage?.inputTokens ?? 0;
  const output = usage?.outputTokens ?? 0;
  const mapped: Usage = {
    inputTokens: input,
    outputTokens: output,
    totalTokens: usage?.totalTokens ?? input + output,
  };
  if (usage?.cacheReadInputTokens !== undefined) mapped.cacheReadInputTokens = usage.cacheReadInputTokens;
  if (usage?.cacheWriteInputTokens !== undefined) mapped.cacheWriteInputTokens = usage.cacheWriteInputTokens;
  return mapped;
}

function isObject(value: unknown): value is { [key: string]: JsonValue } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
