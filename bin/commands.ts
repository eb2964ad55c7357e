/** One function per CLI command; each returns an exit code (-1: keeps running until a signal). */
import { randomUUID } from "node:crypto";
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline/promises";
import type { KnowledgeSplit } from "../bench/eval/knowledge.js";
import type { Split } from "../bench/eval/run.js";
import { type Config, exposurePolicy } from "../core/config.js";
import { releaseStartupGarbage } from "../core/lean-process.js";
import type { Logger } from "../core/logger.js";
import type { InvokeResult } from "../orchestrator/orchestrator.js";
import type { App, AppOptions } from "../orchestrator/runtime/app.js";
import { seedProgressDisplay } from "../orchestrator/runtime/seed-progress.js";
import type { Services } from "../orchestrator/runtime/services.js";

/*
 * Each command loads only the modules it runs (start-up time and memory: `serve` never loads the
 * benchmarks, the evaluation or the scenario runner).
 */
const services = () => import("../orchestrator/runtime/services.js");
const appModule = () => import("../orchestrator/runtime/app.js");
const seedModule = () => import("../memory/db/seed.js");

/** What a command gets from the command line: configuration, logger, positionals, flags. */
export interface CommandContext {
  config: Config;
  logger: Logger;
  args: string[];
  flags: Record<string, string | boolean | undefined>;
}

type Command = (ctx: CommandContext) => Promise<number>;

/** A command line the command cannot run: reported on stderr with exit code 2, not logged. */
export class UsageError extends Error {}

const print = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

const portFlag = (value: unknown): number | undefined => {
  if (typeof value !== "string") return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError("--http expects a port number");
  return port;
};

/** Services and the app, with the embedded database seeded on first use. */
async function openApp(
  ctx: CommandContext,
  options: AppOptions & { worker: boolean },
): Promise<{ services: Services; app: App }> {
  const [{ openServices }, { buildApp, prepareApp }, { seedIfEmpty }] = await Promise.all([
    services(),
    appModule(),
    import("../orchestrator/runtime/seed-progress.js"),
  ]);
  const opening = openServices(ctx.config, ctx.logger);
  // Built while the stores open (`buildApp` meets and reports a failure).
  try {
    prepareApp();
  } catch {}
  const opened = await opening;
  try {
    await seedIfEmpty(opened);
    const app = await buildApp(opened, options);
    return { services: opened, app };
  } catch (err) {
    await opened.close();
    throw err;
  }
}

/**
 * Settles the app's writes and closes the services. `oneShot` (invoke, chat): the embedded host
 * is stopped but not waited for, so the command returns once its own work is done.
 */
async function closeApp(services: Services, app: App, options: { oneShot?: boolean } = {}): Promise<void> {
  // The in-process store dies with this process: settle its memory events first.
  if (services.store.kind === "in-process") await app.worker.drain({ timeoutMs: 10_000 }).catch(() => {});
  await app.close();
  await services.close(options.oneShot ? { waitForHost: false } : {});
}

function actorOf(ctx: CommandContext): string {
  const actor = ctx.flags.actor;
  if (actor === undefined) return ctx.config.localActorId;
  if (typeof actor !== "string" || actor.trim() === "") throw new UsageError("--actor needs a customer id");
  return actor.trim();
}

function describe(result: InvokeResult): string {
  const trail = result.cache.hit
    ? `cache ${result.cache.kind} hit (similarity ${result.cache.similarity})`
    : result.agents.map((a) => `${a.agent}${a.tools.length ? `[${a.tools.join(", ")}]` : ""}`).join(" → ");
  return `${trail}  ${Math.round(result.timing_ms.total ?? 0)} ms`;
}

