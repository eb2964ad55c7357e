/**
 * OpenTelemetry spans on the lifecycle hooks, after the GenAI semantic conventions: a root span per
 * invocation, `invoke_agent <agent>` per workflow step under it, and under each agent its
 * `chat <model>` and `execute_tool <tool>` spans; cache decisions (root) and handoffs (agent) are
 * span events. Nothing here touches the loop. With the API's no-op tracer (no exporter configured)
 * the root span does not record, the invocation is not tracked, and every later hook returns after
 * one map lookup: no attribute is built. Attributes never hold a prompt or an answer; tool inputs,
 * handoff reasons and error messages go through the redactor.
 */
import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { redactText, redactValue } from "../core/redact.js";
import type { HookRegistry } from "./hooks.js";
import type { CacheTrail } from "./trail.js";

/** Longest tool-argument attribute (redacted JSON). */
const ARGS_MAX = 1_000;

interface Open {
  root: Span;
  sessionId: string;
  agent?: Span | undefined;
  model?: Span | undefined;
  tools: Map<string, Span>;
}

export interface TraceModel {
  /** The provider label (`local`, `bedrock`, `openai`, `scripted`). */
  provider: string;
  /** The model id requested. */
  id: string;
}

/** `gen_ai.provider.name` for a provider label (the semantic conventions' well-known values). */
const PROVIDER: Record<string, string> = { bedrock: "aws.bedrock", openai: "openai" };

function failed(span: Span, err: unknown): void {
  const type = err instanceof Error ? err.name : "error";
  const code = (err as { code?: unknown })?.code;
  span.setAttribute("error.type", typeof code === "string" ? code : type);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: redactText(err instanceof Error ? err.message : String(err)).slice(0, 300),
  });
}

function cacheAttributes(d: CacheTrail): Attributes {
  const a: Attributes = {
    "flightly.cache.hit": d.hit,
    "flightly.cache.reason": d.reason,
    "flightly.cache.depends_on": d.depends_on,
  };
  if (d.kind) a["flightly.cache.kind"] = d.kind;
  if (d.similarity !== null) a["flightly.cache.similarity"] = d.similarity;
  if (d.nearest !== null) a["flightly.cache.nearest"] = d.nearest;
  if (d.entry_id) a["flightly.cache.entry_id"] = d.entry_id;
  if (d.store) {
    a["flightly.cache.store.reason"] = d.store.reason;
    a["flightly.cache.store.category"] = d.store.category;
  }
  return a;
}

