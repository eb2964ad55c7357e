/**
 * Typed lifecycle hooks. Cross-cutting work (memory writes, metrics, tracing, caching, retry
 * accounting) subscribes here instead of living inside the agent loop. Events take named fields;
 * `beforeInvocation` and `beforeToolCall` handlers may short-circuit (`respond`, `cancel`).
 */
import type { Logger } from "../core/logger.js";
import type { ToolResult } from "../tools/types.js";
import type { Message, ModelRequest, ModelResponse } from "./models/types.js";

/** Before the pipeline runs. A handler may answer instead (`respond`): no agent runs then. */
export class BeforeInvocationEvent {
  readonly type = "beforeInvocation";
  readonly invocationId: string;
  readonly prompt: string;
  readonly sessionId: string;
  readonly actorId: string;
  #answer: string | undefined;
  constructor(f: { invocationId: string; prompt: string; sessionId: string; actorId: string }) {
    this.invocationId = f.invocationId;
    this.prompt = f.prompt;
    this.sessionId = f.sessionId;
    this.actorId = f.actorId;
  }
  /** Answers the invocation with this text; the first handler to answer wins. */
  respond(text: string): void {
    this.#answer ??= text;
  }
  get answer(): string | undefined {
    return this.#answer;
  }
}
export class AfterInvocationEvent {
  readonly type = "afterInvocation";
  readonly invocationId: string;
  readonly sessionId: string;
  readonly actorId: string;
  readonly response: string;
  readonly error: unknown;
  constructor(f: {
    invocationId: string;
    sessionId: string;
    actorId: string;
    response: string;
    error: unknown;
  }) {
    this.invocationId = f.invocationId;
    this.sessionId = f.sessionId;
    this.actorId = f.actorId;
    this.response = f.response;
    this.error = f.error;
  }
}
export class MessageAddedEvent {
  readonly type = "messageAdded";
  readonly agent: string;
  readonly message: Message;
  constructor(f: { agent: string; message: Message }) {
    this.agent = f.agent;
    this.message = f.message;
  }
}
export class BeforeModelCallEvent {
  readonly type = "beforeModelCall";
  readonly agent: string;
  readonly request: ModelRequest;
  constructor(f: { agent: string; request: ModelRequest }) {
    this.agent = f.agent;
    this.request = f.request;
  }
}
export class AfterModelCallEvent {
  readonly type = "afterModelCall";
  readonly agent: string;
  readonly response: ModelResponse | undefined;
  readonly error: unknown;
  readonly ms: number;
  constructor(f: { agent: string; response: ModelResponse | undefined; error: unknown; ms: number }) {
    this.agent = f.agent;
    this.response = f.response;
    this.error = f.error;
    this.ms = f.ms;
  }
}
/** Before a tool runs. A handler may refuse the call (`cancel`): the model reads the reason as an error. */
export class BeforeToolCallEvent {
  readonly type = "beforeToolCall";
  readonly agent: string;
  readonly toolUseId: string;
  readonly name: string;
  readonly input: unknown;
  #cancelled: string | undefined;
  constructor(f: { agent: string; toolUseId: string; name: string; input: unknown }) {
    this.agent = f.agent;
    this.toolUseId = f.toolUseId;
    this.name = f.name;
    this.input = f.input;
  }
  cancel(reason: string): void {
    this.#cancelled ??= reason;
  }
  get cancelled(): string | undefined {
    return this.#cancelled;
  }
}
export class AfterToolCallEvent {
  readonly type = "afterToolCall";
  readonly agent: string;
  readonly toolUseId: string;
  readonly name: string;
  readonly input: unknown;
  readonly result: ToolResult;
  readonly ms: number;
  constructor(f: {
    agent: string;
    toolUseId: string;
    name: string;
    input: unknown;
    result: ToolResult;
    ms: number;
  }) {
    this.agent = f.agent;
    this.toolUseId = f.toolUseId;
    this.name = f.name;
    this.input = f.input;
    this.result = f.result;
    this.ms = f.ms;
  }
}
export class HandoffEvent {
  readonly type = "handoff";
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  constructor(f: { from: string; to: string; reason: string }) {
    this.from = f.from;
    this.to = f.to;
    this.reason = f.reason;
  }
}

export type HookEvent =
  | BeforeInvocationEvent
  | AfterInvocationEvent
  | MessageAddedEvent
  | BeforeModelCallEvent
  | AfterModelCallEvent
  | BeforeToolCallEvent
  | AfterToolCallEvent
  | HandoffEvent;

type Handler<E> = (event: E) => void | Promise<void>;
type EventOf<T extends HookEvent["type"]> = Extract<HookEvent, { type: T }>;

export class HookRegistry {
  readonly #handlers = new Map<string, Handler<never>[]>();
  /** Where a failing handler is reported (it never breaks the invocation). */
  constructor(private readonly logger?: Logger) {}

  on<T extends HookEvent["type"]>(type: T, handler: Handler<EventOf<T>>): () => void {
    const list = this.#handlers.get(type) ?? [];
    list.push(handler as Handler<never>);
    this.#handlers.set(type, list);
    return () => {
      const i = list.indexOf(handler as Handler<never>);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /**
   * Runs handlers in registration order; a failing handler is logged (on the invocation's logger
   * when given) and never breaks the loop.
   */
  async emit(event: HookEvent, log: Logger | undefined = this.logger): Promise<void> {
    const list = this.#handlers.get(event.type);
    if (!list) return;
    for (const h of list) {
      try {
        await (h as Handler<HookEvent>)(event);
      } catch (err) {
        log?.warn({ err, hook: event.type }, "hook handler failed");
      }
    }
  }
}
