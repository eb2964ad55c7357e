/**
 * One invocation, end to end: semantic cache → context assembly and routing (in parallel) →
 * the workflow of agents → history, memory events and the cache. Everything it touches is
 * behind an interface passed in, so tests and benchmarks wire real or scripted parts alike.
 */
import { randomUUID } from "node:crypto";
import type { AgentName } from "../agents/types.js";
import { CheckpointConflictError, FlightlyError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import type { Embedder } from "../memory/embeddings/types.js";
import type { Actor, Tool } from "../tools/types.js";
import type { StreamSink } from "./events.js";
import { AfterInvocationEvent, BeforeInvocationEvent, type HookRegistry } from "./hooks.js";
import type { MemoryPort } from "./memory-port.js";
import type { ModelProvider, Usage } from "./models/types.js";
import type { SemanticRouter } from "./router.js";
import type { CacheMiss, SemanticCache } from "./semantic-cache/cache.js";
import { cachePolicy } from "./semantic-cache/policy.js";
import { dependencyTags, toolMeta } from "./tool-catalog.js";
import { runWorkflow } from "./workflow.js";
import type { TrailEntry, WorkflowState } from "./workflow-state.js";

export interface InvokeRequest {
  prompt: string;
  sessionId: string;
  actorId: string;
  idempotencyKey?: string;
  sink?: StreamSink;
  signal?: AbortSignal;
  /** Milliseconds the whole invocation may take. */
  timeoutMs?: number;
  /**
   * Takes the session for the agents' run (after a cache miss); resolves to its release, or
   * throws (e.g. CONFLICT) when another invocation holds the session.
   */
  exclusive?: () => Promise<() => Promise<void>>;
}

export interface InvokeResult {
  response: string;
  session_id: string;
  actor_id: string;
  model: string;
  cache: {
    hit: boolean;
    kind: "exact" | "semantic" | null;
    similarity: number | null;
    matched_prompt?: string;
  };
  agents: TrailEntry[];
  route: { plan: AgentName[]; confident: boolean; similarity: number } | null;
  usage: Usage & { modelCalls: number; toolCalls: number };
  timing_ms: Record<string, number>;
}

export interface OrchestratorDeps {
  model: ModelProvider;
  tools: ReadonlyMap<string, Tool<unknown>>;
  memory: MemoryPort;
  router: SemanticRouter;
  cache: SemanticCache | undefined;
  embedder: Embedder;
  hooks: HookRegistry;
  logger: Logger;
  resolveActor: (actorId: string) => Promise<Actor>;
  cacheTtlS: number;
  maxHandoffs?: number;
  maxSteps?: number;
  now?: () => Date;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;
const EMPTY_USAGE = { inputTokens: 0, outputTokens: 0, totalTokens: 0, modelCalls: 0, toolCalls: 0 };

export class Orchestrator {
  constructor(private readonly deps: OrchestratorDeps) {}

  async invoke(req: InvokeRequest): Promise<InvokeResult> {
    const started = performance.now();
    const { deps } = this;
    const invocationId = randomUUID();
    const log = deps.logger.child({ invocationId, sessionId: req.sessionId, actorId: req.actorId });
    const signal = req.signal ?? new AbortController().signal;
    const deadline = Date.now() + (req.timeoutMs ?? 60_000);
    await deps.hooks.emit(new BeforeInvocationEvent(invocationId, req.prompt, req.sessionId, req.actorId));
    const timing: Record<string, number> = {};
    let response = "";
    let error: unknown;
    let release: (() => Promise<void>) | undefined;
    try {
      const actor = await deps.resolveActor(req.actorId);

      // 1. The semantic cache: an answer with no model call, never another actor's.
      let miss: CacheMiss | undefined;
      if (deps.cache) {
        const t = performance.now();
        const looked = await deps.cache.lookup(req.prompt, actor.id).catch((err) => {
          log.warn({ err }, "semantic cache unavailable; answering without it");
          return undefined;
        });
        timing.cache = round(performance.now() - t);
        if (looked?.hit) {
          response = looked.response;
          await this.#record(req, actor, response, "cache", log);
          timing.total = round(performance.now() - started);
          return {
            response,
            session_id: req.sessionId,
            actor_id: actor.id,
            model: deps.model.name === "local" ? "local" : deps.model.modelId,
            cache: {
              hit: true,
              kind: looked.kind,
              similarity: looked.similarity,
              matched_prompt: looked.matched_prompt,
            },
            agents: [],
            route: null,
            usage: EMPTY_USAGE,
            timing_ms: timing,
          };
        }
        miss = looked ?? undefined;
      }

      release = await req.exclusive?.();

      // 2. Context and route in parallel.
      const t = performance.now();
      const [context, route] = await Promise.all([
        deps.memory.assemble({ actorId: actor.id, sessionId: req.sessionId }, req.prompt),
        deps.router.route(req.prompt),
      ]);
      timing.context = round(context.timings.totalMs);
      timing.route = round(route.ms);
      timing.prepare = round(performance.now() - t);

      // 3. Resume the same workflow (same idempotency key), or start a new one.
      const previous = context.checkpoint.workflow;
      const resuming = req.idempotencyKey !== undefined && previous?.id === req.idempotencyKey;
      if (resuming && previous.status === "done") {
        response = previous.response ?? "";
        timing.total = round(performance.now() - started);
        return this.#result(req, actor, response, previous, route, EMPTY_USAGE, timing);
      }
      const workflow: WorkflowState = resuming
        ? previous
        : {
            id: req.idempotencyKey ?? randomUUID(),
            request: req.prompt,
            plan: route.confident ? route.plan : ["support"],
            step: 0,
            outputs: {},
            trail: [],
            texts: [],
            handoffs: 0,
            status: "running",
          };
      const w = performance.now();
      const run = await runWorkflow(
        {
          model: deps.model,
          tools: deps.tools,
          memory: deps.memory,
          hooks: deps.hooks,
          logger: log,
          maxHandoffs: deps.maxHandoffs ?? 3,
          maxSteps: deps.maxSteps ?? 8,
        },
        {
          prompt: req.prompt,
          sessionId: req.sessionId,
          actor,
          context,
          workflow,
          signal,
          deadline,
          now: deps.now?.() ?? new Date(),
          ...(req.sink ? { sink: req.sink } : {}),
        },
      ).catch((err) => {
        if (err instanceof CheckpointConflictError) {
          throw new FlightlyError("CONFLICT", "another invocation changed this session's workflow; retry", {
            cause: err,
          });
        }
        throw err;
      });
      timing.agents = round(performance.now() - w);
      response = run.workflow.response ?? "";

      // 4. Record the turn; cache what may be cached.
      const after = performance.now();
      await this.#record(req, actor, response, run.workflow.trail.at(-1)?.agent ?? "flightly", log);
      if (deps.cache && miss) {
        const policy = cachePolicy(
          req.prompt,
          run.toolCalls.map((c) => ({
            answers: toolMeta(c.name).answers,
            sideEffect: deps.tools.get(c.name)?.sideEffect ?? true,
            status: c.result.status,
          })),
          deps.cacheTtlS,
        );
        await deps.cache
          .store(req.prompt, actor.id, miss, policy, response, dependencyTags(run.toolCalls))
          .catch((err) => log.warn({ err }, "could not store the answer in the semantic cache"));
      }
      timing.record = round(performance.now() - after);
      timing.total = round(performance.now() - started);
      return this.#result(
        req,
        actor,
        response,
        run.workflow,
        route,
        { ...run.usage, modelCalls: run.modelCalls, toolCalls: run.toolCalls.length },
        timing,
      );
    } catch (err) {
      error = err;
      throw err;
    } finally {
      await release?.();
      await deps.hooks.emit(
        new AfterInvocationEvent(invocationId, req.sessionId, req.actorId, response, error),
      );
    }
  }

  async #record(
    req: InvokeRequest,
    actor: Actor,
    response: string,
    agent: string,
    log: Logger,
  ): Promise<void> {
    const at = new Date().toISOString();
    await this.deps.memory
      .recordTurn({ actorId: actor.id, sessionId: req.sessionId }, [
        { role: "user", text: req.prompt, at },
        { role: "assistant", text: response, agent, at },
      ])
      .catch((err) => log.warn({ err }, "could not record the turn"));
  }

  #result(
    req: InvokeRequest,
    actor: Actor,
    response: string,
    wf: WorkflowState,
    route: { plan: AgentName[]; confident: boolean; similarity: number },
    usage: InvokeResult["usage"],
    timing: Record<string, number>,
  ): InvokeResult {
    return {
      response,
      session_id: req.sessionId,
      actor_id: actor.id,
      model: this.deps.model.name === "local" ? "local" : this.deps.model.modelId,
      cache: { hit: false, kind: null, similarity: null },
      agents: wf.trail,
      route: { plan: route.plan, confident: route.confident, similarity: route.similarity },
      usage,
      timing_ms: timing,
    };
  }
}
