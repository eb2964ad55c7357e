/**
 * Processes the fault and load tests own: a private `redis-server` on a free port (stopped and
 * started again at the same address), a stand-alone PGlite (`pglite-server.mjs`) that can be
 * killed and restarted at the same address, and helpers to call `/invocations` as a client that
 * honours 409 / 503 / Retry-After. Every process started here is stopped by its own pid.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sql } from "postgres";
import { embeddedUrl } from "../../memory/db/embedded.js";
import { connectPostgres } from "../../memory/db/index.js";
import { SESSION_HEADER } from "../../orchestrator/runtime/invocations.js";
import { freePort } from "../support/cli.js";
import { sleep } from "../support/env.js";

/** Long runs (50 kills, 200 × 20 load, 10-minute soak) only with FLIGHTLY_LONG_TESTS=1. */
export const LONG = process.env.FLIGHTLY_LONG_TESTS === "1";

export const FLAGSHIP_SEARCH = "find flights from Seattle to Tokyo in June";
export const FLAGSHIP =
  "Add travel insurance before you book my flight, and use the email from our support conversation";
export const FLAGSHIP_EMAIL = "ana.travel1@mailbox.example.org";

/** Answers `PING` within `timeoutMs`? */
function pings(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (d) => done(String(d).startsWith("+PONG")));
  });
}

/** Sends one inline command to a redis-server and returns its raw reply. */
export function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => socket.write(`${command}\r\n`));
    socket.once("data", (d) => {
      socket.destroy();
      resolve(String(d));
    });
    socket.once("error", reject);
  });
}

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly pid: number | undefined;
  /** Starts the server (again) on the same port. */
  start(): Promise<void>;
  /** Stops it: SIGKILL by default (a crash), SIGTERM for a clean shutdown. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** SIGSTOP / SIGCONT: the server hangs with its connections open. */
  pause(): void;
  resume(): void;
  close(): Promise<void>;
}

