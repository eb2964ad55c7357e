/**
 * A model that plays back scripted replies with zero latency, for tests and benchmarks: a list
 * consumed in order, or a function of the request. Every request is recorded so a test can
 * assert what the agent sent (system prompt, tools offered, tool results).
 */
import { ModelError } from "./errors.js";
import type {
  ContentBlock,
  JsonValue,
  ModelProvider,
  ModelRequest,
  ModelResponse,
  ModelStreamEvent,
  StopReason,
  Usage,
} from "./types.js";

/**
 * One scripted reply: a string is a final text answer; an object may carry text and tool calls;
 * an `Error` is thrown as the model call's failure (e.g. a `ModelError` with `MODEL_THROTTLED`).
 */
export type ScriptedReply =
  | string
  | Error
  | {
      text?: string;
      toolUses?: Array<{ name: string; input: JsonValue; toolUseId?: string }>;
      stopReason?: StopReason;
      usage?: Partial<Usage>;
    };

export type Script =
  | readonly ScriptedReply[]
  | ((request: ModelRequest, index: number) => ScriptedReply | Promise<ScriptedReply>);

export interface ScriptedModelOptions {
  modelId?: string;
  /** Keep a copy of each request in `requests` (on by default; benchmarks may turn it off). */
  record?: boolean;
}

export class ScriptedModel implements ModelProvider {
  readonly name = "scripted" as const;
  readonly modelId: string;
  /** The requests received, in order (message lists copied at call time). */
  readonly requests: ModelRequest[] = [];
  readonly #script: Script;
  readonly #record: boolean;
  #calls = 0;

  constructor(script: Script, options: ScriptedModelOptions = {}) {
    this.#script = script;
    this.modelId = options.modelId ?? "scripted";
    this.#record = options.record ?? true;
  }

  /** How many calls have been answered (or failed) so far. */
  get calls(): number {
    return this.#calls;
  }

  async converse(request: ModelRequest): Promise<ModelResponse> {
    request.signal?.throwIfAborted();
    const index = this.#calls++;
    if (this.#record) this.requests.push({ ...request, messages: [...request.messages] });
    const reply = await this.#reply(request, index);
    if (reply instanceof Error) throw reply;
    return this.#response(request, reply);
  }

  async *converseStream(request: ModelRequest): AsyncGenerator<ModelStreamEvent, void, undefined> {
    const response = await this.converse(request);
    for (const block of response.message.content) {
      request.signal?.throwIfAborted();
      if ("text" in block) yield { type: "text", delta: block.text };
      else if ("toolUse" in block) {
        const { toolUseId, name, input } = block.toolUse;
        yield { type: "toolUseStart", toolUseId, name };
        yield { type: "toolUseDelta", toolUseId, delta: JSON.stringify(input) };
      }
    }
    yield { type: "done", response };
  }

  async #reply(request: ModelRequest, index: number): Promise<ScriptedReply> {
    if (typeof this.#script === "function") return this.#script(request, index);
    const reply = this.#script[index];
    if (reply === undefined) {
      throw new ModelError(
        "MODEL_BAD_RESPONSE",
        `scripted model: no reply scripted for call ${index + 1} (script has ${this.#script.length})`,
        { retryable: false, vendorCode: "script_exhausted" },
      );
    }
    return reply;
  }

  #response(request: ModelRequest, reply: Exclude<ScriptedReply, Error>): ModelResponse {
    const spec = typeof reply === "string" ? { text: reply } : reply;
    const content: ContentBlock[] = [];
    if (spec.text !== undefined) content.push({ text: spec.text });
    (spec.toolUses ?? []).forEach((t, i) => {
      content.push({
        toolUse: { toolUseId: t.toolUseId ?? `scripted_${this.#calls}_${i}`, name: t.name, input: t.input },
      });
    });
    const inputTokens = spec.usage?.inputTokens ?? estimateTokens(request);
    const outputTokens =
      spec.usage?.outputTokens ??
      Math.ceil(((spec.text?.length ?? 0) + JSON.stringify(spec.toolUses ?? []).length) / 4);
    return {
      stopReason: spec.stopReason ?? (spec.toolUses?.length ? "tool_use" : "end_turn"),
      message: { role: "assistant", content },
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      model: this.modelId,
    };
  }
}

/** About four characters a token; cheap and deterministic. */
function estimateTokens(request: ModelRequest): number {
  let chars = request.system.length;
  for (const m of request.messages) {
    for (const b of m.content) chars += "text" in b ? b.text.length : JSON.stringify(b).length;
  }
  return Math.ceil(chars / 4);
}
