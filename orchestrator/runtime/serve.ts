/**
 * `flightly serve`: listens first (so `/ping` answers during warm-up), seeds an empty embedded
 * database and builds the orchestrator in the background (invocations get 503 until then), and
 * shuts down gracefully on SIGTERM / SIGINT: stop accepting, finish in-flight work, flush the
 * worker, close the stores.
 */
import type { FastifyInstance } from "fastify";
import { type Config, exposurePolicy, studioEnabled } from "../../core/config.js";
import { isFlightlyError } from "../../core/errors.js";
import { releaseStartupGarbage } from "../../core/lean-process.js";
import type { Logger } from "../../core/logger.js";
import type { App, AppOptions } from "./app.js";
import { Health } from "./health.js";
import { createHttpServer } from "./http.js";
import { invocationRoutes } from "./invocations.js";
import type { Services } from "./services.js";
import { studioRoutes } from "./studio.js";

export interface Running {
  /** The stores (available once `ready` resolved). */
  readonly services: Services;
  readonly http: FastifyInstance;
  /** Resolves when the orchestrator is ready to answer. */
  readonly ready: Promise<{ services: Services; app: App }>;
  stop(): Promise<void>;
}

export async function startRuntime(
  config: Config,
  logger: Logger,
  options: {
    protocol?: "http" | "mcp";
    app?: AppOptions;
    studio?: boolean;
    /** Collect start-up's garbage once ready (`releaseStartupGarbage`): for a process of its own. */
    releaseStartupGarbage?: boolean;
  } = {},
): Promise<Running> {
  const protocol = options.protocol ?? "http";
  const studio = protocol === "http" && (options.studio ?? studioEnabled(config));
  const exposure = exposurePolicy(config, config.host);
  if (exposure.warning) logger.warn({ host: config.host }, exposure.warning);
  // Listen before anything slow: /ping answers (HealthyBusy) while the stores open and seed.
  const health = new Health();
  const state: { services?: Services; app?: App } = {};
  const authenticate = config.auth.discoveryUrl
    ? (await import("./auth.js")).createAuthenticator({
        discoveryUrl: config.auth.discoveryUrl,
        allowedClients: config.auth.allowedClients,
        allowedAudience: config.auth.allowedAudience,
      })
    : undefined;
  const http = createHttpServer({
    logger,
    health,
    allowedHosts: exposure.allowedHosts,
    ...(authenticate ? { authenticate } : {}),
    metrics: () => ({
      orchestrator: state.app?.telemetry.snapshot() ?? null,
      toolCache: state.app?.toolCache.stats() ?? null,
      responseCache: state.app?.cacheMetrics.snapshot() ?? null,
    }),
    routes:
      protocol === "http"
        ? (app) => {
            invocationRoutes({ orchestrator: () => state.app?.orchestrator, health, logger, authenticate })(
              app,
            );
            if (studio) studioRoutes({ app: () => state.app, logger, authenticate })(app);
          }
        : (await import("./mcp-http.js")).mcpRoutes({
            app: () => state.app,
            logger,
            authenticate,
            localActorId: config.localActorId,
          }),
  });
  const port = protocol === "http" ? config.port : config.mcpPort;
  await http.listen({ port, host: config.host });
  logger.info(
    { port, host: config.host, protocol, ...(studio ? { studio: "/studio" } : {}) },
    protocol === "http" ? "AgentCore runtime listening" : "MCP server listening on /mcp",
  );

  // The orchestrator's modules load while the stores open (the embedded host starts meanwhile).
  const appModule = import("./app.js");
  appModule.catch(() => {}); // awaited below, where a failure is reported
  // What the app builds from the data files alone is built while the stores open.
  // A failure here is left for `buildApp` to meet and report.
  appModule
    .then((m) =>
      setImmediate(() => {
        try {
          m.prepareApp();
        } catch {}
      }),
    )
    .catch(() => {});
  const ready = health.track(async () => {
    // Each phase's wall time, logged with "orchestrator ready".
    let mark = performance.now();
    const lap = (): number => {
      const ms = Math.round(performance.now() - mark);
      mark = performance.now();
      return ms;
    };
    const { openServices } = await import("./services.js");
    const services = await openServices(config, logger, health);
    state.services = services;
    const storesMs = lap();
    await (await import("./seed-progress.js")).seedIfEmpty(services);
    const seedMs = lap();
    state.app = await (await appModule).buildApp(services, options.app);
    const ms = { stores: storesMs, seed: seedMs, app: lap(), uptime: Math.round(performance.now()) };
    logger.info({ ms }, "orchestrator ready");
    return { services, app: state.app };
  });
  ready.catch((err) => logger.error({ err }, "start-up failed"));
  if (options.releaseStartupGarbage) {
    // Right after the first `Healthy`, in the loop's next turn: a request that arrives meanwhile
    // waits for it once (about 0.2 s).
    const release = (): void => {
      const started = performance.now();
      const young = releaseStartupGarbage();
      const ms = Math.round(performance.now() - started);
      logger.debug({ ms, youngMb: [young.before >> 20, young.after >> 20] }, "start-up garbage released");
    };
    ready.then(() => setImmediate(release)).catch(() => {});
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await http.close();
      await ready.catch(() => undefined);
      await state.app?.close();
      await state.services?.close();
    })();
    return stopping;
  };
  return {
    http,
    ready,
    get services(): Services {
      if (!state.services) throw new Error("the runtime is still starting");
      return state.services;
    },
    stop,
  };
}

export async function serveHttp(
  config: Config,
  logger: Logger,
  protocol: "http" | "mcp" = "http",
  options: { studio?: boolean } = {},
): Promise<Running> {
  const running = await startRuntime(config, logger, { protocol, ...options, releaseStartupGarbage: true });
  // A database this process can never use (missing server-side set-up, another embedder's vectors)
  // stops it, as `flightly migrate` does, instead of answering 503 forever.
  running.ready.catch((err: unknown) => {
    if (!isFlightlyError(err) || (err.code !== "CONFIG_INVALID" && err.code !== "EMBEDDER_MISMATCH")) return;
    void running.stop().finally(() => {
      logger.flush();
      process.exit(78);
    });
  });
  const onSignal = (signal: string): void => {
    logger.info({ signal }, "shutting down: finishing in-flight work");
    void running.stop().finally(() => {
      logger.flush();
      process.exit(0);
    });
  };
  process.once("SIGTERM", () => onSignal("SIGTERM"));
  process.once("SIGINT", () => onSignal("SIGINT"));
  return running;
}
