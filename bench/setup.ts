/**
 * What every stage shares: the bench's configuration (a temp `DATA_DIR`, the real Valkey, the
 * local model and embedder), the preflight check that a Valkey server answers, the seeded world
 * (seeded once, copied for child processes) and the machine description.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { connect as netConnect } from "node:net";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { connect as tlsConnect } from "node:tls";
import { type Config, loadConfig } from "../core/config.js";
import type { Logger } from "../core/logger.js";
import { seed } from "../memory/db/seed.js";
import { openServices, type Services } from "../orchestrator/runtime/services.js";

/** Logical database used when `VALKEY_URL` is unset, so bench keys never mix with test suites'. */
export const DEFAULT_BENCH_VALKEY_URL = "redis://127.0.0.1:6379/9";

/**
 * The environment of the bench and of the runtimes it spawns: the embedded defaults (local model
 * and embedder, PGlite in `dataDir`, offline weather, no auth), the given Valkey, quiet logs and no
 * tiering worker (it would join the shared event stream's consumer group).
 */
export function benchEnv(base: NodeJS.ProcessEnv, valkeyUrl: string, dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...base };
  for (const name of [
    "DATABASE_URL",
    "DATABASE_READONLY_URL",
    "AUTH_DISCOVERY_URL",
    "KNOWLEDGE_BASE_ID",
    "AWS_ENDPOINT_URL_BEDROCK_RUNTIME",
  ]) {
    delete env[name];
  }
  return {
    ...env,
    DATA_DIR: dataDir,
    VALKEY_URL: valkeyUrl,
    VALKEY_CLUSTER: "false",
    MODEL_PROVIDER: "local",
    EMBEDDINGS_PROVIDER: "local",
    WEATHER_PROVIDER: "offline",
    WORKER_ENABLED: "false",
    LOG_LEVEL: "warn",
    HOST: "127.0.0.1",
  };
}

export function benchConfig(valkeyUrl: string, dataDir: string, extra: Record<string, string> = {}): Config {
  return loadConfig({ ...benchEnv(process.env, valkeyUrl, dataDir), ...extra });
}

/**
 * Whether a Redis-protocol server answers `PING` at `url` within `timeoutMs` (any RESP reply
 * counts, including `-NOAUTH`: the server is there). A raw socket, so a missing server never
 * leaves a reconnecting client behind.
 */
export function valkeyAnswers(url: string, timeoutMs = 2_000): Promise<boolean> {
  const u = new URL(url);
  const host = u.hostname || "127.0.0.1";
  const port = Number(u.port || 6379);
  const secure = u.protocol === "rediss:" || u.protocol === "valkeys:";
  return new Promise((resolve) => {
    const socket = secure
      ? tlsConnect({ host, port, servername: host, rejectUnauthorized: false })
      : netConnect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once(secure ? "secureConnect" : "connect", () => socket.write("PING\r\n"));
    socket.once("data", (chunk: Buffer) => done(/^[+-]/.test(chunk.toString("latin1"))));
  });
}

/** A new temp directory; removed by `cleanup()` at the end of the run. */
export function tempDir(prefix: string, cleanup: Array<() => void>): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A copy of a closed, seeded data directory (without the previous owner's PGlite records). */
export function copyWorld(template: string, dir: string): void {
  cpSync(template, dir, { recursive: true });
  rmSync(join(dir, "pglite-server.json"), { force: true });
  rmSync(join(dir, "pglite.lock"), { force: true });
}

/**
 * `services` closed and opened again on `config`, as a process started anew. On the embedded
 * database the last client's close stops the host, and the next connection starts one on the
 * data dir as it now is (sizing `shared_buffers` to it); `restarted` is false when the same host
 * still serves (another client process keeps it) or the database is a PostgreSQL server.
 */
export async function reopenServices(
  services: Services,
  config: Config,
  logger: Logger,
): Promise<{ services: Services; restarted: boolean }> {
  const before = services.db.embeddedHost?.pid;
  await services.close();
  const next = await openServices(config, logger);
  const now = next.db.embeddedHost?.pid;
  return { services: next, restarted: before !== undefined && now !== undefined && now !== before };
}

/**
 * The recall stage's `reopen` (`RecallOptions.reopen`) over the services `world` holds: each call
 * reopens them (`reopenServices`) and keeps the new ones in `world`.
 */
export function reopener(
  world: { services: Services },
  config: Config,
  logger: Logger,
): () => Promise<{ sql: Services["db"]["sql"]; embedder: Services["embedder"]; restarted: boolean }> {
  return async () => {
    const next = await reopenServices(world.services, config, logger);
    world.services = next.services;
    return { sql: next.services.db.sql, embedder: next.services.embedder, restarted: next.restarted };
  };
}

/** Seeds `dataDir` through `openServices` + `seed` and closes it; returns the seed time in ms. */
export async function seedWorld(config: Config, logger: Logger): Promise<{ ms: number; counts: object }> {
  const services = await openServices(config, logger);
  try {
    const t = performance.now();
    const result = await seed(services.db.sql, services.embedder, logger);
    return { ms: performance.now() - t, counts: result.counts };
  } finally {
    await services.close();
  }
}

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  platform: string;
  valkey: string;
  postgres: string;
  /** 1, 5 and 15-minute load averages when the run started and ended (others share the machine). */
  loadAverage: { start: number[]; end: number[] };
}

export function machine(): Omit<Machine, "valkey" | "postgres" | "loadAverage"> {
  const list = cpus();
  return {
    cores: list.length,
    cpuModel: list[0]?.model.trim() ?? "unknown",
    memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
  };
}

/** The date of `now` as `YYYY-MM-DD` (UTC). */
export const isoDay = (now: Date = new Date()): string => now.toISOString().slice(0, 10);

/** A departure date on a daily key route (SEA→NRT), 30 days out, so searches return flights. */
export const searchDate = (now: Date = new Date()): string =>
  isoDay(new Date(now.getTime() + 30 * 86_400_000));
