/**
 * Embedded PostgreSQL: PGlite + pgvector persisted under `DATA_DIR`, served on a loopback port
 * with pglite-socket so that postgres.js is the only code path. Only one process can open a
 * PGlite directory, so the first Flightly process to reach `DATA_DIR` serves it and records
 * `{pid, port}` in `pglite-server.json`; later processes connect to that port. A record left by
 * a dead process is detected (pid gone or port silent) and replaced.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import type { Logger } from "../../core/logger.js";

interface ServerRecord {
  pid: number;
  port: number;
  startedAt: string;
}

export interface EmbeddedPostgres {
  /** postgres:// URL of the served database. */
  url: string;
  /** True when this process owns the PGlite instance. */
  owner: boolean;
  close(): Promise<void>;
}

/**
 * pglite-socket queues protocol messages one at a time across connections and only keeps a
 * connection's messages together inside a transaction. An extended-protocol batch (Parse, Bind,
 * Describe, Execute ... Sync) outside a transaction can then interleave with another
 * connection's and run in the wrong portal. This replaces the queue's scheduler on our server
 * instance so a connection keeps the backend from its first message to its Sync (or simple
 * Query), as well as for a whole transaction; it also clears the busy flag when a message fails.
 */
interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  resolve: (bytes: number) => void;
  reject: (err: unknown) => void;
  onData: (data: Uint8Array) => void;
}
interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  db: PGlite;
  processQueue(): Promise<void>;
  clearQueueForHandler(id: number): void;
}
const BATCH_END = new Set([0x53 /* Sync */, 0x51 /* Query */, 0x58 /* Terminate */, 0x00 /* startup */]);

function keepBatchesTogether(server: PGLiteSocketServer): void {
  const q = (server as unknown as { queryQueue: QueryQueue }).queryQueue;
  let pinned: number | null = null;
  const clear = q.clearQueueForHandler.bind(q);
  q.clearQueueForHandler = (id: number) => {
    if (pinned === id) pinned = null;
    clear(id);
  };
  q.processQueue = async function (this: QueryQueue): Promise<void> {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const owner = this.db.isInTransaction() && this.lastHandlerId !== null ? this.lastHandlerId : pinned;
        const index = owner === null ? 0 : this.queue.findIndex((m) => m.handlerId === owner);
        if (index === -1) break; // wait for the owner's next message
        const item = this.queue.splice(index, 1)[0]!;
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data: Uint8Array) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (err) {
          pinned = null;
          item.reject(err);
          continue;
        }
        this.lastHandlerId = item.handlerId;
        pinned = BATCH_END.has(item.message[0] ?? 0) ? null : item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };
}

const RECORD = "pglite-server.json";
const LOCK = "pglite.lock";

const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
};

const portAnswers = (port: number, timeoutMs = 1_000): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });

const readJson = <T>(path: string): T | undefined => {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as T;
  } catch {
    return undefined;
  }
};

const urlFor = (port: number): string => `postgres://postgres@127.0.0.1:${port}/postgres`;

async function liveRecord(dir: string): Promise<ServerRecord | undefined> {
  const rec = readJson<ServerRecord>(join(dir, RECORD));
  if (!rec || !pidAlive(rec.pid)) return undefined;
  return (await portAnswers(rec.port)) ? rec : undefined;
}

/** Atomically takes the owner lock; clears a lock whose process is gone. */
function tryLock(dir: string): boolean {
  const path = join(dir, LOCK);
  try {
    writeFileSync(path, String(process.pid), { flag: "wx" });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const holder = Number(readFileSync(path, "utf8"));
    if (holder && holder !== process.pid && pidAlive(holder)) return false;
    rmSync(path, { force: true });
    return tryLock(dir);
  }
}

/** Connects to the process serving `dataDir`, or becomes that process. */
export async function openEmbeddedPostgres(
  dataDir: string,
  logger: Logger,
  options: { timeoutMs?: number } = {},
): Promise<EmbeddedPostgres> {
  mkdirSync(dataDir, { recursive: true });
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const rec = await liveRecord(dataDir);
    if (rec) {
      logger.debug(
        { port: rec.port, ownerPid: rec.pid },
        "using embedded postgres served by another process",
      );
      return { url: urlFor(rec.port), owner: false, close: async () => {} };
    }
    if (tryLock(dataDir)) {
      // A live owner may have published its record between our check and the lock.
      const late = await liveRecord(dataDir);
      if (late && late.pid !== process.pid) {
        rmSync(join(dataDir, LOCK), { force: true });
        continue;
      }
      return serve(dataDir, logger);
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for the process that holds ${join(dataDir, LOCK)} to serve PGlite`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function serve(dataDir: string, logger: Logger): Promise<EmbeddedPostgres> {
  const started = performance.now();
  let db: PGlite | undefined;
  try {
    db = await PGlite.create(join(dataDir, "pgdata"), { extensions: { vector } });
    const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 256 });
    keepBatchesTogether(server);
    await server.start();
    const port = Number(server.getServerConn().split(":").pop());
    const record: ServerRecord = { pid: process.pid, port, startedAt: new Date().toISOString() };
    const tmp = join(dataDir, `${RECORD}.${process.pid}`);
    writeFileSync(tmp, JSON.stringify(record));
    renameSync(tmp, join(dataDir, RECORD));
    logger.info({ port, ms: Math.round(performance.now() - started) }, "serving embedded postgres (PGlite)");
    let closed = false;
    const owned = db;
    return {
      url: urlFor(port),
      owner: true,
      close: async () => {
        if (closed) return;
        closed = true;
        await server.stop();
        await owned.close();
        const current = readJson<ServerRecord>(join(dataDir, RECORD));
        if (current?.pid === process.pid) rmSync(join(dataDir, RECORD), { force: true });
        rmSync(join(dataDir, LOCK), { force: true });
      },
    };
  } catch (err) {
    await db?.close().catch(() => {});
    rmSync(join(dataDir, LOCK), { force: true });
    throw err;
  }
}
