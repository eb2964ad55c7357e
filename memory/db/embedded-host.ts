/**
 * The embedded database's host: one process per `DATA_DIR`, started (detached) by whichever
 * Flightly process finds none alive, elected by `pglite.lock`. PGlite runs in a worker thread
 * served on `DATA_DIR/run/.s.PGSQL.5432` (directory mode 0700: only this user reaches it, and no
 * TCP port is opened). This thread is the watchdog: when one protocol message runs past the limit
 * or the process passes its memory cap, it terminates the worker and starts another (clients
 * reconnect). It exits when no client process is alive and no connection is open.
 *
 * Usage: node dist/memory/db/embedded-host.js DATA_DIR
 */
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import {
  clientsDir,
  directoryBytes,
  ensureRunDir,
  type HostRecord,
  hostSettings,
  LOCK,
  pidAlive,
  RECORD,
  readJson,
  SLOT,
  socketPath,
  tryLock,
} from "./embedded-common.js";

const dataDir: string = process.argv[2] ?? "";
if (!dataDir) throw new Error("usage: embedded-host.js DATA_DIR");
const settings = hostSettings(process.env, directoryBytes(join(dataDir, "pgdata", "base")));
const log = (msg: string, fields: Record<string, unknown> = {}): void => {
  process.stderr.write(
    `${JSON.stringify({ time: new Date().toISOString(), pid: process.pid, msg, ...fields })}\n`,
  );
};

ensureRunDir(dataDir);
const lock = tryLock(dataDir);
if (!lock) process.exit(0); // another host won the election
if (lock === "taken") {
  // Another host may have replaced the same dead holder's lock at the same moment: the last
  // writer holds it.
  await new Promise((r) => setTimeout(r, 50));
  if (readFileSync(join(dataDir, LOCK), "utf8") !== String(process.pid)) process.exit(0);
}

const socket = socketPath(dataDir);
const shared = new SharedArrayBuffer(8 * 3);
const slots = new Float64Array(shared);
let worker: Worker | undefined;
let ready = false;
let stopping = false;
const crashes: number[] = [];

function startWorker(): void {
  ready = false;
  slots.fill(0);
  const w = new Worker(new URL("./embedded-worker.js", import.meta.url), {
    workerData: { dataDir, socketPath: socket, shared, gateMs: settings.gateMs, postgres: settings.postgres },
  });
  worker = w;
  const started = Date.now();
  w.on("message", (m: { type: string }) => {
    if (m.type === "ready" && worker === w) {
      ready = true;
      log("embedded database ready", {
        ms: Date.now() - started,
        sharedBuffers: settings.postgres.shared_buffers,
      });
    }
  });
  w.on("error", (err) => log("embedded database worker failed", { err: String(err) }));
  w.on("exit", (code) => {
    if (worker !== w || stopping) return;
    crashes.push(Date.now());
    while (crashes.length > 0 && crashes[0]! < Date.now() - 60_000) crashes.shift();
    if (crashes.length >= 3) {
      log("embedded database worker keeps exiting; host stops", { code });
      void shutdown(1);
      return;
    }
    log("embedded database worker exited; restarting", { code });
    startWorker();
  });
}

/** Cuts whatever the worker runs and starts a fresh one (its connections drop; clients reconnect). */
async function restart(reason: string, fields: Record<string, unknown>): Promise<void> {
  const w = worker;
  if (!w) return;
  worker = undefined;
  log(`embedded database restarted: ${reason}`, fields);
  await w.terminate();
  if (!stopping) startWorker();
}

let memoryRestartAt = 0;
const watchdog = setInterval(() => {
  if (!worker || !ready) return;
  const since = slots[SLOT.busySince]!;
  const limit = slots[SLOT.seeded] === 1 ? settings.statementMs : settings.setupMs;
  if (since > 0 && Date.now() - since > limit) {
    void restart("a statement passed its time limit", { limitMs: limit });
    return;
  }
  const rssMb = process.memoryUsage.rss() / 2 ** 20;
  if (rssMb > settings.memoryMb) {
    // Memory a terminated worker held should be returned; if it is not, a fresh process is needed.
    if (Date.now() - memoryRestartAt < 15_000) {
      log("memory still above the cap after a restart; host exits", { rssMb: Math.round(rssMb) });
      void shutdown(75);
      return;
    }
    memoryRestartAt = Date.now();
    void restart("memory passed its cap", { rssMb: Math.round(rssMb), capMb: settings.memoryMb });
  }
}, 100);

/** Client processes registered in `run/clients/<pid>` that are still alive; the dead are removed. */
function liveClients(): number {
  let live = 0;
  let names: string[] = [];
  try {
    names = readdirSync(clientsDir(dataDir));
  } catch {
    return 0; // DATA_DIR removed
  }
  for (const name of names) {
    if (pidAlive(Number(name))) live++;
    else rmSync(join(clientsDir(dataDir), name), { force: true });
  }
  return live;
}

let idleSince = Date.now();
const idleCheck = setInterval(() => {
  if (liveClients() > 0 || slots[SLOT.connections]! > 0 || (worker && !ready)) {
    idleSince = Date.now();
  } else if (Date.now() - idleSince > settings.idleExitMs) {
    log("no clients; host exits");
    void shutdown(0);
  }
}, 500);

async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(watchdog);
  clearInterval(idleCheck);
  // No new connection from here on: a client that arrives while PGlite stops finds no socket and
  // waits for this host to exit (the lock goes last), then starts the next one. Connections
  // already open are served until the worker stops.
  rmSync(socket, { force: true });
  const w = worker;
  if (w && ready) {
    const stopped = new Promise((r) =>
      w.once("message", (m: { type: string }) => m.type === "stopped" && r(0)),
    );
    w.postMessage({ type: "stop" });
    await Promise.race([stopped, new Promise((r) => setTimeout(r, 5_000))]);
  }
  await w?.terminate();
  if (readJson<HostRecord>(join(dataDir, RECORD))?.pid === process.pid)
    rmSync(join(dataDir, RECORD), { force: true });
  rmSync(socket, { force: true });
  try {
    if (readFileSync(join(dataDir, LOCK), "utf8") === String(process.pid)) rmSync(join(dataDir, LOCK));
  } catch {
    // already gone
  }
  process.exit(code);
}

process.once("SIGTERM", () => void shutdown(0));
process.once("SIGINT", () => void shutdown(0));

startWorker();
const record: HostRecord = { pid: process.pid, socket, startedAt: new Date().toISOString() };
const tmp = join(dataDir, `${RECORD}.${process.pid}`);
writeFileSync(tmp, JSON.stringify(record));
renameSync(tmp, join(dataDir, RECORD));
