/**
 * Metrics on the lifecycle hooks: counts and latency of invocations, model calls, tool calls and
 * handoffs, with a debug log line per step (spans: `tracing.ts`). Nothing here touches the loop.
 */
import type { Logger } from "../core/logger.js";
import type { HookRegistry } from "./hooks.js";

interface Timing {
  count: number;
  errors: number;
  totalMs: number;
  maxMs: number;
}

export interface TelemetrySnapshot {
  invocations: { count: number; errors: number };
  modelCalls: Timing;
  toolCalls: Record<string, Timing>;
  handoffs: number;
}

const empty = (): Timing => ({ count: 0, errors: 0, totalMs: 0, maxMs: 0 });
const add = (t: Timing, ms: number, failed: boolean): void => {
  t.count++;
  if (failed) t.errors++;
  t.totalMs += ms;
  t.maxMs = Math.max(t.maxMs, ms);
};

export class Telemetry {
  readonly #s: TelemetrySnapshot = {
    invocations: { count: 0, errors: 0 },
    modelCalls: empty(),
    toolCalls: {},
    handoffs: 0,
  };

  constructor(hooks: HookRegistry, logger: Logger) {
    const log = logger.child({ component: "trace" });
    hooks.on("afterInvocation", (e) => {
      this.#s.invocations.count++;
      if (e.error) this.#s.invocations.errors++;
    });
    hooks.on("afterModelCall", (e) => {
      add(this.#s.modelCalls, e.ms, e.error !== undefined);
      log.debug({ agent: e.agent, ms: Math.round(e.ms), stop: e.response?.stopReason }, "model call");
    });
    hooks.on("afterToolCall", (e) => {
      this.#s.toolCalls[e.name] ??= empty();
      add(this.#s.toolCalls[e.name]!, e.ms, e.result.status === "error");
      log.debug({ agent: e.agent, tool: e.name, ms: Math.round(e.ms), status: e.result.status }, "tool call");
    });
    hooks.on("handoff", (e) => {
      this.#s.handoffs++;
      log.debug({ from: e.from, to: e.to }, "handoff");
    });
  }

  snapshot(): TelemetrySnapshot {
    return structuredClone(this.#s);
  }
}
