/**
 * A private Valkey-compatible cluster for tests: 3 masters + 3 replicas of `redis-server` on free
 * ports of 127.0.0.1, no persistence, formed with `redis-cli --cluster create`. `killMaster()`
 * SIGKILLs a master and waits until its replica serves its slots; `stop()` removes every process
 * and directory it made (an exit hook does the same if a test run dies first).
 */
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { sleep } from "./env.js";

const run = promisify(execFile);

export interface ClusterNode {
  port: number;
  busPort: number;
  /** Replaced when the node is restarted fresh. */
  dir: string;
  process: ChildProcess | undefined;
}

export interface Failover {
  /** Port of the master that was killed. */
  killed: number;
  /** Port of the replica that took over its slots. */
  promoted: number;
  /** Milliseconds from the kill until every live node said `cluster_state:ok` again. */
  ms: number;
}

export interface ValkeyCluster {
  /** A seed node URL (a master that is up), for `VALKEY_URL` with `VALKEY_CLUSTER=true`. */
  readonly url: string;
  readonly nodes: readonly ClusterNode[];
  /**
   * SIGKILLs a master, waits for its replica's promotion and `cluster_state:ok`. With `restart`
   * (default) a fresh node on the killed one's port joins as the new master's replica, so
   * failovers can repeat.
   */
  killMaster(options?: { restart?: boolean; timeoutMs?: number }): Promise<Failover>;
  stop(): Promise<void>;
}

/** Whether `redis-server` and `redis-cli` can be run here. */
export function clusterBinariesAvailable(): boolean {
  return ["redis-server", "redis-cli"].every((bin) => spawnSync(bin, ["--version"]).status === 0);
}

/** Why cluster suites cannot run here, or undefined when they can. In CI a missing server throws. */
export function clusterSkipReason(): string | undefined {
  if (clusterBinariesAvailable()) return undefined;
  const reason = "redis-server / redis-cli not installed: the Valkey cluster suites need them";
  if (process.env.CI) throw new Error(`${reason} (CI must install them)`);
  console.warn(`SKIPPED: ${reason}`);
  return reason;
}