/** A private redis-server (protocol-compatible with Valkey) on a free port, no persistence by default. */
export async function startRedis(options: { appendOnly?: boolean } = {}): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "flightly-redis-"));
  let proc: ChildProcess | undefined;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return proc?.pid;
    },
    async start() {
      if (proc && proc.exitCode === null && proc.signalCode === null) return;
      proc = spawn(
        "redis-server",
        [
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--save",
          "",
          "--appendonly",
          options.appendOnly ? "yes" : "no",
          "--appendfsync",
          "always",
          "--dir",
          dir,
        ],
        { stdio: "ignore" },
      );
      const deadline = Date.now() + 10_000;
      while (!(await pings(port))) {
        if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
        await sleep(20);
      }
    },
    async stop(signal = "SIGKILL") {
      const p = proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      if (signal === "SIGKILL") p.kill("SIGCONT");
      const exited = new Promise((r) => p.once("exit", r));
      p.kill(signal);
      await exited;
    },
    pause() {
      proc?.kill("SIGSTOP");
    },
    resume() {
      proc?.kill("SIGCONT");
    },
    async close() {
      await server.stop("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

export interface PgliteServer {
  readonly port: number;
  readonly url: string;
  readonly pid: number | undefined;
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  close(): Promise<void>;
}

const HELPER = join(import.meta.dirname, "pglite-server.mjs");

/** The PGlite in `dataDir` served by its own process on a fixed port (killable, restartable). */
export async function startPglite(dataDir: string): Promise<PgliteServer> {
  let proc: ChildProcess | undefined;
  let port = 0;
  const server: PgliteServer = {
    get port() {
      return port;
    },
    get url() {
      return `postgres://postgres@127.0.0.1:${port}/postgres`;
    },
    get pid() {
      return proc?.pid;
    },
    async start() {
      if (proc && proc.exitCode === null && proc.signalCode === null) return;
      const p = spawn(process.execPath, [HELPER, dataDir, String(port)], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      proc = p;
      let err = "";
      p.stderr?.on("data", (d) => {
        err += d;
      });
      port = await new Promise<number>((resolve, reject) => {
        let out = "";
        p.stdout?.on("data", (d) => {
          out += d;
          const m = /ready (\d+)/.exec(out);
          if (m) resolve(Number(m[1]));
        });
        p.once("exit", (code) => reject(new Error(`pglite-server exited with ${code}\n${err}`)));
      });
    },
    async stop(signal = "SIGKILL") {
      const p = proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise((r) => p.once("exit", r));
      p.kill(signal);
      await exited;
    },
    async close() {
      await server.stop("SIGTERM");
    },
  };
  await server.start();
  return server;
}

/**
 * postgres.js to the database a `flightly serve` with this env uses: its DATABASE_URL, or the
 * embedded host for DATA_DIR (through its Unix socket).
 */
export function servedDatabase(env: { DATA_DIR: string; DATABASE_URL?: string }): Sql {
  return sqlAt(env.DATABASE_URL ?? embeddedUrl(env.DATA_DIR));
}

export function sqlAt(url: string): Sql {
  return connectPostgres(url, { max: 2, onnotice: () => {}, idle_timeout: 5, connect_timeout: 5 });
}

export interface Answer {
  status: number;
  body: Record<string, unknown> & {
    response?: string;
    error?: { code: string; message: string; request_id: string };
    cache?: { hit: boolean };
    agents?: Array<{ agent: string; tools: string[] }>;
  };
  headers: Headers;
  ms: number;
}

export interface InvokeOptions {
  session: string;
  actor: string;
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** One `POST /invocations`; network errors reject. */
export async function invoke(base: string, prompt: string, o: InvokeOptions): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${base}/invocations`, {
    method: "POST",
    headers: { "content-type": "application/json", [SESSION_HEADER]: o.session },
    body: JSON.stringify({
      prompt,
      actor_id: o.actor,
      ...(o.idempotencyKey ? { idempotency_key: o.idempotencyKey } : {}),
    }),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const text = await res.text();
  let body: Answer["body"];
  try {
    body = JSON.parse(text) as Answer["body"];
  } catch {
    body = { raw: text };
  }
  return { status: res.status, body, headers: res.headers, ms: performance.now() - started };
}

/**
 * A patient client: resends on 409 / 429 / 503 (after Retry-After, capped) and on connection
 * errors until a final answer or `timeoutMs`. Returns the answer and every status seen.
 */
export async function invokeUntilAnswered(
  base: () => string,
  prompt: string,
  o: InvokeOptions,
  timeoutMs = 60_000,
  /** Called before each attempt; throw from it to stop early (e.g. the server process died). */
  check?: () => void,
): Promise<Answer & { seen: Array<number | string> }> {
  const seen: Array<number | string> = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    check?.();
    let wait = 200;
    try {
      const a = await invoke(base(), prompt, o);
      seen.push(a.status);
      if (![409, 429, 503].includes(a.status)) return { ...a, seen };
      const after = Number(a.headers.get("retry-after"));
      if (Number.isFinite(after) && after > 0) wait = Math.min(after * 1000, 1_000);
    } catch (err) {
      seen.push((err as { cause?: { code?: string } }).cause?.code ?? "network");
    }
    if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms; saw ${seen.join(",")}`);
    await sleep(wait);
  }
}

/** Throws (with its last log lines) when a served process has exited. */
export function assertAlive(served: { proc: ChildProcess; stderr: () => string }): void {
  const { exitCode, signalCode } = served.proc;
  if (exitCode !== null || signalCode !== null) {
    throw new Error(
      `flightly serve died (${exitCode ?? signalCode}); its last log lines:\n${served.stderr().slice(-3000)}`,
    );
  }
}

/** Waits until `/ping` says Healthy (started and not busy warming up). */
export async function waitHealthy(base: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${base}/ping`);
      if (res.ok && ((await res.json()) as { status: string }).status === "Healthy") return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${base} did not become healthy`);
    await sleep(50);
  }
}

/** Resident set size of a process, bytes (Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

/** Percentile (0-100) of a list of numbers, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** The booking and payments a flagship workflow with idempotency key `key` produced. */
export async function flagshipOutcome(
  sql: Sql,
  key: string,
): Promise<{
  bookings: Array<{
    ref: string;
    status: string;
    insured: boolean;
    contact_email: string;
    total_cents: number;
  }>;
  payments: Array<{ status: string; amount_cents: number; booking_ref: string }>;
}> {
  const bookings = await sql<
    Array<{ ref: string; status: string; insured: boolean; contact_email: string; total_cents: number }>
  >`SELECT ref, status, insured, contact_email, total_cents FROM bookings
    WHERE idempotency_key LIKE ${`${key}:%`} ORDER BY id`;
  const payments = await sql<Array<{ status: string; amount_cents: number; booking_ref: string }>>`
    SELECT p.status, p.amount_cents, b.ref AS booking_ref FROM payments p JOIN bookings b ON b.id = p.booking_id
    WHERE p.idempotency_key LIKE ${`${key}:%`} OR b.idempotency_key LIKE ${`${key}:%`} ORDER BY p.id`;
  return { bookings: [...bookings], payments: [...payments] };
}
