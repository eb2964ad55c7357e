/**
 * The runtime as a client sees it, in child processes: cold starts of `flightly serve` (seeded and
 * fresh `DATA_DIR`), RSS, then ours and the peer AgentCore app side by side under autocannon load,
 * scenarios alternating between the two and pooled over rounds.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../core/paths.js";
import { lockHolder } from "../memory/db/embedded-common.js";
import type { LabelledPair } from "../scripts/eval-embeddings.js";
import {
  descendants,
  findCacheHits,
  type LoadFigures,
  type LoadRun,
  type LoadSpec,
  load,
  poolRuns,
  request,
  rssMb,
  SESSION_HEADER,
  startPeer,
  startServe,
} from "./http.js";
import { benchPressure, type PressureSettings } from "./pressure.js";
import { type Figure, round, single, summarize } from "./stats.js";

export interface RuntimeSettings extends Omit<PressureSettings, "loadS" | "connections"> {
  coldSeeded: number;
  coldFresh: number;
  connections: number;
  loadS: number;
  loadRounds: number;
  warmupS: number;
}

export interface RuntimeStage {
  /** The environment of a runtime serving `dir`. */
  env: (dir: string) => NodeJS.ProcessEnv;
  /** A seeded data directory, not open in any process. */
  served: string;
  /** A new empty data directory (for the fresh cold starts). */
  freshDir: () => string;
  /**
   * A new copy of the seeded world, as `served` was before the load stages wrote to it (their
   * thousands of cached answers and sessions grow the database, and the embedded host's start
   * with it): `flightly invoke` is timed on one.
   */
  seededDir: () => string;
  /** The flight-search prompt of the full-path load. */
  prompt: string;
  /** Prompts the conversation load rotates through. */
  conversation: readonly string[];
  pairs: readonly LabelledPair[];
  settings: RuntimeSettings;
  /** Run the memory-pressure loads after the scenarios (default true). */
  pressure?: boolean;
  progress: (message: string) => void;
}

/**
 * `flightly invoke PROMPT` as a new process on a seeded data directory: spawn to exit, the answer
 * checked to be the JSON of an answered turn.
 */
function timeInvoke(env: NodeJS.ProcessEnv, prompt: string): Promise<number> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [join(ROOT, "dist", "bin", "flightly.js"), "invoke", prompt],
      { env: { ...env, LOG_LEVEL: "warn" }, timeout: 120_000, maxBuffer: 8 << 20 },
      (err, stdout, stderr) => {
        const ms = performance.now() - t0;
        if (err) return reject(new Error(`flightly invoke failed: ${err.message} ${stderr.slice(-500)}`));
        try {
          const answer = JSON.parse(stdout) as { response?: unknown };
          if (typeof answer.response !== "string" || answer.response === "") throw new Error("no response");
          resolve(ms);
        } catch (e) {
          reject(
            new Error(`flightly invoke printed no answer (${(e as Error).message}): ${stdout.slice(0, 300)}`),
          );
        }
      },
    );
  });
}

/** The command line of a process, shortened to what names it (`node …/embedded-host.js`). */
function processName(pid: number): string {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
    const script = argv.find((a) => a.endsWith(".js"));
    return script ? script.split("/").slice(-1)[0]! : (argv[0] ?? String(pid));
  } catch {
    return String(pid);
  }
}

