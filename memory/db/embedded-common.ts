/**
 * What the embedded database's clients (`embedded.ts`), host (`embedded-host.ts`) and worker
 * (`embedded-worker.ts`) share: the files under `DATA_DIR`, the host election lock, the host's
 * settings and the slots the worker publishes to the host's watchdog.
 */
import {
  chmodSync,
  type Dirent,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

/** `{pid, socket, startedAt}` of the live host. */
export const RECORD = "pglite-server.json";
/** Holds the host's pid: one host per `DATA_DIR`. */
export const LOCK = "pglite.lock";
/** postgres.js and libpq look for `<dir>/.s.PGSQL.<port>`. */
export const SOCKET_PORT = 5432;
/** Service logins wait for the seed; setup logins (migrations, seeding) and others do not. */
export const GATED_APPLICATION = "flightly";
export const SETUP_APPLICATION = "flightly-setup";

export interface HostRecord {
  pid: number;
  socket: string;
  startedAt: string;
}

/** Indexes into the Float64Array the worker shares with the host. */
export const SLOT = { busySince: 0, seeded: 1, connections: 2 } as const;

export interface HostWorkerData {
  dataDir: string;
  socketPath: string;
  shared: SharedArrayBuffer;
  gateMs: number;
  /** PostgreSQL settings the worker starts PGlite with (`-c name=value`). */
  postgres: Record<string, string>;
}

/** The host's limits, from its environment (inherited from the Flightly process that starts it). */
export interface HostSettings {
  /** One protocol message may run this long once the world is seeded (PGlite ignores statement_timeout). */
  statementMs: number;
  /** The limit before the world is seeded: migrations and the first seed are never cut at `statementMs`. */
  setupMs: number;
  /** The host's resident memory cap. */
  memoryMb: number;
  /** How long a service login waits for the first seed before it is told the database is starting. */
  gateMs: number;
  /** The host exits after this long with no live client process and no connection. */
  idleExitMs: number;
  /**
   * Server settings for the single PGlite backend. Postgres touches all of `shared_buffers` at
   * start, so initdb's 128MB would be resident from the first second; the world is ~40MB, the
   * pages a turn reads (a route's flights, the knowledge and memory indexes) fit in 8MB, and
   * pages beyond the buffers come from the OS page cache. A larger database gets larger buffers
   * (`sharedBuffersFor`). One backend serves every connection, so `max_connections` only sizes
   * shared structures; the lock table (32 per connection) and the WAL buffers (64kB) are sized
   * down with it: together ~2MB of resident memory the one backend never needs.
   */
  postgres: Record<string, string>;
}

const positive = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got ${value}`);
  return n;
};

const memorySize = (value: string | undefined, fallback: string, name: string): string => {
  if (value === undefined || value === "") return fallback;
  if (!/^\d+(?:kB|MB|GB)$/.test(value)) throw new Error(`${name} must be a size such as 16MB, got ${value}`);
  return value;
};

const MB = 1024 * 1024;

/**
 * `shared_buffers` for a database of `dataBytes` (the size of `pgdata/base`): 8MB for a world of
 * the usual size (below 64MB), else half the data up to 512MB. Past the buffers every page read
 * is a file read through PGlite's file system: an HNSW search over a large memories table
 * (100,000 memories: ~200MB of graph) reads thousands of pages per query and spends most of its
 * time there.
 */
export function sharedBuffersFor(dataBytes: number): string {
  if (!(dataBytes >= 64 * MB)) return "8MB";
  return `${Math.min(512, Math.ceil(dataBytes / 2 / MB))}MB`;
}

/** Bytes of the files under `dir` (0 when it does not exist). */
export function directoryBytes(dir: string): number {
  let total = 0;
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) total += directoryBytes(path);
    else if (e.isFile()) total += statSync(path).size;
  }
  return total;
}

/**
 * The host's settings from its environment; `dataBytes` (the database's size on disk) sizes
 * `shared_buffers` unless `EMBEDDED_PG_SHARED_BUFFERS` says otherwise.
 */
export function hostSettings(env: NodeJS.ProcessEnv, dataBytes = 0): HostSettings {
  return {
    statementMs: positive(env.EMBEDDED_PG_STATEMENT_TIMEOUT_MS, 10_000, "EMBEDDED_PG_STATEMENT_TIMEOUT_MS"),
    setupMs: positive(env.EMBEDDED_PG_SETUP_TIMEOUT_MS, 600_000, "EMBEDDED_PG_SETUP_TIMEOUT_MS"),
    memoryMb: positive(env.EMBEDDED_PG_MEMORY_MB, 1_536, "EMBEDDED_PG_MEMORY_MB"),
    gateMs: positive(env.EMBEDDED_PG_SEED_WAIT_MS, 120_000, "EMBEDDED_PG_SEED_WAIT_MS"),
    idleExitMs: positive(env.EMBEDDED_PG_IDLE_EXIT_MS, 5_000, "EMBEDDED_PG_IDLE_EXIT_MS"),
    postgres: {
      shared_buffers: memorySize(
        env.EMBEDDED_PG_SHARED_BUFFERS,
        sharedBuffersFor(dataBytes),
        "EMBEDDED_PG_SHARED_BUFFERS",
      ),
      max_connections: "20",
      wal_buffers: "64kB",
      max_locks_per_transaction: "32",
    },
  };
}

/** The owner-only directory that holds the host's socket and the client registrations. */
export const runDir = (dataDir: string): string => join(dataDir, "run");
export const socketPath = (dataDir: string): string => join(runDir(dataDir), `.s.PGSQL.${SOCKET_PORT}`);
export const clientsDir = (dataDir: string): string => join(runDir(dataDir), "clients");

/** Creates `DATA_DIR/run` (mode 0700) and refuses one that is a link or belongs to another user. */
export function ensureRunDir(dataDir: string): string {
  const dir = runDir(dataDir);
  const socket = socketPath(dataDir);
  // Unix socket paths are limited to 104 bytes on macOS, 108 on Linux.
  if (Buffer.byteLength(socket) > 100) {
    throw new Error(
      `DATA_DIR is too long for the embedded database's socket (${socket}); use a shorter path`,
    );
  }
  mkdirSync(clientsDir(dataDir), { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  if (!st.isDirectory() || (process.getuid && st.uid !== process.getuid())) {
    throw new Error(`${dir} must be a directory owned by this user`);
  }
  chmodSync(dir, 0o700);
  return dir;
}

export const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

export const readJson = <T>(path: string): T | undefined => {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
};

/** The pid in the host lock when that process is alive. */
export function lockHolder(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, LOCK), "utf8"));
    return pid && pidAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Atomically takes the host lock: `"fresh"` when there was none, `"taken"` when it replaced the
 * lock of a process that is gone (two hosts may race to replace it: the caller re-reads the lock
 * after a moment), false when a live host holds it. A lock file too new to hold its pid yet is
 * held: its creator is writing it.
 */
export function tryLock(dataDir: string, replaced = false): "fresh" | "taken" | false {
  const path = join(dataDir, LOCK);
  try {
    writeFileSync(path, String(process.pid), { flag: "wx" });
    return replaced ? "taken" : "fresh";
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const holder = lockHolder(dataDir);
    if (holder && holder !== process.pid) return false;
    if (holder === undefined && lockIsBeingWritten(path)) return false;
    rmSync(path, { force: true });
    return tryLock(dataDir, true);
  }
}

function lockIsBeingWritten(path: string): boolean {
  try {
    return readFileSync(path, "utf8") === "" && Date.now() - statSync(path).mtimeMs < 1_000;
  } catch {
    return false;
  }
}
