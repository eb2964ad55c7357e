/**
 * Where a scenario file's turns go: the service built in this process (HTTP requests injected into
 * its server), or `flightly serve` as a child process on a free port, which a turn may SIGKILL and
 * the runner starts again. Both answer through the same HTTP contract.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import type { Sql } from "postgres";
import type { Config } from "../../core/config.js";
import type { Logger } from "../../core/logger.js";
import { embeddedUrl } from "../../memory/db/embedded.js";
import { connectPostgres } from "../../memory/db/index.js";
import type { ModelProvider } from "../../orchestrator/models/types.js";
import { SESSION_HEADER } from "../../orchestrator/runtime/invocations.js";
import { type Running, startRuntime } from "../../orchestrator/runtime/serve.js";

export interface Request {
  prompt: string;
  session: string;
  actor: string;
  idempotencyKey?: string;
}

export interface Reply {
  status: number;
  body: Record<string, unknown>;
}

export interface Target {
  invoke(req: Request): Promise<Reply>;
  /** The database as its owner (the service's own login), for `sql` expectations and `actor_sql`. */
  sql(): Sql;
  /**
   * Sends `req`, SIGKILLs the service `afterMs` later and starts it again (child processes only).
   * Resolves to whether the answer had already come when the kill landed.
   */
  killDuring(req: Request, afterMs: number): Promise<boolean>;
  close(): Promise<void>;
}

const body = (req: Request): string =>
  JSON.stringify({
    prompt: req.prompt,
    actor_id: req.actor,
    ...(req.idempotencyKey ? { idempotency_key: req.idempotencyKey } : {}),
  });

function parseBody(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" ? (value as Record<string, unknown>) : { raw: text };
  } catch {
    return { raw: text };
  }
}

/**
 * The service built in this process on the configured database, as `serve` builds it (the tiering
 * worker as `WORKER_ENABLED` says), with its own answer-cache namespace.
 */
export async function inProcessTarget(
  config: Config,
  logger: Logger,
  options: { cacheNamespace: string; model?: ModelProvider },
): Promise<Target> {
  // Scenarios name their actors: inbound auth (which takes the actor from a token) is off here.
  const local: Config = {
    ...config,
    port: 0,
    host: "127.0.0.1",
    auth: { ...config.auth, discoveryUrl: undefined },
  };
  const running: Running = await startRuntime(local, logger, {
    app: {
      cacheNamespace: options.cacheNamespace,
      ...(options.model ? { model: options.model } : {}),
    },
  });
  try {
    await running.ready;
  } catch (err) {
    await running.stop();
    throw err;
  }
  return {
    async invoke(req) {
      const res = await running.http.inject({
        method: "POST",
        url: "/invocations",
        headers: { "content-type": "application/json", [SESSION_HEADER]: req.session },
        payload: body(req),
      });
      return { status: res.statusCode, body: parseBody(res.body) };
    },
    sql: () => running.services.db.sql,
    async killDuring() {
      throw new Error("kill_after_ms needs the service as a child process");
    },
    async close() {
      // The in-process store dies with this process: settle the file's memory events first.
      const { services, app } = await running.ready;
      if (services.store.kind === "in-process") await app.worker.drain({ timeoutMs: 10_000 }).catch(() => {});
      await running.stop();
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Statuses a patient client sends again after a short wait (busy session, starting, throttled). */
const RETRY = new Set([409, 429, 503]);

/**
 * `flightly serve` as a child (`command` starts the CLI: node and its script), with `env` added to
 * this process's environment. Requests wait for a healthy `/ping` and are resent on 409/429/503
 * and on connection errors for up to `patienceMs`.
 */
export async function childTarget(
  config: Config,
  command: readonly string[],
  env: Record<string, string>,
  patienceMs = 90_000,
): Promise<Target> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let proc: ChildProcess | undefined;
  let stderr = "";
  const start = (): void => {
    const [file, ...args] = command;
    stderr = "";
    proc = spawn(file!, [...args, "serve"], {
      env: {
        ...process.env,
        LOG_LEVEL: "warn",
        ...env,
        PORT: String(port),
        HOST: "127.0.0.1",
        AUTH_DISCOVERY_URL: "",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    proc.stderr?.on("data", (d) => {
      stderr = (stderr + String(d)).slice(-8_000);
    });
  };
  const alive = (): boolean => proc !== undefined && proc.exitCode === null && proc.signalCode === null;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    const p = proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once("exit", r));
    p.kill(signal);
    await exited;
  };
  const send = async (req: Request, signal?: AbortSignal): Promise<Reply> => {
    const res = await fetch(`${url}/invocations`, {
      method: "POST",
      headers: { "content-type": "application/json", [SESSION_HEADER]: req.session },
      body: body(req),
      ...(signal ? { signal } : {}),
    });
    return { status: res.status, body: parseBody(await res.text()) };
  };
  const healthy = async (): Promise<void> => {
    const deadline = Date.now() + patienceMs;
    for (;;) {
      if (!alive())
        throw new Error(`flightly serve exited (${proc?.exitCode ?? proc?.signalCode}):\n${stderr}`);
      try {
        const res = await fetch(`${url}/ping`);
        if (res.ok && ((await res.json()) as { status?: string }).status === "Healthy") return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`flightly serve did not become healthy:\n${stderr}`);
      await sleep(50);
    }
  };
  start();
  try {
    await healthy();
  } catch (err) {
    await stop("SIGKILL");
    throw err;
  }
  const database = config.database.url ?? embeddedUrl(config.dataDir);
  let sql: Sql | undefined;
  return {
    async invoke(req) {
      const deadline = Date.now() + patienceMs;
      for (;;) {
        try {
          const reply = await send(req);
          if (!RETRY.has(reply.status) || Date.now() > deadline) return reply;
        } catch (err) {
          if (Date.now() > deadline) throw err;
        }
        await sleep(200);
      }
    },
    sql() {
      sql ??= connectPostgres(database, { max: 2, onnotice: () => {}, idle_timeout: 5, connect_timeout: 10 });
      return sql;
    },
    async killDuring(req, afterMs) {
      const aborted = new AbortController();
      let answered = false;
      const sent = send(req, aborted.signal).then(
        () => {
          answered = true;
        },
        () => undefined,
      );
      await sleep(afterMs);
      await stop("SIGKILL");
      aborted.abort();
      await sent;
      // The database connection may have died with an embedded host in the killed process.
      await sql?.end({ timeout: 1 }).catch(() => {});
      sql = undefined;
      start();
      await healthy();
      return answered;
    },
    async close() {
      await sql?.end({ timeout: 1 }).catch(() => {});
      await stop("SIGTERM");
    },
  };
}
