/**
 * Builds the product from the services: tools (custom and MCP), the model, memory, router,
 * semantic cache, the orchestrator and the tiering worker. One function, used by every entry
 * point (HTTP runtime, MCP server, CLI, tests, benchmarks).
 */
import { ROUTE_EXAMPLES } from "../../agents/routes.js";
import { SCOPE_EXAMPLES } from "../../agents/scope.js";
import { canonicalActorId } from "../../core/actor.js";
import { Customers } from "../../memory/customers.js";
import { LocalEmbedder } from "../../memory/embeddings/local.js";
import type { Embedder } from "../../memory/embeddings/types.js";
import { helpCentre } from "../../memory/help-centre.js";
import { type KnowledgeDocumentInput, upsertKnowledgeDocument } from "../../memory/knowledge.js";
import { Leases } from "../../memory/locks.js";
import { LongTermMemory } from "../../memory/long-term/index.js";
import { actorSource, ResponseCacheStore } from "../../memory/response-cache.js";
import { ResponseFeed } from "../../memory/response-feed.js";
import { ResponseIndex } from "../../memory/response-index.js";
import { TurnOutbox, Worker } from "../../memory/worker/index.js";
import { createToolCache, type ToolCache } from "../../tools/cache.js";
import { GUIDES_TAG } from "../../tools/destination-info.js";
import { createTools } from "../../tools/index.js";
import { KNOWLEDGE_TAG } from "../../tools/knowledge-base.js";
import type { Tool } from "../../tools/types.js";
import { HookRegistry } from "../hooks.js";
import { McpClientManager, type McpServerSpec } from "../mcp-client.js";
import type { MemoryPort } from "../memory-port.js";
import { createModel } from "../models/index.js";
import type { ModelProvider } from "../models/types.js";
import { Orchestrator, type OrchestratorDeps } from "../orchestrator.js";
import { SemanticRouter } from "../router.js";
import { ScopeGate } from "../scope.js";
import { CacheAudit } from "../semantic-cache/audit.js";
import { SemanticCache, semanticMatchKey } from "../semantic-cache/cache.js";
import { CacheCounters } from "../semantic-cache/metrics.js";
import { announcingWrites, recomputer, uncachedToolCache } from "../semantic-cache/wiring.js";
import { Telemetry } from "../telemetry.js";
import { traceHooks } from "../tracing.js";
import { TurnSlots } from "../turn-slots.js";
import { configuredMcpServers } from "./mcp-servers.js";
import { MemoryAdapter } from "./memory-adapter.js";
import { tracerOf } from "./otel.js";
import type { Services } from "./services.js";
import { LeaseSessionGate } from "./session-gate.js";

export interface App {
  readonly orchestrator: Orchestrator;
  readonly memory: MemoryPort;
  /** Finished turns waiting for the session store (see memory/worker/outbox.ts). */
  readonly outbox: TurnOutbox;
  readonly tools: Map<string, Tool<unknown>>;
  readonly toolCache: ToolCache;
  readonly hooks: HookRegistry;
  readonly model: ModelProvider;
  readonly worker: Worker;
  readonly mcp: McpClientManager;
  readonly customers: Customers;
  /** Long-term memories, always read as one actor (row-level security). */
  readonly longTerm: LongTermMemory;
  readonly telemetry: Telemetry;
  /** The response cache's counters (hits, misses by reason, evictions, audits) for `/metrics`. */
  readonly cacheMetrics: CacheCounters;
  /** The response cache's audit of served answers (absent with the cache off). */
  readonly cacheAudit: CacheAudit | undefined;
  /** The response cache's storage (absent with the cache off). */
  readonly cacheStorage: ResponseCacheStore | undefined;
  /**
   * Changes a policy, FAQ or guide and drops every cached answer built from that kind of
   * document (tool results and semantic cache entries).
   */
  updateKnowledge(doc: KnowledgeDocumentInput): Promise<boolean>;
  close(): Promise<void>;
}