/** Waits until no embedded host holds `dataDir` (it exits a few seconds after its last client). */
async function hostGone(dataDir: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (lockHolder(dataDir) !== undefined) {
    if (Date.now() > deadline) throw new Error(`the embedded host of ${dataDir} did not exit`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function benchRuntime(
  o: RuntimeStage,
): Promise<{ figures: Record<string, Figure>; notes: string[] }> {
  const { env, served, prompt, pairs, progress } = o;
  const s = o.settings;
  const figures: Record<string, Figure> = {};
  const notes: string[] = [];
  const listen: number[] = [];
  const ready: number[] = [];
  // Every cold start finds no process on the data dir (the last client stops the embedded host;
  // this guards against one that outlived it).
  for (let i = 0; i < s.coldSeeded - 1; i++) {
    await hostGone(served);
    progress(`cold start on the seeded DATA_DIR (${i + 1}/${s.coldSeeded})`);
    const c = await startServe(env(served));
    listen.push(c.listenMs);
    ready.push(c.readyMs);
    await c.child.stop();
  }
  await hostGone(served);
  progress(`cold start on the seeded DATA_DIR (${s.coldSeeded}/${s.coldSeeded}), then load`);
  const ours = await startServe(env(served));
  listen.push(ours.listenMs);
  ready.push(ours.readyMs);
  figures["cold_start.seeded.listen"] = summarize(listen, "ms");
  figures["cold_start.seeded.ready"] = summarize(ready, "ms");
  const loads: Record<string, LoadFigures> = {};
  let peer: Awaited<ReturnType<typeof startPeer>> | undefined;
  try {
    await new Promise((r) => setTimeout(r, 500));
    // Every process of the default mode: the runtime's descendants and the embedded database's
    // host of the served DATA_DIR (a host started by another process is not a descendant).
    const processes = (): number[] => {
      const pids = descendants(ours.child.pid);
      const host = lockHolder(served);
      return host !== undefined && host !== ours.child.pid && !pids.includes(host) ? [...pids, host] : pids;
    };
    const mcp = (): number => processes().reduce((sum, pid) => sum + (rssMb(pid) || 0), 0);
    figures["memory.rss_after_start"] = single(rssMb(ours.child.pid), "MB");
    const children = processes().map((pid) => `${processName(pid)} ${rssMb(pid)} MB`);
    figures["memory.rss_after_start_with_mcp"] = single(
      round(rssMb(ours.child.pid) + mcp(), 1),
      "MB",
      1,
      `total of every process: runtime ${rssMb(ours.child.pid)} MB + ${children.length} child process(es): ${children.join(", ") || "none"}`,
    );
    progress("peer: BedrockAgentCoreApp with a trivial handler");
    peer = await startPeer(env(served));
    figures["cold_start.peer.listen"] = single(round(peer.listenMs, 1), "ms");
    figures["memory.peer_rss_after_start"] = single(rssMb(peer.child.pid), "MB");
    const peerCheck = await request(
      peer.child.port,
      "POST",
      "/invocations",
      { prompt: "hi" },
      { [SESSION_HEADER]: "bench" },
    );
    if (peerCheck.status !== 200) throw new Error(`peer /invocations answered ${peerCheck.status}`);

    const port = ours.child.port;
    const base = { connections: s.connections, durationS: s.loadS, warmupS: s.warmupS };
    const actor = `bench-load-${process.pid}`;
    progress("finding prompts that hit the semantic cache");
    const hits = await findCacheHits(port, actor, pairs, 4);
    if (hits.semantic.length === 0)
      notes.push("no paraphrase hit the semantic cache: semantic-hit load not run");
    const exactBody = JSON.stringify({ prompt: hits.exactPrompt, actor_id: actor });
    const fullCheck = await request(port, "POST", "/invocations", {
      prompt,
      actor_id: `bench-full-check-${process.pid}`,
    });
    const fullBody = fullCheck.body as {
      cache?: { hit: boolean };
      agents?: Array<{ agent: string; tools: string[] }>;
    };
    const trail = (fullBody.agents ?? []).map((a) => `${a.agent}[${a.tools.join(",")}]`).join(" ");
    if (fullCheck.status !== 200 || fullBody.cache?.hit !== false) {
      throw new Error(
        `full-path check failed: ${fullCheck.status} ${JSON.stringify(fullCheck.body).slice(0, 300)}`,
      );
    }

    let guest = 0;
    const peerPort = peer.child.port;
    const scenarios: Array<{ key: string; note: string; spec: LoadSpec }> = [
      {
        key: "ours.ping",
        note: "GET /ping",
        spec: { ...base, port, pid: ours.child.pid, method: "GET", path: "/ping" },
      },
      {
        key: "peer.ping",
        note: "GET /ping",
        spec: { ...base, port: peerPort, pid: peer.child.pid, method: "GET", path: "/ping" },
      },
      {
        key: "ours.exact_hit",
        note: `one cached prompt: "${hits.exactPrompt}"`,
        spec: {
          ...base,
          port,
          pid: ours.child.pid,
          method: "POST",
          path: "/invocations",
          bodies: [exactBody],
        },
      },
      {
        key: "peer.invocations",
        note: "trivial handler returning a small JSON object; same body as the exact hit, fixed session header",
        spec: {
          ...base,
          port: peerPort,
          pid: peer.child.pid,
          method: "POST",
          path: "/invocations",
          headers: { [SESSION_HEADER]: "bench-session" },
          bodies: [exactBody],
        },
      },
      ...(hits.semantic.length > 0
        ? [
            {
              key: "ours.semantic_hit",
              note: `${hits.semantic.length} paraphrases rotated, each checked to hit with cache.kind "semantic"`,
              spec: {
                ...base,
                port,
                pid: ours.child.pid,
                method: "POST" as const,
                path: "/invocations",
                bodies: hits.semantic.map((p) => JSON.stringify({ prompt: p, actor_id: actor })),
              },
            },
          ]
        : []),
      {
        key: "ours.full_path",
        note: `a new guest actor per request (the cache always misses): "${prompt}" → ${trail}`,
        spec: {
          ...base,
          port,
          pid: ours.child.pid,
          method: "POST",
          path: "/invocations",
          bodyFor: () => JSON.stringify({ prompt, actor_id: `bench-guest-${process.pid}-${guest++}` }),
        },
      },
    ];
    const fullPath = scenarios.find((x) => x.key === "ours.full_path")!.spec;
    const runs: Record<string, LoadRun[]> = {};
    for (let round = 1; round <= s.loadRounds; round++) {
      for (const { key, spec } of scenarios) {
        progress(`load: ${key}, ${s.loadS} s after ${s.warmupS} s warm-up (round ${round}/${s.loadRounds})`);
        const result = await load(spec);
        runs[key] = [...(runs[key] ?? []), result];
      }
    }
    for (const { key, note } of scenarios) loads[key] = poolRuns(runs[key] ?? [], note);
    if (o.pressure !== false) {
      const pressure = await benchPressure({
        port,
        dataDir: served,
        fullPath,
        turns: o.conversation,
        settings: { ...s, loadS: Math.max(s.loadS, 2) },
        progress,
      });
      Object.assign(figures, pressure.figures);
      notes.push(...pressure.notes);
    }
    await new Promise((r) => setTimeout(r, 500));
    figures["memory.rss_after_load"] = single(rssMb(ours.child.pid), "MB");
    figures["memory.rss_after_load_with_mcp"] = single(round(rssMb(ours.child.pid) + mcp(), 1), "MB");
    figures["memory.peer_rss_after_load"] = single(rssMb(peer.child.pid), "MB");
  } catch (err) {
    // The runtime logs the cause of a 500 on its stderr: show it with the failure.
    const tail = ours.child.stderr().trim();
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(tail ? `${message}\n--- flightly serve stderr (last lines) ---\n${tail}` : message, {
      cause: err,
    });
  } finally {
    await peer?.child.stop();
    await ours.child.stop();
  }
  for (const [key, r] of Object.entries(loads)) {
    figures[`http.${key}.latency`] = r.latency;
    figures[`http.${key}.rps`] = r.rps;
    if (r.cpuUs !== undefined) figures[`http.${key}.cpu_per_request`] = r.cpuUs;
    if (r.non2xx > 0 || r.errors > 0) notes.push(`${key}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
  }

  // One request from the command line on a seeded data dir no process holds: it starts the
  // embedded host. Each cold start below waits for the last host to exit, as the ones above do.
  await hostGone(served);
  const seeded = o.seededDir();
  const invokes: number[] = [];
  for (let i = 0; i < s.coldSeeded; i++) {
    await hostGone(seeded);
    progress(`flightly invoke on the seeded DATA_DIR (${i + 1}/${s.coldSeeded})`);
    invokes.push(await timeInvoke(env(seeded), prompt));
  }
  figures["cli.invoke_seeded"] = summarize(
    invokes,
    "ms",
    "`flightly invoke PROMPT` (the full-path flight search) as a new process on a copy of the seeded world no process holds: spawn to exit",
  );

  const fresh: { listen: number[]; ready: number[] } = { listen: [], ready: [] };
  if (s.coldFresh === 0)
    notes.push("quick run: no cold start on a fresh DATA_DIR (migrate + seed take ~20-40 s; full run only)");
  await hostGone(seeded);
  for (let i = 0; i < s.coldFresh; i++) {
    progress(`cold start on a fresh DATA_DIR (${i + 1}/${s.coldFresh}): migrate + seed`);
    const dir = o.freshDir();
    const c = await startServe(env(dir));
    fresh.listen.push(c.listenMs);
    fresh.ready.push(c.readyMs);
    await c.child.stop();
    await hostGone(dir);
  }
  if (fresh.ready.length > 0) {
    figures["cold_start.fresh.listen"] = summarize(fresh.listen, "ms");
    figures["cold_start.fresh.ready"] = summarize(fresh.ready, "ms");
  }
  return { figures, notes };
}