/** The flags both evaluations take: `--split`, and `--failures FILE` (emptied here). */
function evalFlags(ctx: CommandContext): { split: "all" | "tune" | "check"; failures: string | undefined } {
  const split = ctx.flags.split ?? "all";
  if (split !== "all" && split !== "tune" && split !== "check")
    throw new UsageError("--split expects all, tune or check");
  const failures = typeof ctx.flags.failures === "string" ? ctx.flags.failures : undefined;
  if (failures) writeFileSync(failures, "");
  return { split, failures };
}

/** `eval --knowledge`: labelled policy questions, hit rates of the first and any quoted document. */
async function evalKnowledge(ctx: CommandContext): Promise<number> {
  const dataset = typeof ctx.flags.dataset === "string" ? ctx.flags.dataset : undefined;
  if (dataset !== undefined && !existsSync(dataset)) throw new UsageError(`no such file: ${dataset}`);
  const { split, failures } = evalFlags(ctx);
  const { formatKnowledgeReport, runKnowledgeEval } = await import("../bench/eval/knowledge.js");
  const report = await runKnowledgeEval({
    logger: ctx.logger,
    split: split satisfies KnowledgeSplit,
    ...(dataset ? { dataset } : {}),
    ...(failures
      ? {
          onVerdict: (v) => {
            if (!v.first)
              appendFileSync(
                failures,
                `${JSON.stringify({ text: v.question.text, docs: v.question.docs, quoted: v.quoted, agents: v.agents, response: v.response })}\n`,
              );
          },
        }
      : {}),
  });
  if (ctx.flags.json === true) print(report);
  else process.stdout.write(`${formatKnowledgeReport(report)}\n`);
  return 0;
}