export interface AppOptions {
  /** Replaces the configured model (tests and benchmarks use a scripted one). */
  model?: ModelProvider;
  /** MCP servers to connect; by default the weather and Postgres servers as `MCP_SERVERS` says. */
  mcpServers?: McpServerSpec[];
  /** Start the tiering worker in this process (default: config.workerEnabled). */
  worker?: boolean;
  /** Disable the semantic cache (benchmarks of the full path). */
  semanticCache?: boolean;
  /** Similarity lookups in an in-process index kept in step across processes (default), or in pgvector. */
  responseIndex?: boolean;
  /** Exact answers kept in process memory, kept correct by the drop feed (default true). */
  cacheMemory?: boolean;
  /** Separates cached answers and tool results of worlds sharing one Valkey (default: the database's instance id). */
  cacheNamespace?: string;
  /** The tiering worker's event stream (default `keys.events()`; tests use their own). */
  workerStream?: string;
  /** Share of cache hits audited (default: `SEMANTIC_CACHE_AUDIT_RATE`). */
  cacheAuditRate?: number;
  /** The clock turns read (default: the system's); the evaluation fixes it to one day. */
  now?: () => Date;
}

/**
 * What every app builds the same from the data files alone: the scope gate (its examples and the
 * help centre) and, with the local embedder, the router. Built once per process; `serve` starts it
 * while the stores open, so it is off the path to Healthy.
 */
let shared: { scope: ScopeGate; localRouter: Promise<SemanticRouter> } | undefined;
/** The router reads a request as the help centre does (see `RouterOptions.normalize`). */
const ROUTER_OPTIONS = { normalize: (text: string) => helpCentre().normalize(text) };
export function prepareApp(): NonNullable<typeof shared> {
  shared ??= {
    scope: new ScopeGate(SCOPE_EXAMPLES, { helpCentre: helpCentre() }),
    localRouter: SemanticRouter.create(new LocalEmbedder().load(), ROUTE_EXAMPLES, ROUTER_OPTIONS),
  };
  return shared;
}

/** The router over the services' embedder (the shared one when it is the default local embedder). */
const routerFor = (embedder: Embedder): Promise<SemanticRouter> =>
  embedder instanceof LocalEmbedder && embedder.defaults
    ? prepareApp().localRouter
    : SemanticRouter.create(embedder, ROUTE_EXAMPLES, ROUTER_OPTIONS);

