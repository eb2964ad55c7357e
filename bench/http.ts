/**
 * The HTTP runtime as a client sees it: `node dist/bin/flightly.js serve` as a child process
 * (cold start to first healthy `/ping`, RSS), then `/invocations` and `/ping` under concurrent
 * load with autocannon, and the peer — `bedrock-agentcore`'s `BedrockAgentCoreApp` with a trivial
 * handler, also a child process — under the same load in the same run.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import http from "node:http";
import { createServer } from "node:net";
import { join } from "node:path";
import type { AutocannonRequest } from "autocannon";
import { ROOT } from "../core/paths.js";
import type { LabelledPair } from "../scripts/eval-embeddings.js";
import { type Figure, round, single, summarize } from "./stats.js";

export const SESSION_HEADER = "x-amzn-bedrock-agentcore-runtime-session-id";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Reply {
  status: number;
  body: unknown;
}

/** One request on a fresh connection; rejects on connection errors and after `timeoutMs`. */
export function request(
  port: number,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  timeoutMs = 60_000,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method,
        path,
        agent: false,
        timeout: timeoutMs,
        headers: {
          ...(payload
            ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }
            : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** Resident set size of a process in MB (Linux `/proc`); NaN elsewhere. */
export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return round(kb / 1024, 1);
  } catch {
    return Number.NaN;
  }
}

