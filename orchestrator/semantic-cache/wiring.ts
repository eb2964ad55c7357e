/**
 * How the response cache hangs on the rest of the product: writes made by side-effecting tools
 * drop the writer's own cached answers (their bookings, what their profile shaped), and the
 * audit's recomputation — the turn's pipeline again with the tool results uncached, write tools
 * refused, and nothing served, stored or remembered.
 */
import type { CacheStats, ToolCache } from "../../tools/cache-types.js";
import { fail, type Tool } from "../../tools/types.js";
import { HookRegistry } from "../hooks.js";
import type { MemoryPort, SessionGate } from "../memory-port.js";
import { Orchestrator } from "../orchestrator.js";
import type { OrchestratorDeps } from "../stages.js";
import { type AuditedAnswer, type AuditRequest, recordCalls } from "./audit.js";

/**
 * The tools with every side-effecting one telling `onWrite` of the actor after each success
 * (reservations, confirmations, cancellations, payments): what that actor was answered before
 * may have changed, whichever process stored it.
 */
export function announcingWrites(
  tools: ReadonlyMap<string, Tool<unknown>>,
  onWrite: (actorId: string) => Promise<unknown>,
): Map<string, Tool<unknown>> {
  const out = new Map<string, Tool<unknown>>();
  for (const [name, tool] of tools) {
    if (!tool.sideEffect) {
      out.set(name, tool);
      continue;
    }
    out.set(name, {
      ...tool,
      run: async (input, ctx) => {
        const result = await tool.run(input, ctx);
        if (result.status === "success") await onWrite(ctx.actor.id);
        return result;
      },
    });
  }
  return out;
}

/** A tool cache that caches nothing: the audit reads the data as it is now. */
export function uncachedToolCache(): ToolCache {
  const stats: CacheStats = { hits: 0, misses: 0, coalesced: 0, bypassed: 0, invalidations: 0, byName: {} };
  return {
    cached: (tool) => tool,
    wrap: (_key, _ttl, fn) => fn(),
    invalidate: async () => {},
    stats: () => structuredClone(stats),
  };
}

/** Memory that reads as the real one and writes nothing (history, state, checkpoints). */
function readOnlyMemory(memory: MemoryPort): MemoryPort {
  return {
    assemble: (scope, query) => memory.assemble(scope, query),
    remembered: (actorId) => memory.remembered(actorId),
    recall: (actorId, query, k) => memory.recall(actorId, query, k),
    recordTurn: async () => {},
    setState: async () => {},
    writeWorkflow: async (_scope, expected) => expected + 1,
  };
}

const noGate: SessionGate = { enter: async () => async () => {} };

export interface RecomputeOptions {
  /** The serving orchestrator's dependencies. */
  deps: OrchestratorDeps;
  /** The tools the audit runs: uncached reads (by name), the live map for the rest. */
  uncached: Readonly<Record<string, Tool<unknown>>>;
  live: ReadonlyMap<string, Tool<unknown>>;
  timeoutMs?: number;
}

/** Runs a request's turn again as the audit needs it; returns its answer and the calls it made. */
export function recomputer(o: RecomputeOptions): (req: AuditRequest) => Promise<AuditedAnswer> {
  return async (req) => {
    // The calls as the tools received them (validated input), whatever their order.
    const calls: Parameters<typeof recordCalls>[0][number][] = [];
    const tools = new Map<string, Tool<unknown>>();
    for (const [name, live] of o.live) {
      const tool = o.uncached[name] ?? live;
      tools.set(name, {
        ...tool,
        run: async (input, ctx) => {
          const result = tool.sideEffect
            ? fail("not run: the answer is being audited, nothing may change")
            : await tool.run(input, ctx);
          calls.push({ name, input, result });
          return result;
        },
      });
    }
    const hooks = new HookRegistry(o.deps.logger);
    const { audit: _none, ...deps } = o.deps;
    const again = new Orchestrator({
      ...deps,
      cache: undefined,
      tools,
      hooks,
      memory: readOnlyMemory(o.deps.memory),
      gate: noGate,
    });
    const result = await again.invoke({ ...req, timeoutMs: o.timeoutMs ?? 30_000 });
    return { response: result.response, calls: recordCalls(calls) };
  };
}