export async function buildApp(services: Services, options: AppOptions = {}): Promise<App> {
  const { config, logger, store, db, embedder } = services;
  const model = options.model ?? createModel(config, logger);
  const namespace = options.cacheNamespace ?? services.instanceId;
  // A write that invalidates tool results also drops the cached answers built on them.
  let answers: SemanticCache | undefined;
  const toolCache = createToolCache(store, {
    logger,
    namespace,
    onInvalidate: async (tags) => {
      await Promise.all(tags.map((tag) => answers?.invalidateSource(tag)));
    },
  });
  // A write by a tool also drops what its actor was answered from the cache (their bookings, …).
  const tools = announcingWrites(
    new Map(Object.entries(createTools({ sql: db.sql, store, embedder, config, logger, cache: toolCache }))),
    (actorId) => answers?.invalidateSource(actorSource(actorId)) ?? Promise.resolve(),
  );
  const configured = options.mcpServers ? undefined : configuredMcpServers(services);
  const mcp = new McpClientManager(options.mcpServers ?? configured?.specs ?? [], tools, logger);
  const customers = new Customers(db.sql);
  // With the store, actors with few memories are recalled in-process until a write changes them.
  const longTerm = new LongTermMemory(db.sql, embedder, { store });
  const outbox = new TurnOutbox({ store, logger });
  const memory = new MemoryAdapter({
    outbox,
    store,
    longTerm,
    customers,
    sql: db.sql,
    sessionTtlS: config.sessionTtlS,
  });
  const hooks = new HookRegistry(logger);
  const telemetry = new Telemetry(hooks, logger);
  traceHooks(hooks, tracerOf(services.tracing), { provider: model.name, id: model.modelId });
  const [router] = await Promise.all([routerFor(embedder), mcp.start()]);
  const index =
    options.semanticCache === false || options.responseIndex === false
      ? undefined
      : new ResponseIndex({ store, sql: db.sql, namespace, logger, matchKeyOf: semanticMatchKey });
  const feed =
    options.semanticCache === false || options.cacheMemory === false
      ? undefined
      : new ResponseFeed({ store, namespace, logger });
  await Promise.all([index?.start(), feed?.start()]);
  const cacheStorage =
    options.semanticCache === false
      ? undefined
      : new ResponseCacheStore(store, db.sql, namespace, {
          maxEntries: config.semanticCache.maxEntries,
          ...(index ? { index } : {}),
          ...(feed ? { feed } : {}),
        });
  const cache = cacheStorage
    ? new SemanticCache({
        storage: cacheStorage,
        embedder,
        threshold: config.semanticCache.threshold,
        logger,
      })
    : undefined;
  answers = cache;
  const deps: OrchestratorDeps = {
    model,
    tools,
    memory,
    gate: new LeaseSessionGate(new Leases(store)),
    turnSlots: new TurnSlots(config.maxConcurrentTurns),
    router,
    scope: prepareApp().scope,
    cache,
    embedder,
    hooks,
    logger,
    cacheTtlS: config.semanticCache.ttlS,
    ...(options.now ? { now: options.now } : {}),
    resolveActor: async (raw) => {
      const id = canonicalActorId(raw);
      return { id, guest: (await customers.get(id)) === null };
    },
  };
  const cacheAudit = cache
    ? new CacheAudit({
        rate: options.cacheAuditRate ?? config.semanticCache.auditRate,
        maxPerS: config.semanticCache.auditMaxPerS,
        logger: logger.child({ component: "cache-audit" }),
        recompute: recomputer({
          deps,
          live: tools,
          uncached: createTools({ sql: db.sql, store, embedder, config, logger, cache: uncachedToolCache() }),
        }),
      })
    : undefined;
  const orchestrator = new Orchestrator({ ...deps, ...(cacheAudit ? { audit: cacheAudit } : {}) });
  const cacheMetrics = new CacheCounters(hooks, {
    ...(cacheStorage ? { storage: () => cacheStorage.stats() } : {}),
    ...(cacheAudit ? { audit: () => cacheAudit.stats() } : {}),
  });
  const worker = new Worker({
    store,
    memory: longTerm,
    logger: logger.child({ component: "worker" }),
    ...(options.workerStream
      ? { stream: options.workerStream, deadLetterStream: `${options.workerStream}:dead` }
      : {}),
    ...(model.name === "local" || model.name === "scripted" ? {} : { model }),
    // Answers kept for one customer were shaped by their profile: a change drops them.
    onProfileChange: async (actorId) => {
      await answers?.invalidateSource(actorSource(actorId));
    },
  });
  if (options.worker ?? config.workerEnabled) worker.start();
  return {
    orchestrator,
    memory,
    outbox,
    tools,
    toolCache,
    hooks,
    model,
    worker,
    mcp,
    customers,
    longTerm,
    telemetry,
    cacheMetrics,
    cacheAudit,
    cacheStorage,
    updateKnowledge: async (doc) => {
      const changed = await upsertKnowledgeDocument(db.sql, embedder, doc);
      // Drops the tool results and, through them, the cached answers built on that kind of document.
      if (changed) await toolCache.invalidate(doc.kind === "guide" ? GUIDES_TAG : KNOWLEDGE_TAG);
      return changed;
    },
    close: async () => {
      await cacheAudit?.idle();
      await cacheStorage?.settled();
      index?.close();
      feed?.close();
      await outbox.flush(5_000);
      outbox.close();
      await worker.stop();
      await mcp.close();
      await configured?.close();
    },
  };
}