/** Subscribes the spans to `hooks`; `tracer` is the API's (no-op unless a provider is registered). */
export function traceHooks(hooks: HookRegistry, tracer: Tracer, model: TraceModel): void {
  const open = new Map<string, Open>();
  const provider = PROVIDER[model.provider] ?? `flightly.${model.provider}`;
  // Parents are given explicitly: no context manager is needed.
  const under = (parent: Span) => trace.setSpan(context.active(), parent);

  hooks.on("beforeInvocation", (e) => {
    const root = tracer.startSpan("invocation", { kind: SpanKind.SERVER, startTime: e.startedAt });
    if (!root.isRecording()) return;
    root.setAttributes({
      "gen_ai.conversation.id": e.sessionId,
      "flightly.invocation.id": e.invocationId,
      "flightly.actor.id": e.actorId,
    });
    open.set(e.invocationId, { root, sessionId: e.sessionId, tools: new Map() });
  });

  hooks.on("cacheDecision", (e) => {
    const s = open.get(e.invocationId);
    if (!s) return;
    s.root.addEvent(
      e.decision.store ? "flightly.cache.store" : "flightly.cache.lookup",
      cacheAttributes(e.decision),
    );
  });

  hooks.on("agentStart", (e) => {
    const s = open.get(e.invocationId);
    if (!s) return;
    s.agent = tracer.startSpan(
      `invoke_agent ${e.agent}`,
      {
        kind: SpanKind.INTERNAL,
        attributes: {
          "gen_ai.operation.name": "invoke_agent",
          "gen_ai.agent.name": e.agent,
          "gen_ai.provider.name": provider,
          "gen_ai.request.model": model.id,
          "gen_ai.conversation.id": s.sessionId,
          "flightly.workflow.step": e.step,
        },
      },
      under(s.root),
    );
  });

  hooks.on("beforeModelCall", (e) => {
    const s = open.get(e.invocationId);
    if (!s) return;
    s.model = tracer.startSpan(
      `chat ${model.id}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          "gen_ai.operation.name": "chat",
          "gen_ai.provider.name": provider,
          "gen_ai.request.model": model.id,
          "flightly.agent": e.agent,
        },
      },
      under(s.agent ?? s.root),
    );
  });

  hooks.on("afterModelCall", (e) => {
    const s = open.get(e.invocationId);
    const span = s?.model;
    if (!s || !span) return;
    s.model = undefined;
    if (e.response) {
      const u = e.response.usage;
      span.setAttributes({
        "gen_ai.response.model": e.response.model,
        "gen_ai.response.finish_reasons": [e.response.stopReason],
      });
      // The local planner and scripted models report no tokens: left out rather than zero.
      if (u.totalTokens > 0) {
        span.setAttributes({
          "gen_ai.usage.input_tokens": u.inputTokens,
          "gen_ai.usage.output_tokens": u.outputTokens,
        });
        if (u.cacheReadInputTokens !== undefined)
          span.setAttribute("gen_ai.usage.cache_read.input_tokens", u.cacheReadInputTokens);
        if (u.cacheWriteInputTokens !== undefined)
          span.setAttribute("gen_ai.usage.cache_creation.input_tokens", u.cacheWriteInputTokens);
      }
    }
    if (e.error !== undefined) failed(span, e.error);
    span.end();
  });

  hooks.on("beforeToolCall", (e) => {
    const s = open.get(e.invocationId);
    if (!s) return;
    const args = JSON.stringify(redactValue(e.input ?? {}));
    const attributes: Attributes = {
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": e.name,
      "gen_ai.tool.type": "function",
      "gen_ai.tool.call.arguments": args.length > ARGS_MAX ? `${args.slice(0, ARGS_MAX - 1)}…` : args,
      "flightly.agent": e.agent,
    };
    if (e.toolUseId) attributes["gen_ai.tool.call.id"] = e.toolUseId;
    const span = tracer.startSpan(
      `execute_tool ${e.name}`,
      { kind: SpanKind.INTERNAL, attributes },
      under(s.agent ?? s.root),
    );
    s.tools.set(e.toolUseId, span);
  });

  hooks.on("afterToolCall", (e) => {
    const s = open.get(e.invocationId);
    const span = s?.tools.get(e.toolUseId);
    if (!s || !span) return;
    s.tools.delete(e.toolUseId);
    span.setAttribute("flightly.tool.status", e.result.status);
    if (e.result.status === "error") {
      span.setAttribute("error.type", "tool_error");
      span.setStatus({ code: SpanStatusCode.ERROR, message: redactText(e.result.error).slice(0, 300) });
    }
    span.end();
  });

  hooks.on("handoff", (e) => {
    const s = open.get(e.invocationId);
    if (!s) return;
    const attributes: Attributes = {
      "flightly.handoff.from": e.from,
      "flightly.handoff.to": e.to,
      "flightly.handoff.reason": redactText(e.reason),
    };
    if (e.refused) attributes["flightly.handoff.refused"] = e.refused;
    (s.agent ?? s.root).addEvent("flightly.handoff", attributes);
  });

  hooks.on("agentEnd", (e) => {
    const s = open.get(e.invocationId);
    const span = s?.agent;
    if (!s || !span) return;
    if (e.checkpointVersion !== undefined)
      span.setAttribute("flightly.checkpoint.version", e.checkpointVersion);
    if (e.error !== undefined) failed(span, e.error);
    span.end();
    s.agent = undefined;
  });

  hooks.on("afterInvocation", (e) => {
    let s = open.get(e.invocationId);
    if (!s) {
      // The invocation failed before its hooks ran (no actor): the root is made now.
      if (e.error === undefined) return;
      const root = tracer.startSpan("invocation", { kind: SpanKind.SERVER, startTime: e.startedAt });
      if (!root.isRecording()) return;
      s = { root, sessionId: e.sessionId, tools: new Map() };
    }
    open.delete(e.invocationId);
    for (const span of [...s.tools.values(), s.model, s.agent]) span?.end();
    if (e.checkpointVersion !== undefined)
      s.root.setAttribute("flightly.checkpoint.version", e.checkpointVersion);
    if (e.error !== undefined) failed(s.root, e.error);
    s.root.end();
  });
}
