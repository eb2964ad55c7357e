/**
 * Embedded PostgreSQL: PGlite + pgvector persisted under `DATA_DIR`, run by a host process of its
 * own (`embedded-host.ts`) and reached by postgres.js through the host's Unix socket, so that
 * postgres.js is the only code path. No Flightly process runs database work on its own event
 * loop. A client registers itself in `DATA_DIR/run/clients/<pid>` (the host lives while a client
 * does) and, whenever it connects and finds no live host, starts one: the lock elects a single
 * host, and a killed or exited host is replaced by the next connection.
 */
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { basename, dirname, join } from "node:path";
import { LEAN_HOST, missingFlags } from "../../core/lean-process.js";
import type { Logger } from "../../core/logger.js";
import { ROOT } from "../../core/paths.js";
import {
  clientsDir,
  ensureRunDir,
  lockHolder,
  pidAlive,
  runDir,
  SOCKET_PORT,
  socketPath,
} from "./embedded-common.js";

export interface EmbeddedPostgres {
  /** `postgres://…?host=DATA_DIR/run` (libpq's form for a Unix socket; `connectPostgres` reads it). */
  url: string;
  /** True when this process started the host it first connected to. */
  startedHost: boolean;
  /** The host's pid, while one is alive. */
  hostPid(): number | undefined;
  /**
   * Unregisters this process; the last client also stops the host and, unless `waitForHost` is
   * false, waits for it to exit. A one-shot command need not wait: it waits only until the host
   * stops accepting connections, and a process that comes next waits for that host to exit
   * before starting one.
   */
  close(options?: { waitForHost?: boolean }): Promise<void>;
}

const HOST_SCRIPT = join(ROOT, "dist", "memory", "db", "embedded-host.js");

/** The URL of the embedded database in `dataDir`. */
export const embeddedUrl = (dataDir: string): string =>
  `postgres://postgres@localhost:${SOCKET_PORT}/postgres?host=${encodeURIComponent(runDir(dataDir))}`;

/** The `DATA_DIR` whose host serves a socket directory, when it is one. */
export function dataDirOfSocketDir(dir: string): string | undefined {
  const dataDir = dirname(dir);
  return basename(dir) === "run" && existsSync(join(dataDir, "pgdata")) ? dataDir : undefined;
}

const tryConnect = (path: string, timeoutMs = 2_000): Promise<Socket | undefined> =>
  new Promise((resolve) => {
    const socket = createConnection({ path });
    const fail = (): void => {
      socket.destroy();
      resolve(undefined);
    };
    socket.setTimeout(timeoutMs, fail);
    socket.once("error", fail);
    socket.once("connect", () => {
      socket.setTimeout(0);
      socket.removeListener("error", fail);
      resolve(socket);
    });
  });

/** When this process last spawned a host for a `DATA_DIR` (a spawned host takes a moment to lock). */
const spawnedAt = new Map<string, number>();

function spawnHost(dataDir: string): void {
  ensureRunDir(dataDir);
  const logFd = openSync(join(runDir(dataDir), "host.log"), "a", 0o600);
  try {
    const flags = missingFlags(LEAN_HOST, [], process.env.NODE_OPTIONS);
    const child = spawn(process.execPath, [...flags, HOST_SCRIPT, dataDir], {
      detached: true,
      stdio: ["ignore", logFd, logFd],
      env: { ...process.env, ...LEAN_HOST.env },
    });
    child.unref();
    spawnedAt.set(dataDir, Date.now());
  } finally {
    closeSync(logFd);
  }
}

/** Spawns a host unless one is alive (holds the lock) or this process spawned one moments ago. */
function spawnHostIfNone(dataDir: string): boolean {
  if (lockHolder(dataDir) !== undefined || Date.now() - (spawnedAt.get(dataDir) ?? 0) <= 5_000) return false;
  spawnHost(dataDir);
  return true;
}

/** Marks this process as a client of `dataDir`'s host (the host stays while a client lives). */
function register(dataDir: string): string {
  mkdirSync(join(dataDir, "pgdata"), { recursive: true });
  ensureRunDir(dataDir);
  const registration = join(clientsDir(dataDir), String(process.pid));
  writeFileSync(registration, "", { mode: 0o600 });
  return registration;
}

/**
 * Starts `dataDir`'s host early, without waiting for it: the host opens PGlite (its slowest
 * start-up step, in a process of its own) while this process loads its modules. Registers this
 * process as a client so the host does not exit for want of one meanwhile.
 */
export function prestartEmbeddedHost(dataDir: string): void {
  register(dataDir);
  spawnHostIfNone(dataDir);
}

/**
 * A socket connected to `dataDir`'s host: waits while a host starts (or restarts its worker) and
 * starts one when none is alive. `started` tells whether this call started it.
 */
export async function connectToHost(
  dataDir: string,
  timeoutMs = 120_000,
): Promise<{ socket: Socket; started: boolean }> {
  const deadline = Date.now() + timeoutMs;
  const path = socketPath(dataDir);
  let started = false;
  for (;;) {
    const socket = existsSync(path) ? await tryConnect(path) : undefined;
    if (socket) return { socket, started };
    // A live lock holder is starting (or restarting its worker); without one, start a host.
    if (spawnHostIfNone(dataDir)) started = true;
    if (Date.now() > deadline) {
      throw Object.assign(new Error(`the embedded database host for ${dataDir} did not start`), {
        code: "ECONNREFUSED",
      });
    }
    // The socket appears the moment the host is ready: a short poll is most of a start's wait.
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Registers this process as a client of `dataDir`'s host, starting one if none is alive. */
export async function openEmbeddedPostgres(
  dataDir: string,
  logger: Logger,
  options: { timeoutMs?: number } = {},
): Promise<EmbeddedPostgres> {
  const prestarted = spawnedAt.has(dataDir);
  const registration = register(dataDir);
  let first: { socket: Socket; started: boolean };
  try {
    first = await connectToHost(dataDir, options.timeoutMs);
  } catch (err) {
    rmSync(registration, { force: true });
    throw err;
  }
  first.socket.destroy();
  const startedHost = first.started || prestarted;
  logger.debug({ dataDir, startedHost }, "embedded postgres host reached");
  let closed = false;
  return {
    url: embeddedUrl(dataDir),
    startedHost,
    hostPid: () => lockHolder(dataDir),
    close: async (options = {}) => {
      if (closed) return;
      closed = true;
      rmSync(registration, { force: true });
      let others: string[] = [];
      try {
        others = readdirSync(clientsDir(dataDir)).filter((name) => pidAlive(Number(name)));
      } catch {
        // DATA_DIR removed
      }
      const host = lockHolder(dataDir);
      if (others.length > 0 || host === undefined) return;
      process.kill(host, "SIGTERM");
      // Without waiting for the exit, still until the host stops accepting (its socket goes
      // first): a client that comes next can then never reach a host that is stopping.
      const stopped = options.waitForHost === false ? () => !existsSync(socketPath(dataDir)) : () => false;
      const deadline = Date.now() + 10_000;
      while (pidAlive(host) && !stopped() && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 5));
    },
  };
}