/** Every descendant of `pid` (Linux `/proc`): the MCP tool servers our runtime spawns. */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  try {
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(join("/proc", entry, "stat"), "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        parent.set(Number(entry), ppid);
      } catch {
        // the process ended while we looked
      }
    }
  } catch {
    return [];
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [child, pp] of parent) {
      if (pp === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly port: number;
  /** The last few KB the child wrote to stderr (for error messages). */
  stderr(): string;
  stop(): Promise<void>;
}

function spawnNode(args: string[], env: NodeJS.ProcessEnv, port: number): Child {
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
  let tail = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-4_000);
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  return {
    process: child,
    pid: child.pid ?? -1,
    port,
    stderr: () => tail,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const FLIGHTLY_CLI = join(ROOT, "dist", "bin", "flightly.js");
const PEER_SCRIPT = join(ROOT, "dist", "bench", "peer-agentcore.js");

export interface ColdStart {
  child: Child;
  /** Process start to the first `/ping` answer (listening). */
  listenMs: number;
  /** Process start to the first `/ping` saying `Healthy` (seeded, orchestrator built). */
  readyMs: number;
}

/** Spawns `flightly serve` and polls `/ping` every 5 ms until it is healthy and idle. */
export async function startServe(env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<ColdStart> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawnNode([FLIGHTLY_CLI, "serve"], { ...env, PORT: String(port) }, port);
  let listenMs: number | undefined;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (child.process.exitCode !== null) throw new Error(`flightly serve exited: ${child.stderr()}`);
      if (Date.now() > deadline) throw new Error(`flightly serve not healthy within ${timeoutMs} ms`);
      const reply = await request(port, "GET", "/ping", undefined, {}, 2_000).catch(() => undefined);
      if (reply?.status === 200) {
        listenMs ??= performance.now() - t0;
        if ((reply.body as { status?: string }).status === "Healthy") {
          return { child, listenMs, readyMs: performance.now() - t0 };
        }
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  } catch (err) {
    await child.stop();
    throw err;
  }
}

/** Spawns the peer app and waits for its `/ping`. */
export async function startPeer(env: NodeJS.ProcessEnv): Promise<ColdStart> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawnNode([PEER_SCRIPT, String(port)], env, port);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.process.exitCode !== null) throw new Error(`peer exited: ${child.stderr()}`);
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error("the peer AgentCore app did not answer /ping within 30 s");
    }
    const reply = await request(port, "GET", "/ping", undefined, {}, 2_000).catch(() => undefined);
    if (reply?.status === 200) {
      const ms = performance.now() - t0;
      return { child, listenMs: ms, readyMs: ms };
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface LoadSpec {
  port: number;
  method: "GET" | "POST";
  path: string;
  headers?: Record<string, string>;
  /** Request bodies, cycled per connection (one for a fixed request). */
  bodies?: readonly string[];
  /** A new body for every request (overrides `bodies`). */
  bodyFor?: () => string;
  connections: number;
  durationS: number;
  warmupS: number;
  /** The serving process: its CPU time over the timed run is measured (Linux `/proc`). */
  pid?: number;
}

/** One autocannon run, raw: 2xx latencies in ms, counts, and the measured duration. */
export interface LoadRun {
  samples: number[];
  ok: number;
  durationS: number;
  non2xx: number;
  errors: number;
  /** CPU time the serving process used over the timed run, ms (NaN when not measured). */
  cpuMs: number;
}

/** User + system CPU time of a process and all its threads so far, ms (Linux `/proc`); NaN elsewhere. */
function cpuTimeMs(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** One autocannon run after an untimed warm-up; latencies from its per-response events (sub-ms). */
export async function load(spec: LoadSpec): Promise<LoadRun> {
  const autocannon = (await import("autocannon")).default;
  const requests: AutocannonRequest[] = spec.bodyFor
    ? [{ method: spec.method, path: spec.path, setupRequest: (r) => ({ ...r, body: spec.bodyFor!() }) }]
    : (spec.bodies ?? [undefined]).map((body) => ({
        method: spec.method,
        path: spec.path,
        ...(body === undefined ? {} : { body }),
      }));
  const headers = {
    ...(spec.method === "POST" ? { "content-type": "application/json" } : {}),
    ...spec.headers,
  };
  const run = async (durationS: number, samples?: number[]) => {
    const instance = autocannon({
      url: `http://127.0.0.1:${spec.port}`,
      connections: spec.connections,
      duration: durationS,
      headers,
      requests,
      timeout: 30,
    });
    if (samples) {
      instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
        if (status >= 200 && status < 300) samples.push(ms);
      });
    }
    return instance;
  };
  if (spec.warmupS > 0) await run(spec.warmupS);
  const samples: number[] = [];
  const cpuBefore = cpuTimeMs(spec.pid);
  const result = await run(spec.durationS, samples);
  return {
    cpuMs: cpuTimeMs(spec.pid) - cpuBefore,
    samples,
    ok: result["2xx"],
    durationS: result.duration,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

export interface LoadFigures {
  rps: Figure;
  latency: Figure;
  non2xx: number;
  errors: number;
  /** The serving process's CPU time per 2xx answer, µs (absent when not measured). */
  cpuUs?: Figure;
}

/** Pools the runs of one scenario: req/s over the summed durations, latencies from every response. */
export function poolRuns(runs: readonly LoadRun[], note: string): LoadFigures {
  const ok = runs.reduce((sum, r) => sum + r.ok, 0);
  const seconds = runs.reduce((sum, r) => sum + r.durationS, 0);
  const perRun = runs.map((r) => r.ok / Math.max(r.durationS, 1e-9));
  const rps: Figure = {
    ...single(round(ok / Math.max(seconds, 1e-9), 0), "req/s", ok, note),
    ...(runs.length > 1 ? { min: round(Math.min(...perRun), 0), max: round(Math.max(...perRun), 0) } : {}),
  };
  return {
    rps,
    latency: summarize(
      runs.flatMap((r) => r.samples),
      "ms",
      note,
    ),
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
    ...(runs.every((r) => Number.isFinite(r.cpuMs)) && ok > 0
      ? {
          cpuUs: single(
            round((runs.reduce((sum, r) => sum + r.cpuMs, 0) * 1000) / ok, 0),
            "µs",
            ok,
            "CPU time (user + system, all threads) of the serving process per 2xx answer",
          ),
        }
      : {}),
  };
}

export interface Candidates {
  exactPrompt: string;
  semantic: string[];
  tried: number;
}

/**
 * Prompts that hit the running runtime's semantic cache: each paraphrase pair's `a` is asked
 * (and cached when its answer may be), then `b` must come back with `cache.kind === "semantic"`.
 */
export async function findCacheHits(
  port: number,
  actorId: string,
  pairs: readonly LabelledPair[],
  want: number,
): Promise<Candidates> {
  const ask = async (prompt: string) => {
    const reply = await request(port, "POST", "/invocations", { prompt, actor_id: actorId });
    if (reply.status !== 200)
      throw new Error(`/invocations answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body as { cache: { hit: boolean; kind: string | null } };
  };
  let exactPrompt: string | undefined;
  const semantic: string[] = [];
  let tried = 0;
  for (const p of pairs.filter((x) => x.same && x.kind === "paraphrase")) {
    if (semantic.length >= want && exactPrompt) break;
    tried++;
    await ask(p.a);
    const again = await ask(p.a);
    if (!again.cache.hit) continue; // not cacheable (no tool, or personal / action wording)
    exactPrompt ??= p.a;
    if (semantic.length >= want) continue;
    const b = await ask(p.b);
    if (b.cache.hit && b.cache.kind === "semantic") semantic.push(p.b);
  }
  if (!exactPrompt) throw new Error("no labelled prompt produced a cacheable answer");
  return { exactPrompt, semantic, tried };
}
