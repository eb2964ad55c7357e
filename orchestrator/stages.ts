/**
 * The stages of an invocation, in order: actor → hooks → cache lookup → session gate → references
 * (resolved against the session, then the customer's memory) → cache lookup of the resolved
 * request → context and route → resume → agents → record → cache store. Each reads and writes the `Turn` and can be run alone in a test with a turn built by hand.
 */
import { randomUUID } from "node:crypto";
import { AGENT_NAMES } from "../agents/types.js";
import { CheckpointConflictError, FlightlyError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { unredactableDigest } from "../core/redact.js";
import {
  continuesConversation,
  needsMemory,
  readRequest,
  resolveRequest,
  type SessionFacts,
} from "../language/index.js";
import type { Embedder } from "../memory/embeddings/types.js";
import { actorSource } from "../memory/response-cache.js";
import type { Actor, Tool } from "../tools/types.js";
import { decided, lookup } from "./cache-decision.js";
import { BeforeInvocationEvent, type HookRegistry } from "./hooks.js";
import type { MemoryPort, SessionGate, TurnContext } from "./memory-port.js";
import type { ModelProvider } from "./models/types.js";
import { freeSlot, round, type Stage, type Turn } from "./pipeline.js";
import type { SemanticRouter } from "./router.js";
import type { ScopeGate } from "./scope.js";
import { type CacheAudit, recordCalls } from "./semantic-cache/audit.js";
import { type SemanticCache, selfContainedKey } from "./semantic-cache/cache.js";
import { answerCachePolicy, keyedPlaces, placesOfInput } from "./semantic-cache/policy.js";
import { dependencyTags, toolMeta } from "./tool-catalog.js";
import { type CacheStore, cacheMiss } from "./trail.js";
import type { TurnSlots } from "./turn-slots.js";
import { runWorkflow } from "./workflow.js";
import { isWorkflowOf, type WorkflowState } from "./workflow-state.js";

export interface OrchestratorDeps {
  model: ModelProvider;
  tools: ReadonlyMap<string, Tool<unknown>>;
  memory: MemoryPort;
  /** One invocation at a time per session, taken only when the agents run. */
  gate: SessionGate;
  router: SemanticRouter;
  /** Declines, with no agent run, a request about what Flightly does not do; absent: no gate. */
  scope?: ScopeGate;
  cache: SemanticCache | undefined;
  /** Samples cache hits for a background recomputation (absent: no audit). */
  audit?: CacheAudit;
  embedder: Embedder;
  hooks: HookRegistry;
  logger: Logger;
  resolveActor: (actorId: string) => Promise<Actor>;
  cacheTtlS: number;
  maxHandoffs?: number;
  maxSteps?: number;
  /** How long a second invocation on a busy session waits before `CONFLICT` (default 1.5 s). */
  sessionWaitMs?: number;
  /** Bounds the turns running the agents at once (absent: no bound). */
  turnSlots?: TurnSlots;
  now?: () => Date;
}

const unanswered = (t: Turn): boolean => t.answer === undefined;
const scopeOf = (t: Turn) => ({ actorId: t.actor!.id, sessionId: t.req.sessionId });

const AGENTS: ReadonlySet<string> = new Set(AGENT_NAMES);

export function invocationStages(deps: OrchestratorDeps): Stage[] {
  return [
    {
      name: "actor",
      run: async (t) => {
        t.actor = await deps.resolveActor(t.req.actorId);
      },
    },
    {
      // A hook may answer before anything else runs.
      name: "hooks",
      run: async (t) => {
        const event = new BeforeInvocationEvent({
          invocationId: t.id,
          prompt: t.req.prompt,
          sessionId: t.req.sessionId,
          actorId: t.actor!.id,
          startedAt: t.startedAt,
        });
        await deps.hooks.emit(event, () => t.log);
        if (event.answer !== undefined) t.answer = { response: event.answer, by: "hook" };
      },
    },
    {
      // An answer with no model call, never another actor's. A request that refers to nothing
      // outside itself (read without I/O) is looked up here; one that refers to the session waits
      // for it ("cache-context").
      name: "cache",
      when: (t) => deps.cache !== undefined && unanswered(t),
      run: async (t) => {
        // Read once per text and clock minute: a repeated question is not read again.
        const read = selfContainedKey(t.req.prompt, t.now);
        if (read.needsSession) return;
        if (read.keyed) await lookup(deps, t, read.keyed);
        else await decided(deps, t, cacheMiss("reference unresolved"));
      },
    },
    {
      // A request outside what the agents can do gets its one-line decline before any tool runs
      // (after the cache: a repeated question is answered without being classified again).
      name: "scope",
      when: (t) => deps.scope !== undefined && unanswered(t),
      run: async (t) => {
        const decision = deps.scope!.decide(t.req.prompt);
        if (decision.serve) return;
        t.log.debug({ topic: decision.topic, similarity: decision.similarity }, "answered by the scope gate");
        // A follow-up ("what about her oxygen machine") waits for the session: see "held-decline".
        if (decision.decline !== undefined && continuesConversation(t.req.prompt))
          t.heldDecline = decision.decline;
        else t.answer = { response: decision.reply ?? decision.decline!, by: "flightly" };
      },
    },
    {
      name: "gate",
      when: unanswered,
      run: async (t) => {
        // A process slot before the session's lease: a turn holding a lease always runs.
        if (deps.turnSlots) {
          t.slot = deps.turnSlots.take(t.signal);
          await t.slot;
        }
        const entering = deps.gate.enter(scopeOf(t), {
          holdMs: Math.max(1_000, t.deadline - Date.now()) + 5_000,
          waitMs: deps.sessionWaitMs ?? 1_500,
        });
        // The turn's context is read in the same write as the request for the session, after it:
        // kept only when the session was free then (otherwise read again once it is held).
        const early = deps.memory.assemble(scopeOf(t), t.req.prompt).catch(() => undefined);
        const release = await entering;
        t.release = release;
        if (release.firstTry) t.context = await early;
      },
    },
    {
      // References ("there" → the session's destination, "the cheapest" → its results) resolved
      // under the session gate against short-term memory (no recall). A place the session does
      // not name is looked up in a signed-in customer's long-term memory: one query, only then.
      // A guest has none, and a reference with nothing to point at stays unresolved (the agents
      // ask); it is neither looked up in nor stored in the cache. Nor is a request that needed
      // long-term memory: the lookup path never queries it, so such a turn always runs the agents.
      name: "references",
      when: unanswered,
      run: async (t) => {
        t.reading ??= readRequest(t.req.prompt, t.now);
        if (!t.reading.needsSession) return;
        // The turn's whole context, read once under the session gate: the agents use it as read.
        const ctx =
          t.context ??
          (await deps.memory.assemble(scopeOf(t), t.req.prompt).catch((err) => {
            t.log.warn({ err }, "session unreadable for references; answering without it");
            return undefined;
          }));
        if (!ctx) return;
        t.context = ctx;
        const session = sessionFacts(ctx);
        t.memoryRead = !t.actor!.guest && needsMemory(t.reading, session, t.now);
        const memory = t.memoryRead
          ? await deps.memory.remembered(t.actor!.id).catch((err) => {
              t.log.warn({ err }, "long-term memory unreadable for references; answering without it");
              return undefined;
            })
          : undefined;
        t.resolution = resolveRequest(t.reading, t.now, session, memory);
        if (t.memoryRead && deps.cache) await decided(deps, t, cacheMiss("needs long-term memory"));
      },
    },
    {
      // Keyed on the resolved request (the place named, the results by digest), never on words
      // that mean another place for someone else.
      name: "cache-context",
      when: (t) =>
        deps.cache !== undefined && unanswered(t) && t.resolution?.resolved === true && !t.memoryRead,
      run: async (t) => {
        if (t.resolution?.resolved) await lookup(deps, t, t.resolution, t.resolution.references.length > 0);
      },
    },
    {
      name: "prepare",
      when: unanswered,
      run: async (t) => {
        const [context, route] = await Promise.all([
          t.context ?? deps.memory.assemble(scopeOf(t), t.req.prompt),
          deps.router.route(t.req.prompt),
        ]);
        t.context = context;
        t.route = route;
        t.timing.context = round(context.timings.totalMs);
        t.timing.route = round(route.ms);
      },
    },
    {
      // A follow-up the gate would decline continues the last turn's subject when an agent answered
      // it; with nothing served before it in the session, it is declined after all.
      name: "held-decline",
      when: (t) => t.heldDecline !== undefined && unanswered(t),
      run: async (t) => {
        const last = t.context!.history.findLast((h) => h.role === "assistant");
        if (!AGENTS.has(last?.agent ?? "")) t.answer = { response: t.heldDecline!, by: "flightly" };
      },
    },
    {
      // The same workflow again (same idempotency key), or a new one.
      name: "resume",
      when: unanswered,
      run: async (t) => {
        const previous = t.context!.checkpoint.workflow;
        const key = t.req.idempotencyKey;
        if (key !== undefined && previous && isWorkflowOf(previous, key)) {
          const same = { ...previous, id: key };
          if (same.status === "done") {
            t.answer = { response: same.response ?? "", by: "replay", replay: true, workflow: same };
          }
          t.workflow = same;
          return;
        }
        t.workflow = newWorkflow(key ?? randomUUID(), t);
      },
    },
    {
      name: "agents",
      when: unanswered,
      keepsDeadline: true,
      run: async (t) => {
        const run = await runWorkflow(
          {
            model: deps.model,
            tools: deps.tools,
            memory: deps.memory,
            hooks: deps.hooks,
            logger: t.log,
            maxHandoffs: deps.maxHandoffs ?? 3,
            maxSteps: deps.maxSteps ?? 8,
          },
          {
            prompt: t.req.prompt,
            sessionId: t.req.sessionId,
            actor: t.actor!,
            context: t.context!,
            workflow: t.workflow!,
            signal: t.signal,
            deadline: t.deadline,
            now: t.now,
            invocationId: t.id,
            ...(t.req.sink ? { sink: t.req.sink } : {}),
          },
        ).catch((err) => {
          if (err instanceof CheckpointConflictError) {
            throw new FlightlyError("CONFLICT", "another invocation changed this session's workflow; retry", {
              cause: err,
            });
          }
          throw err;
        });
        // The slot bounds the turns computing at once; what follows (the history write, the cache
        // store) waits on the stores, and the next turn may compute meanwhile.
        freeSlot(t);
        t.run = run;
        t.checkpointVersion = run.version;
        const last = run.workflow.trail.at(-1)?.agent ?? "flightly";
        t.answer = { response: run.workflow.response ?? "", by: last, workflow: run.workflow };
      },
    },
    {
      name: "record",
      when: (t) => t.answer !== undefined && !t.answer.replay,
      // Started here, awaited with the session's release (see `Orchestrator.invoke`).
      run: async (t) => {
        const at = new Date().toISOString();
        t.recordStarted = performance.now();
        // The write outlives a cache hit's turn: its failure handler keeps the ids, not the turn.
        const ids = { requestId: t.id, sessionId: t.req.sessionId, actorId: t.req.actorId };
        const log = { warn: (o: object, msg: string) => deps.logger.child(ids).warn(o, msg) };
        t.recorded = deps.memory
          .recordTurn(scopeOf(t), [
            { role: "user", text: t.req.prompt, at },
            { role: "assistant", text: t.answer!.response, agent: t.answer!.by, at },
          ])
          .catch((err) => log.warn({ err }, "could not record the turn"));
      },
    },
    {
      // What may be cached, for whom, depending on what.
      name: "store",
      when: (t) => deps.cache !== undefined && t.miss !== undefined && t.run !== undefined,
      run: async (t) => {
        const calls = t.run!.toolCalls;
        const policy = answerCachePolicy(
          t.req.prompt,
          calls.map((c) => ({
            answers: toolMeta(c.name).answers,
            sideEffect: deps.tools.get(c.name)?.sideEffect ?? true,
            status: c.result.status,
            places: placesOfInput(c.input),
          })),
          deps.cacheTtlS,
          keyedPlaces(t.miss!.entities),
        );
        const tags = dependencyTags(calls);
        const stored = await deps
          .cache!.store(t.req.prompt, t.actor!.id, t.miss!, policy, t.answer!.response, tags, {
            calls: recordCalls(calls),
            computedSince: t.startedAt,
          })
          .catch((err) => {
            t.log.warn({ err }, "could not store the answer in the semantic cache");
            return undefined;
          });
        const outcome: CacheStore = {
          stored: stored === true,
          reason:
            policy.scope === "never"
              ? `not cacheable: ${policy.category}`
              : stored === undefined
                ? "store failed"
                : !stored
                  ? "not stored: no embedding"
                  : policy.scope === "shared"
                    ? "stored: shared"
                    : "stored: for the asker",
          category: policy.category,
          scope: stored ? (policy.scope as "shared" | "actor") : null,
          ttl_s: stored ? Math.round(policy.ttlMs / 1000) : null,
        };
        const before = t.cacheTrail ?? cacheMiss("no entry");
        const dependsOn = policy.scope === "actor" ? [...tags, actorSource(t.actor!.id)] : tags;
        await decided(deps, t, { ...before, depends_on: stored ? dependsOn : [], store: outcome }, false);
      },
    },
  ];
}

/** What a request may be resolved against: the session's state and earlier messages. */
function sessionFacts(ctx: TurnContext): SessionFacts {
  return {
    lastDestination: ctx.state.last_destination,
    lastOrigin: ctx.state.last_origin,
    results: [ctx.state.last_flights ?? "", ctx.state.last_hotels ?? ""],
    earlier: ctx.history
      .filter((h) => h.role === "user")
      .map((h) => h.text)
      .reverse(),
  };
}

function newWorkflow(id: string, t: Turn): WorkflowState {
  const route = t.route!;
  const r = t.resolution;
  return {
    id,
    ref: unredactableDigest(id),
    request: t.req.prompt,
    ...(r?.resolved && r.references.length > 0 ? { resolved: { text: r.text, referents: r.referents } } : {}),
    // In working order either way (see `router.ts`): a low-confidence route is still a plan.
    plan: route.plan.length > 0 ? route.plan : ["support"],
    step: 0,
    outputs: {},
    trail: [],
    texts: [],
    handoffs: 0,
    status: "running",
  };
}
