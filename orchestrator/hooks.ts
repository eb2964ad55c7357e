/**
 * Typed lifecycle hooks. Cross-cutting work (memory writes, metrics, tracing, caching, retry
 * accounting) subscribes here instead of living inside the agent loop. Events take named fields;
 * `beforeInvocation` and `beforeToolCall` handlers may short-circuit (`respond`, `cancel`).
 */
import type { Logger } from "../core/logger.js";
import type { ToolResult } from "../tools/types.js";
import type { Message, ModelRequest, ModelResponse } from "./models/types.js";
import type { CacheTrail, TrailHandoff } from "./trail.js";

/** Before the pipeline runs. A handler may answer instead (`respond`): no agent runs then. */
export class BeforeInvocationEvent {
  readonly type = "beforeInvocation";
  readonly invocationId: string;
  readonly prompt: string;
  readonly sessionId: string;
  readonly actorId: string;
  /** When the invocation began (epoch ms), before its actor was resolved. */
  readonly startedAt: number;
  #answer: string | undefined;
  constructor(f: {
    invocationId: string;
    prompt: string;
    sessionId: string;
    actorId: string;
    startedAt?: number;
  }) {
    this.invocationId = f.invocationId;
    this.prompt = f.prompt;
    this.sessionId = f.sessionId;
    this.actorId = f.actorId;
    this.startedAt = f.startedAt ?? Date.now();
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
  /** When the invocation began (epoch ms). */
  readonly startedAt: number;
  /** The checkpoint version this invocation's workflow wrote last; undefined when none ran. */
  readonly checkpointVersion: number | undefined;
  constructor(f: {
    invocationId: string;
    sessionId: string;
    actorId: string;
    response: string;
    error: unknown;
    startedAt?: number;
    checkpointVersion?: number | undefined;
  }) {
    this.invocationId = f.invocationId;
    this.sessionId = f.sessionId;
    this.actorId = f.actorId;
    this.response = f.response;
    this.error = f.error;
    this.startedAt = f.startedAt ?? Date.now();
    this.checkpointVersion = f.checkpointVersion;
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
  /** The invocation the call belongs to ("" when run outside one). */
  readonly invocationId: string;
  readonly agent: string;
  readonly request: ModelRequest;
  constructor(f: { invocationId?: string; agent: string; request: ModelRequest }) {
    this.invocationId = f.invocationId ?? "";
    this.agent = f.agent;
    this.request = f.request;
  }
}
export class AfterModelCallEvent {
  readonly type = "afterModelCall";
  readonly invocationId: string;
  readonly agent: string;
  readonly response: ModelResponse | undefined;
  readonly error: unknown;
  readonly ms: number;
  constructor(f: {
    invocationId?: string;
    agent: string;
    response: ModelResponse | undefined;
    error: unknown;
    ms: number;
  }) {
    this.invocationId = f.invocationId ?? "";
    this.agent = f.agent;
    this.response = f.response;
    this.error = f.error;
    this.ms = f.ms;
  }
}
/** Before a tool runs. A handler may refuse the call (`cancel`): the model reads the reason as an error. */
export class BeforeToolCallEvent {
  readonly type = "beforeToolCall";
  readonly invocationId: string;
  readonly agent: string;
  readonly toolUseId: string;
  readonly name: string;
  readonly input: unknown;
  #cancelled: string | undefined;
  constructor(f: { invocationId?: string; agent: string; toolUseId: string; name: string; input: unknown }) {
    this.invocationId = f.invocationId ?? "";
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
  readonly invocationId: string;
  readonly agent: string;
  readonly toolUseId: string;
  readonly name: string;
  readonly input: unknown;
  readonly result: ToolResult;
  readonly ms: number;
  constructor(f: {
    invocationId?: string;
    agent: string;
    toolUseId: string;
    name: string;
    input: unknown;
    result: ToolResult;
    ms: number;
  }) {
    this.invocationId = f.invocationId ?? "";
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
  readonly invocationId: string;
  readonly from: string;
  readonly to: string;
  /** The handing agent's words, redacted. */
  readonly reason: string;
  /** Why the handoff was not followed (`limit`, `ping-pong`); undefined when it was. */
  readonly refused: TrailHandoff["refused"];
  constructor(f: {
    invocationId?: string;
    from: string;
    to: string;
    reason: string;
    refused?: TrailHandoff["refused"];
  }) {
    this.invocationId = f.invocationId ?? "";
    this.from = f.from;
    this.to = f.to;
    this.reason = f.reason;
    this.refused = f.refused;
  }
}
/** A workflow step's agent begins (`step`: its index in the plan). */
export class AgentStartEvent {
  readonly type = "agentStart";
  readonly invocationId: string;
  readonly agent: string;
  readonly step: number;
  constructor(f: { invocationId: string; agent: string; step: number }) {
    this.invocationId = f.invocationId;
    this.agent = f.agent;
    this.step = f.step;
  }
}
/** The step's agent finished (`error` when it threw); `checkpointVersion` is the version written after it. */
export class AgentEndEvent {
  readonly type = "agentEnd";
  readonly invocationId: string;
  readonly agent: string;
  readonly error: unknown;
  readonly checkpointVersion: number | undefined;
  constructor(f: { invocationId: string; agent: string; error?: unknown; checkpointVersion?: number }) {
    this.invocationId = f.invocationId;
    this.agent = f.agent;
    this.error = f.error;
    this.checkpointVersion = f.checkpointVersion;
  }
}
/** What the response cache decided for this invocation (a lookup, then the store of a miss). */
export class CacheDecisionEvent {
  readonly type = "cacheDecision";
  readonly invocationId: string;
  readonly decision: CacheTrail;
  constructor(f: { invocationId: string; decision: CacheTrail }) {
    this.invocationId = f.invocationId;
    this.decision = f.decision;
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
  | HandoffEvent
  | AgentStartEvent
  | AgentEndEvent
  | CacheDecisionEvent;

type Handler<E> = (event: E) => void | Promise<void>;

const DONE: Promise<void> = Promise.resolve();
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
  emit(event: HookEvent, log: Logger | (() => Logger) | undefined = this.logger): Promise<void> {
    const list = this.#handlers.get(event.type);
    if (!list) return DONE;
    // Synchronous handlers (most) run without a promise per handler; the first that returns one
    // is awaited, and the rest run after it, in order.
    for (let i = 0; i < list.length; i++) {
      const result = this.#run(list[i]!, event, log);
      if (result) return this.#emitFrom(result, list, i + 1, event, log);
    }
    return DONE;
  }

  /** Runs one handler; a promise when it returned one (its failure already handled). */
  #run(
    h: Handler<never>,
    event: HookEvent,
    log: Logger | (() => Logger) | undefined,
  ): Promise<void> | undefined {
    const failed = (err: unknown): void => {
      (typeof log === "function" ? log() : log)?.warn({ err, hook: event.type }, "hook handler failed");
    };
    try {
      const out = (h as Handler<HookEvent>)(event);
      return out instanceof Promise ? out.catch(failed) : undefined;
    } catch (err) {
      failed(err);
      return undefined;
    }
  }

  async #emitFrom(
    pending: Promise<void>,
    list: readonly Handler<never>[],
    from: number,
    event: HookEvent,
    log: Logger | (() => Logger) | undefined,
  ): Promise<void> {
    await pending;
    for (let i = from; i < list.length; i++) await this.#run(list[i]!, event, log);
  }
}
