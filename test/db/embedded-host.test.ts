/**
 * The embedded database runs in a host process of its own: a long statement never holds up the
 * service's event loop and is cut by the host's watchdog; the host is reached only through a Unix
 * socket in an owner-only directory; a killed host, or an exited first process, is taken over;
 * and a query during the first seed waits for it. PGlite-only by nature.
 */
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embeddedUrl } from "../../memory/db/embedded.js";
import { connectPostgres } from "../../memory/db/index.js";
import { FLAGSHIP_SEARCH, invoke, waitHealthy } from "../reliability/support.js";
import { type Served, startServe } from "../support/cli.js";
import { sleep, uniq } from "../support/env.js";
import { alive, hostPid } from "../support/processes.js";
import { worldDir } from "../support/world.js";

/** Inodes of the TCP sockets listening on this machine (IPv4 and IPv6). */
function listeningTcpInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(file, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols[3] === "0A") inodes.add(cols[9]!); // state LISTEN, inode
    }
  }
  return inodes;
}

/** Inodes of the sockets a process holds open. */
function socketInodes(pid: number): string[] {
  const out: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) out.push(m[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return out;
}

describe("the embedded database in a host of its own", () => {
  const dir = worldDir();
  const env = { DATA_DIR: dir, LOG_LEVEL: "warn", EMBEDDED_PG_STATEMENT_TIMEOUT_MS: "3000" };
  const started: Served[] = [];
  let owner: Served;
  let sql: Sql;

  beforeAll(async () => {
    owner = await startServe(env);
    started.push(owner);
    await waitHealthy(owner.url);
    sql = connectPostgres(embeddedUrl(dir), { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end({ timeout: 1 }).catch(() => {});
    for (const s of started) await s.stop("SIGKILL");
    const pid = hostPid(dir);
    if (pid && alive(pid)) process.kill(pid, "SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers /ping while a long statement runs, and the watchdog cuts that statement", async () => {
    await sql`SELECT 1`;
    const events: string[] = [];
    const t0 = Date.now();
    const long = sql`SELECT pg_sleep(8)`.then(
      () => events.push("statement finished"),
      (err: Error) => events.push(`statement cut: ${err.message}`),
    );
    await sleep(300);
    const ping = await fetch(`${owner.url}/ping`);
    events.push(`ping ${ping.status}`);
    await long;
    const cutAfter = Date.now() - t0;
    expect(events[0]).toBe("ping 200");
    expect(events[1]).toMatch(/^statement cut/);
    expect(cutAfter).toBeLessThan(7_000);
    const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM airports`;
    expect(row!.n).toBeGreaterThan(0);
  });

  it("is reached only through an owner-only Unix socket, with no TCP port", async () => {
    const run = join(dir, "run");
    expect(statSync(run).mode & 0o777).toBe(0o700);
    expect(statSync(join(run, ".s.PGSQL.5432")).isSocket()).toBe(true);
    const record = JSON.parse(readFileSync(join(dir, "pglite-server.json"), "utf8"));
    expect(record).not.toHaveProperty("port");
    const pid = hostPid(dir);
    expect(pid).toBe(record.pid);
    const held = socketInodes(pid);
    expect(held.length).toBeGreaterThan(0);
    const listening = listeningTcpInodes();
    expect(held.filter((inode) => listening.has(inode))).toEqual([]);
  });

  it("replaces a killed host: the next query succeeds within seconds", async () => {
    const killed = hostPid(dir);
    process.kill(killed, "SIGKILL");
    for (let i = 0; i < 100 && alive(killed); i++) await sleep(20);
    const t0 = Date.now();
    const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM flights`.catch(
      // The pool's open connection died with the host; the next query reconnects.
      () => sql<{ n: number }[]>`SELECT count(*)::int AS n FROM flights`,
    );
    expect(row!.n).toBeGreaterThan(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(hostPid(dir)).not.toBe(killed);
    expect(alive(hostPid(dir))).toBe(true);
  });

  it("keeps a second Flightly process working after the first one exits", async () => {
    const second = await startServe(env);
    started.push(second);
    await waitHealthy(second.url);
    expect(await owner.stop("SIGTERM")).not.toBeNull();
    const answer = await invoke(second.url, FLAGSHIP_SEARCH, { session: uniq("s"), actor: "1" });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.response).toMatch(/Tokyo|NRT|HND/);
    const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM airports`;
    expect(row!.n).toBeGreaterThan(0);
  });
});

describe("a query during the first seed", () => {
  const dir = mkdtempSync(join(tmpdir(), "flightly-seedwait-"));
  let served: Served | undefined;

  afterAll(async () => {
    await served?.stop("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("waits for the seed and never reads a half-built world", async () => {
    const serving = startServe({ DATA_DIR: dir, LOG_LEVEL: "warn" });
    // A service login (application_name "flightly", like `mcp postgres`) asking while seeding runs.
    const reader = connectPostgres(embeddedUrl(dir), {
      max: 1,
      onnotice: () => {},
      connection: { application_name: "flightly" },
    });
    const counts: Array<number | string> = [];
    const done = Date.now() + 120_000;
    try {
      while (Date.now() < done) {
        try {
          const [row] = await reader<{ n: number }[]>`SELECT count(*)::int AS n FROM airports`;
          counts.push(row!.n);
          break;
        } catch (err) {
          counts.push((err as Error).message); // the host not yet created by `serve`
          await sleep(200);
        }
      }
      served = await serving;
      const [final] = await reader<{ n: number }[]>`SELECT count(*)::int AS n FROM airports`;
      expect(final!.n).toBeGreaterThan(0);
      expect(counts.filter((c) => typeof c === "number")).toEqual([final!.n]);
    } finally {
      await reader.end({ timeout: 1 });
    }
  }, 180_000);
});
