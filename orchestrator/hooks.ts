/**
 * Typed lifecycle hooks. Cross-cutting work (memory writes, metrics, tracing, caching, retry
 * accounting) subscribes here instead of living inside the agent loop.
 */
import type { ToolResult } from "../tools/types.js";
import type { Message, ModelRequest, ModelResponse } from "./models/types.js";

export class BeforeInvocationEvent {
  readonly type = "beforeInvocation";
  constructor(
    readonly invocationId: string,
    readonly prompt: string,
    readonly sessionId: string,
    readonly actorId: string,
  ) {}
}
export class AfterInvocationEvent {
  readonly type = "afterInvocation";
  constructor(
    readonly invocationId: string,
    readonly sessionId: string,
    readonly actorId: string,
    readonly response: string,
    readonly error: unknown,
  ) {}
}
export class MessageAddedEvent {
  readonly type = "messageAdded";
  constructor(
    readonly agent: string,
    readonly message: Message,
  ) {}
}
export class BeforeModelCallEvent {
  readonly type = "beforeModelCall";
  constructor(
    readonly agent: string,
    readonly request: ModelRequest,
  ) {}
}
export class AfterModelCallEvent {
  readonly type = "afterModelCall";
  constructor(
    readonly agent: string,
    readonly response: ModelResponse | undefined,
    readonly error: unknown,
    readonly ms: number,
  ) {}
}
export class BeforeToolCallEvent {
  readonly type = "beforeToolCall";
  constructor(
    readonly agent: string,
    readonly toolUseId: string,
    readonly name: string,
    readonly input: unknown,
  ) {}
}
export class AfterToolCallEvent {
  readonly type = "afterToolCall";
  constructor(
    readonly agent: string,
    readonly toolUseId: string,
    readonly name: string,
    readonly input: unknown,
    readonly result: ToolResult,
    readonly ms: number,
  ) {}
}
export class HandoffEvent {
  readonly type = "handoff";
  constructor(
    readonly from: string,
    readonly to: string,
    readonly reason: string,
  ) {}
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

  on<T extends HookEvent["type"]>(type: T, handler: Handler<EventOf<T>>): () => void {
    const list = this.#handlers.get(type) ?? [];
    list.push(handler as Handler<never>);
    this.#handlers.set(type, list);
    return () => {
      const i = list.indexOf(handler as Handler<never>);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** Runs handlers in registration order; a failing handler never breaks the loop. */
  async emit(event: HookEvent, onError?: (err: unknown) => void): Promise<void> {
    const list = this.#handlers.get(event.type);
    if (!list) return;
    for (const h of list) {
      try {
        await (h as Handler<HookEvent>)(event);
      } catch (err) {
        onError?.(err);
      }
    }
  }
}