/** A port the OS just handed out (free at that moment). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run("redis-cli", ["-h", "127.0.0.1", "-p", String(port), ...args], {
    timeout: 5_000,
  });
  return stdout;
}

interface NodeLine {
  id: string;
  port: number;
  master: boolean;
  failed: boolean;
  masterId: string;
  slots: boolean;
}

async function clusterNodes(port: number): Promise<NodeLine[]> {
  const out = await cli(port, "cluster", "nodes");
  return out
    .trim()
    .split("\n")
    .map((line) => {
      const f = line.split(" ");
      const flags = f[2] ?? "";
      return {
        id: f[0]!,
        port: Number((f[1] ?? "").split(":")[1]?.split("@")[0]),
        master: flags.includes("master"),
        failed: /fail/.test(flags),
        masterId: f[3] ?? "-",
        slots: f.length > 8,
      };
    });
}

const live = new Set<ValkeyCluster>();
process.once("exit", () => {
  for (const c of live)
    for (const n of c.nodes) {
      n.process?.kill("SIGKILL");
      rmSync(n.dir, { recursive: true, force: true });
    }
});

export async function startValkeyCluster(options: { nodeTimeoutMs?: number } = {}): Promise<ValkeyCluster> {
  const nodeTimeout = options.nodeTimeoutMs ?? 1_000;
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < 6; i++) {
    nodes.push({
      port: await freePort(),
      busPort: await freePort(),
      dir: mkdtempSync(join(tmpdir(), "flightly-cluster-")),
      process: undefined,
    });
  }

  const launch = async (n: ClusterNode): Promise<void> => {
    const conf: Record<string, string> = {
      port: String(n.port),
      "cluster-port": String(n.busPort),
      bind: "127.0.0.1",
      "cluster-enabled": "yes",
      "cluster-config-file": join(n.dir, "nodes.conf"),
      "cluster-node-timeout": String(nodeTimeout),
      "cluster-replica-validity-factor": "0",
      dir: n.dir,
      save: "",
      appendonly: "no",
      "protected-mode": "no",
      loglevel: "warning",
    };
    const args = Object.entries(conf).flatMap(([k, v]) => [`--${k}`, v]);
    const child = spawn("redis-server", args, { stdio: "ignore" });
    n.process = child;
    child.once("exit", () => {
      if (n.process === child) n.process = undefined;
    });
    for (let t = 0; t < 100; t++) {
      if (
        await cli(n.port, "ping").then(
          (r) => r.trim() === "PONG",
          () => false,
        )
      )
        return;
      if (!n.process) throw new Error(`redis-server on port ${n.port} exited at start`);
      await sleep(50);
    }
    throw new Error(`redis-server on port ${n.port} did not start`);
  };

  const up = (): ClusterNode[] => nodes.filter((n) => n.process);
  const waitOk = async (deadline: number): Promise<void> => {
    for (;;) {
      const states = await Promise.all(up().map((n) => cli(n.port, "cluster", "info").catch(() => "")));
      if (states.every((s) => s.includes("cluster_state:ok"))) {
        // Every live node must also agree on the masters (no stale `fail` flags left to clear).
        const views = await Promise.all(up().map((n) => clusterNodes(n.port).catch(() => [])));
        const ok = views.every((v) => v.filter((x) => x.master && x.slots && !x.failed).length === 3);
        if (ok) return;
      }
      if (Date.now() > deadline) throw new Error("the cluster did not reach cluster_state:ok in time");
      await sleep(100);
    }
  };

  const cluster: ValkeyCluster = {
    get url() {
      const seed = up()[0];
      return `redis://127.0.0.1:${seed?.port ?? nodes[0]!.port}`;
    },
    nodes,
    killMaster: async ({ restart = true, timeoutMs = 30_000 } = {}) => {
      const view = await clusterNodes(up()[0]!.port);
      const masters = view.filter((x) => x.master && x.slots && !x.failed);
      const victim = masters.find((m) => view.some((r) => r.masterId === m.id && !r.failed));
      if (!victim) throw new Error("no master with a live replica to fail over");
      const node = nodes.find((n) => n.port === victim.port)!;
      const started = Date.now();
      node.process?.kill("SIGKILL");
      node.process = undefined;
      const deadline = started + timeoutMs;
      let promoted: number | undefined;
      while (promoted === undefined) {
        const now = await clusterNodes(up()[0]!.port).catch(() => []);
        const taker = now.find(
          (x) =>
            x.master && x.slots && !x.failed && x.port !== victim.port && !masters.some((m) => m.id === x.id),
        );
        if (taker) promoted = taker.port;
        else if (Date.now() > deadline) throw new Error(`no replica took over from port ${victim.port}`);
        else await sleep(100);
      }
      await waitOk(deadline);
      const ms = Date.now() - started;
      if (restart) {
        // A fresh node on the same port, added as the new master's replica. (Restarting with the
        // old nodes.conf would let it claim its old slots, empty, until the cluster corrects it.)
        rmSync(node.dir, { recursive: true, force: true });
        node.dir = mkdtempSync(join(tmpdir(), "flightly-cluster-"));
        await launch(node);
        const masterId = (await clusterNodes(promoted)).find((x) => x.port === promoted)!.id;
        const addArgs = [`127.0.0.1:${node.port}`, `127.0.0.1:${promoted}`, "--cluster-slave"];
        await run("redis-cli", ["--cluster", "add-node", ...addArgs, "--cluster-master-id", masterId], {
          timeout: 30_000,
        });
        for (;;) {
          const info = await cli(node.port, "info", "replication").catch(() => "");
          if (info.includes("role:slave") && info.includes("master_link_status:up")) break;
          if (Date.now() > deadline) throw new Error(`port ${node.port} did not join as a replica`);
          await sleep(100);
        }
        await waitOk(deadline);
      }
      return { killed: victim.port, promoted, ms };
    },
    stop: async () => {
      live.delete(cluster);
      await Promise.all(
        nodes.map(async (n) => {
          const child = n.process;
          n.process = undefined;
          if (child && child.exitCode === null) {
            const exited = new Promise((r) => child.once("exit", r));
            child.kill("SIGKILL");
            await exited;
          }
          rmSync(n.dir, { recursive: true, force: true });
        }),
      );
    },
  };
  live.add(cluster);

  // A port found free can be taken by another process before the node binds it: try new ones.
  const launchFresh = async (n: ClusterNode): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(n);
      } catch (err) {
        if (attempt >= 5 || !/exited at start/.test(String(err))) throw err;
        n.port = await freePort();
        n.busPort = await freePort();
      }
    }
  };

  try {
    await Promise.all(nodes.map(launchFresh));
    await run(
      "redis-cli",
      [
        "--cluster",
        "create",
        ...nodes.map((n) => `127.0.0.1:${n.port}`),
        "--cluster-replicas",
        "1",
        "--cluster-yes",
      ],
      { timeout: 30_000 },
    );
    await waitOk(Date.now() + 60_000);
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

let shared: Promise<ValkeyCluster> | undefined;

/**
 * One cluster per test file (started on first use); `stopSharedCluster` in the file's afterAll.
 * No test kills its nodes, so failure detection is slow (5 s): on a loaded machine a quick one
 * could mark a busy node failed while the cluster forms. A cluster that fails to form is started
 * once more on fresh ports.
 */
export function sharedCluster(): Promise<ValkeyCluster> {
  const start = () => startValkeyCluster({ nodeTimeoutMs: 5_000 });
  shared ??= start().catch(start);
  return shared;
}

export async function stopSharedCluster(): Promise<void> {
  const c = shared;
  shared = undefined;
  if (c) await (await c.catch(() => undefined))?.stop();
}
