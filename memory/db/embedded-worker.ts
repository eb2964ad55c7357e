/**
 * The embedded database's worker thread, run by the host process (`embedded-host.ts`): opens the
 * PGlite in `DATA_DIR/pgdata` and serves it with pglite-socket on the host's Unix socket. It
 * publishes in a shared array when a protocol message started (the host's watchdog terminates
 * this thread when one runs too long), whether the world is seeded, and how many connections are
 * open. Until the world is seeded, a service login (`application_name` "flightly") waits at
 * start-up and, past the gate's limit, is told the database is starting: it never reads a
 * half-built world.
 */
import { chmodSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { vector } from "@electric-sql/pglite-pgvector";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { GATED_APPLICATION, type HostWorkerData, SLOT } from "./embedded-common.js";
import { initialData } from "./pglite-template.js";

/**
 * pglite-socket queues protocol messages one at a time across connections and only keeps a
 * connection's messages together inside a transaction. An extended-protocol batch (Parse, Bind,
 * Describe, Execute ... Sync) outside a transaction can then interleave with another
 * connection's and run in the wrong portal. This scheduler keeps a connection on the backend from
 * its first message to its Sync (or simple Query), as well as for a whole transaction, clears the
 * busy flag when a message fails, marks each message's start for the watchdog and holds gated
 * start-ups until the world is seeded.
 */
interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  timestamp: number;
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
const PROTOCOL_3 = 196608;

const { dataDir, socketPath, shared, gateMs, postgres } = workerData as HostWorkerData;
const slots = new Float64Array(shared);

/** `application_name` of a StartupMessage, or undefined for any other message. */
function startupApplication(message: Uint8Array): string | undefined {
  if (message.length < 8) return undefined;
  const view = new DataView(message.buffer, message.byteOffset, message.byteLength);
  if (view.getInt32(4) !== PROTOCOL_3) return undefined;
  const parts = new TextDecoder().decode(message.subarray(8)).split("\0");
  for (let i = 0; i + 1 < parts.length; i += 2) if (parts[i] === "application_name") return parts[i + 1];
  return "";
}

/** A FATAL ErrorResponse (SQLSTATE `code`). */
function fatal(code: string, text: string): Uint8Array {
  const body = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${text}\0\0`);
  const head = Buffer.alloc(5);
  head.write("E");
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function schedule(server: PGLiteSocketServer, db: PGlite): { poll(): Promise<void> } {
  const q = (server as unknown as { queryQueue: QueryQueue }).queryQueue;
  let pinned: number | null = null;
  let seeded = false;
  const held = (m: QueuedMessage): boolean =>
    !seeded && m.message[0] === 0 && startupApplication(m.message) === GATED_APPLICATION;
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
        const index =
          owner === null
            ? this.queue.findIndex((m) => !held(m))
            : this.queue.findIndex((m) => m.handlerId === owner);
        if (index === -1) break; // wait for the owner's next message, or for the seed
        const item = this.queue.splice(index, 1)[0]!;
        let bytes = 0;
        slots[SLOT.busySince] = Date.now();
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
        } finally {
          slots[SLOT.busySince] = 0;
        }
        this.lastHandlerId = item.handlerId;
        pinned = BATCH_END.has(item.message[0] ?? 0) ? null : item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };

  const idle = (): boolean => !q.processing && pinned === null && !db.isInTransaction();
  return {
    /** Re-reads the seed mark when the backend is free; answers gated start-ups past their limit. */
    async poll() {
      if (!seeded && idle()) {
        try {
          const r = await db.query("SELECT 1 FROM flightly_meta WHERE key = 'seed_anchor'");
          seeded = r.rows.length > 0;
        } catch {
          seeded = false; // not migrated yet
        }
        slots[SLOT.seeded] = seeded ? 1 : 0;
      }
      const now = Date.now();
      for (const m of q.queue.filter((x) => held(x) && now - x.timestamp > gateMs)) {
        q.queue.splice(q.queue.indexOf(m), 1);
        const answer = fatal(
          "57P03",
          "the embedded database is starting: the Flightly world is being seeded",
        );
        m.onData(answer);
        m.resolve(answer.length);
      }
      slots[SLOT.connections] = server.getStats().activeConnections;
      void q.processQueue();
    },
  };
}

const pgdata = join(dataDir, "pgdata");
const template = initialData(pgdata);
const db = await PGlite.create(pgdata, {
  extensions: { vector },
  ...(template ? { loadDataDir: template } : {}),
  startParams: [
    ...PGlite.defaultStartParams,
    ...Object.entries(postgres).flatMap(([name, value]) => ["-c", `${name}=${value}`]),
  ],
});
const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 256 });
const scheduler = schedule(server, db);
await scheduler.poll();
rmSync(socketPath, { force: true });
await server.start();
chmodSync(socketPath, 0o600);
const timer = setInterval(() => void scheduler.poll(), 250);
parentPort!.on("message", async (msg: { type: string }) => {
  if (msg.type !== "stop") return;
  clearInterval(timer);
  await server.stop();
  await db.close();
  parentPort!.postMessage({ type: "stopped" });
});
parentPort!.postMessage({ type: "ready" });