export const commands: Record<string, Command> = {
  async serve(ctx) {
    const protocol = ctx.flags.protocol === "mcp" ? "mcp" : "http";
    if (ctx.flags.protocol !== undefined && ctx.flags.protocol !== "mcp" && ctx.flags.protocol !== "http") {
      throw new UsageError("--protocol expects http or mcp");
    }
    const { serveHttp } = await import("../orchestrator/runtime/serve.js");
    await serveHttp(ctx.config, ctx.logger, protocol);
    return -1;
  },

  /** The runtime with `/studio` mounted whatever `STUDIO_ENABLED` says; prints the page's address. */
  async studio(ctx) {
    const { serveHttp } = await import("../orchestrator/runtime/serve.js");
    const running = await serveHttp(ctx.config, ctx.logger, "http", { studio: true });
    const address = running.http.server.address();
    const port = typeof address === "object" && address ? address.port : ctx.config.port;
    const host = ctx.config.host.includes(":") ? `[${ctx.config.host}]` : ctx.config.host;
    process.stdout.write(
      `Flightly studio: http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}/studio\n`,
    );
    return -1;
  },

  async mcp(ctx) {
    const [name] = ctx.args;
    const port = portFlag(ctx.flags.http);
    const { runHttp, runStdio, startMcpCommand } = await import("../mcp-servers/index.js");
    if (name === "postgres" || name === "weather") {
      const handle = await startMcpCommand(name, port, ctx.config, ctx.logger);
      await handle.closed;
      return 0;
    }
    if (name !== "orchestrator") {
      process.stderr.write("flightly mcp: expected postgres, weather or orchestrator\n");
      return 2;
    }
    const { services, app } = await openApp(ctx, { worker: true });
    const { createOrchestratorMcpServer } = await import("../orchestrator/mcp-server.js");
    releaseStartupGarbage();
    const create = () =>
      createOrchestratorMcpServer({
        orchestrator: app.orchestrator,
        memory: app.memory,
        logger: ctx.logger,
        actorId: () => ctx.config.localActorId,
      });
    let close: () => Promise<void>;
    let closed: Promise<void>;
    if (port !== undefined) {
      const exposure = exposurePolicy(ctx.config, ctx.config.host);
      if (exposure.warning) ctx.logger.warn({ host: ctx.config.host }, exposure.warning);
      const http = await runHttp(create, port, ctx.config.host, {
        logger: ctx.logger,
        allowedHosts: exposure.allowedHosts,
      });
      ctx.logger.info({ url: http.url }, "orchestrator MCP server on Streamable HTTP");
      close = () => http.close();
      closed = new Promise((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
    } else {
      const stdio = await runStdio(create());
      close = () => stdio.close();
      closed = stdio.closed;
    }
    await closed;
    await close();
    await closeApp(services, app);
    return 0;
  },

  async worker(ctx) {
    const [{ openServices }, { buildApp }] = await Promise.all([services(), appModule()]);
    const opened = await openServices(ctx.config, ctx.logger);
    if (opened.store.kind === "in-process") {
      await opened.close();
      throw new Error(
        "the worker needs a shared Valkey: set VALKEY_URL (the in-process store is per process)",
      );
    }
    const app = await buildApp(opened, { worker: true, mcpServers: [] });
    releaseStartupGarbage();
    ctx.logger.info("tiering worker running");
    await new Promise<void>((resolve) => {
      process.once("SIGINT", () => resolve());
      process.once("SIGTERM", () => resolve());
    });
    ctx.logger.info({ stats: app.worker.stats }, "worker stopping after its current batch");
    await app.close();
    await opened.close();
    return 0;
  },

  async invoke(ctx) {
    const prompt = ctx.args.join(" ").trim();
    if (!prompt) throw new UsageError('usage: flightly invoke "prompt" [--session ID] [--actor ID]');
    const actorId = actorOf(ctx);
    // One request: its similarity lookup reads the cache table (by scope, exactly) instead of
    // loading every entry into an in-process index first, and no exact answer is kept in memory.
    const { services, app } = await openApp(ctx, { worker: false, responseIndex: false, cacheMemory: false });
    try {
      const result = await app.orchestrator.invoke({
        prompt,
        sessionId: typeof ctx.flags.session === "string" ? ctx.flags.session : randomUUID(),
        actorId,
      });
      print(result);
      return 0;
    } finally {
      await closeApp(services, app, { oneShot: true });
    }
  },

  async chat(ctx) {
    const actorId = actorOf(ctx);
    const { services, app } = await openApp(ctx, { worker: true });
    const sessionId = typeof ctx.flags.session === "string" ? ctx.flags.session : randomUUID();
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    process.stdout.write(
      `Flightly chat — session ${sessionId}, actor ${actorId}. Empty line or Ctrl-D to leave.\n`,
    );
    try {
      for (;;) {
        const line = await rl.question("you> ").catch(() => "");
        if (!line.trim()) break;
        try {
          const result = await app.orchestrator.invoke({
            prompt: line,
            sessionId,
            actorId,
            sink: (e) => {
              if (e.event === "agent") process.stdout.write(`  · ${e.data.agent} agent\n`);
              if (e.event === "tool")
                process.stdout.write(`    ↳ ${e.data.name} (${e.data.status}, ${e.data.ms} ms)\n`);
            },
          });
          process.stdout.write(`flightly> ${result.response}\n  (${describe(result)})\n`);
        } catch (err) {
          process.stdout.write(`flightly> error: ${err instanceof Error ? err.message : String(err)}\n`);
        }
      }
    } finally {
      rl.close();
      await closeApp(services, app, { oneShot: true });
    }
    return 0;
  },

  async bench(ctx) {
    const { runBench, runRecallBench } = await import("../bench/index.js");
    const { only, scales, "data-dir": dataDir, "database-url": databaseUrl } = ctx.flags;
    if (only !== undefined && only !== "recall" && only !== "http") {
      throw new UsageError("--only expects recall or http");
    }
    if (only === "recall") {
      await runRecallBench({
        config: ctx.config,
        logger: ctx.logger,
        scales: typeof scales === "string" ? scales.split(",") : ["10k", "100k"],
        ...(typeof dataDir === "string" ? { dataDir: resolve(dataDir) } : {}),
        ...(typeof databaseUrl === "string" ? { databaseUrl } : {}),
      });
      return 0;
    }
    await runBench({
      config: ctx.config,
      logger: ctx.logger,
      quick: ctx.flags.quick === true,
      ...(only === "http" ? { only } : {}),
    });
    return 0;
  },

  async eval(ctx) {
    if (ctx.flags.knowledge === true) return evalKnowledge(ctx);
    const dataset = ctx.flags.dataset;
    if (typeof dataset !== "string")
      throw new UsageError(
        "usage: flightly eval --dataset FILE [--limit N] [--split all|tune|check] [--json] [--failures FILE]\n" +
          "       flightly eval --knowledge [--dataset FILE] [--split all|tune|check] [--json] [--failures FILE]",
      );
    const limit = ctx.flags.limit === undefined ? undefined : Number(ctx.flags.limit);
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
      throw new UsageError("--limit expects a positive integer");
    const { split, failures } = evalFlags(ctx);
    const { formatReport, runEval } = await import("../bench/eval/run.js");
    const report = await runEval({
      logger: ctx.logger,
      dataset,
      split: split satisfies Split,
      ...(limit ? { limit } : {}),
      ...(failures
        ? {
            onVerdict: (ex, verdict, response) => {
              if (verdict.outcome === "wrong" || Object.values(verdict.slots).includes(false))
                appendFileSync(
                  failures,
                  `${JSON.stringify({ text: ex.text, slots: ex.slots, verdict, response })}\n`,
                );
            },
          }
        : {}),
    });
    if (ctx.flags.json === true) print(report);
    else process.stdout.write(`${formatReport(report)}\n`);
    return 0;
  },

  async scenarios(ctx) {
    const [action, ...paths] = ctx.args;
    if (action !== "run" || paths.length === 0)
      throw new UsageError(
        "usage: flightly scenarios run <file-or-dir>... [--junit out.xml] [--model local|bedrock|FILE]",
      );
    if (ctx.flags.junit !== undefined && typeof ctx.flags.junit !== "string")
      throw new UsageError("--junit expects a file name");
    if (ctx.flags.model !== undefined && typeof ctx.flags.model !== "string")
      throw new UsageError("--model expects local, bedrock, openai or a scripted model file");
    for (const p of paths) if (!existsSync(p)) throw new UsageError(`no such file or directory: ${p}`);
    const [{ runScenarios }, { writeJunit }] = await Promise.all([
      import("./scenarios/run.js"),
      import("./scenarios/junit.js"),
    ]);
    const report = await runScenarios({
      config: ctx.config,
      logger: ctx.logger,
      paths,
      ...(typeof ctx.flags.model === "string" ? { model: ctx.flags.model } : {}),
    });
    if (typeof ctx.flags.junit === "string" && report.suites.length > 0)
      writeJunit(ctx.flags.junit, report.suites);
    return report.code;
  },

  async migrate(ctx) {
    const { openServices } = await services();
    const opened = await openServices(ctx.config, ctx.logger, undefined, { forceLegacyDrop: true });
    print({
      migrated: true,
      database: opened.db.embedded ? "embedded" : "external",
      embeddedHost: opened.db.embeddedHost ?? null,
      pid: process.pid,
    });
    await opened.legacyDropped;
    await opened.close();
    return 0;
  },

  async seed(ctx) {
    const [{ openServices }, { countWorld, seed }] = await Promise.all([services(), seedModule()]);
    const opened = await openServices(ctx.config, ctx.logger);
    try {
      const onProgress = seedProgressDisplay();
      const result = await seed(opened.db.sql, opened.embedder, ctx.logger, {
        reset: ctx.flags.reset === true,
        ...(onProgress ? { onProgress } : {}),
      });
      print({ ...result, counts: result.seeded ? result.counts : await countWorld(opened.db.sql) });
      return 0;
    } finally {
      await opened.close();
    }
  },
};
