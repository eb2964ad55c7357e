/**
 * Fault: the tiering worker dies mid-batch, as a process. (test/memory/worker.test.ts covers a
 * consumer that stops before acknowledging, in process.) Here a real `flightly worker` consumes
 * the events stream of a private redis-server while turns keep flowing, and is killed with
 * SIGKILL while it holds unacknowledged entries. Another consumer claims them: every event is
 * applied exactly once (one `memory_events` row and one episode per event), none is lost or
 * dead-lettered, nothing stays pending.
 */
import { type ChildProcess, spawn } from "node:child_process";
import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LongTermMemory } from "../../memory/long-term/memories.js";
import { keys } from "../../memory/store/keys.js";
import { ValkeyStore } from "../../memory/store/valkey.js";
import { appendTurnEvent, Worker } from "../../memory/worker/index.js";
import { testEmbedder } from "../memory/support.js";
import { CLI } from "../support/cli.js";
import { sleep, uniq } from "../support/env.js";
import { type WorldEnv, worldEnv } from "../support/world.js";
import { type PgliteServer, type RedisServer, sqlAt, startPglite, startRedis } from "./support.js";

const SAYINGS = [
  "I prefer aisle seats",
  "We are vegetarian",
  "Please avoid red-eye flights",
  "My home airport is SEA",
  "We travel with two kids aged 4 and 7",
  "What is the baggage allowance?",
];

describe("fault: the worker process dies mid-batch", () => {
  let world: WorldEnv;
  let redis: RedisServer;
  /** The database as a separate process (PGlite), or the real-PG lane's private database. */
  let pg: PgliteServer | undefined;
  let dbUrl: string;
  let store: ValkeyStore;
  let sql: Sql;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    world = await worldEnv("worker_crash");
    redis = await startRedis();
    if (!world.env.DATABASE_URL) pg = await startPglite(world.dir);
    dbUrl = world.env.DATABASE_URL ?? pg!.url;
    store = await ValkeyStore.connect({ url: redis.url });
    sql = sqlAt(dbUrl);
  });
  afterAll(async () => {
    if (child && child.exitCode === null) child.kill("SIGKILL");
    await store?.close();
    await sql?.end({ timeout: 2 });
    await pg?.close();
    await redis?.close();
    await world?.close();
  });

  it("loses no event and applies none twice", async () => {
    const ids: string[] = [];
    const say = async (i: number): Promise<void> => {
      const actorId = String(1 + (i % 8));
      const { eventId } = await appendTurnEvent(store, {
        actorId,
        sessionId: `crash-${actorId}`,
        role: i % 3 === 2 ? "assistant" : "user",
        text: `${SAYINGS[i % SAYINGS.length]} (${uniq("turn")})`,
      });
      ids.push(eventId);
    };
    for (let i = 0; i < 40; i++) await say(i);

    child = spawn(process.execPath, [CLI, "worker"], {
      env: {
        ...process.env,
        VALKEY_URL: redis.url,
        DATABASE_URL: dbUrl,
        DATA_DIR: world.dir,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += d;
    });

    // Events keep flowing while it works; kill it once it has applied some and holds a batch.
    let flowing = true;
    const flow = (async () => {
      for (let i = 40; flowing; i++) {
        await say(i);
        await sleep(15);
      }
    })();
    const applied = async (): Promise<number> =>
      Number((await sql<{ n: string }[]>`SELECT count(*) AS n FROM memory_events`)[0]!.n);
    const deadline = Date.now() + 60_000;
    let pendingAtKill = 0;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`worker exited early\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`worker applied nothing in time\n${stderr}`);
      if ((await applied()) >= 10) {
        const pending = await store.xpending(keys.events(), "flightly-tiering");
        if (pending.count > 0) {
          pendingAtKill = pending.count;
          break;
        }
      }
      await sleep(5);
    }
    child.kill("SIGKILL");
    await new Promise((r) => child!.once("exit", r));
    const appliedAtKill = await applied();
    await sleep(200);
    flowing = false;
    await flow;
    expect(pendingAtKill).toBeGreaterThan(0);
    expect(appliedAtKill).toBeLessThan(ids.length);

    // Another consumer takes over, claiming what the dead one held.
    const survivor = new Worker({
      store,
      memory: new LongTermMemory(sql, testEmbedder()),
      consumer: "survivor",
      claimIdleMs: 100,
      blockMs: 50,
    });
    await survivor.drain({ timeoutMs: 90_000 });

    const events = await sql<{ event_id: string }[]>`SELECT event_id FROM memory_events`;
    expect(new Set(events.map((e) => e.event_id))).toEqual(new Set(ids));
    const episodes = await sql<{ source_event_id: string; n: string }[]>`
      SELECT source_event_id, count(*) AS n FROM memories WHERE kind = 'episode' GROUP BY source_event_id`;
    expect(episodes).toHaveLength(ids.length);
    expect(episodes.every((e) => Number(e.n) === 1)).toBe(true);
    expect((await store.xpending(keys.events(), "flightly-tiering")).count).toBe(0);
    expect(await store.xlen(keys.deadLetters())).toBe(0);
    console.info(
      `worker crash: ${ids.length} events, killed with ${pendingAtKill} pending after ${appliedAtKill} applied; ` +
        `survivor claimed the rest: ${JSON.stringify(survivor.stats)}`,
    );
  });
});
