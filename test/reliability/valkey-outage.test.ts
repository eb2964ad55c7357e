/**
 * Fault: Valkey stops mid-run. `flightly serve` runs as a child on a private redis-server
 * (append-only file on, like a replicated ElastiCache that comes back with its data) and its own
 * embedded PGlite. While Valkey is down, invocations are still answered: policy questions and
 * account reads with no history (caches bypassed); a multi-step workflow gets a 503 with
 * Retry-After before its first side effect (its checkpoint cannot be written). When Valkey
 * returns, the client reconnects and resending with the same idempotency key completes the
 * flagship exactly once. A hung Valkey (SIGSTOP) costs seconds, not a hung request.
 */
import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Served, startServe } from "../support/cli.js";
import { sleep, uniq } from "../support/env.js";
import { type WorldEnv, worldEnv } from "../support/world.js";
import {
  FLAGSHIP,
  FLAGSHIP_EMAIL,
  FLAGSHIP_SEARCH,
  flagshipOutcome,
  invoke,
  invokeUntilAnswered,
  type RedisServer,
  redisCommand,
  servedDatabase,
  startRedis,
  waitHealthy,
} from "./support.js";

describe("fault: Valkey stops mid-run", () => {
  let world: WorldEnv;
  let redis: RedisServer;
  let served: Served;
  let sql: Sql;

  beforeAll(async () => {
    world = await worldEnv("valkey_outage");
    redis = await startRedis({ appendOnly: true });
    served = await startServe({ ...world.env, VALKEY_URL: redis.url, LOG_LEVEL: "warn" });
    await waitHealthy(served.url);
    sql = servedDatabase(world.env);
  });
  afterAll(async () => {
    await sql?.end({ timeout: 2 });
    await served?.stop("SIGKILL");
    await redis?.close();
    await world?.close();
  });

  it("keeps answering, 503s before a side effect, and completes exactly once when Valkey returns", async () => {
    const base = served.url;
    const session = uniq("valkey-flag");
    const key = uniq("valkey-idem");
    const search = await invoke(base, FLAGSHIP_SEARCH, { session, actor: "1" });
    expect(search.status).toBe(200);

    // Background traffic across the outage: every policy question is answered.
    let running = true;
    const background: number[] = [];
    const traffic = (async () => {
      for (let i = 0; running; i++) {
        const a = await invoke(base, "What is the checked baggage allowance?", {
          session: uniq("bg"),
          actor: String(2 + (i % 5)),
        });
        background.push(a.status);
        await sleep(50);
      }
    })();

    await sleep(300);
    await redis.stop("SIGKILL");

    const policy = await invoke(base, "Can I bring my cat in the cabin?", {
      session: uniq("pol"),
      actor: "3",
    });
    expect(policy.status).toBe(200);
    expect(policy.body.response?.length).toBeGreaterThan(20);

    const mine = await invoke(base, "Show me my bookings", { session: uniq("acct"), actor: "1" });
    expect(mine.status).toBe(200);
    expect(mine.body.agents?.flatMap((a) => a.tools)).toContain("list_bookings");

    const during = await invoke(base, FLAGSHIP, { session, actor: "1", idempotencyKey: key });
    expect(during.status).toBe(503);
    expect(during.body.error?.code).toBe("UNAVAILABLE");
    expect(during.body.error?.message).toMatch(/retry/);
    expect(Number(during.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(JSON.stringify(during.body)).not.toMatch(/at .*\.(ts|js):\d+/);
    // No side effect happened before the 503.
    expect((await flagshipOutcome(sql, key)).bookings).toHaveLength(0);

    expect((await fetch(`${base}/ping`)).status).toBe(200);

    await redis.start();
    const done = await invokeUntilAnswered(() => base, FLAGSHIP, {
      session,
      actor: "1",
      idempotencyKey: key,
    });
    expect(done.status).toBe(200);
    expect(done.body.agents?.map((a) => a.agent)).toEqual(["support", "booking", "payment"]);

    // Resent again: the finished workflow is replayed from its checkpoint, nothing runs twice.
    const replay = await invoke(base, FLAGSHIP, { session, actor: "1", idempotencyKey: key });
    expect(replay.status).toBe(200);
    expect(replay.body.response).toBe(done.body.response);

    running = false;
    await traffic;
    expect(background.length).toBeGreaterThan(3);
    expect(background.every((s) => s === 200)).toBe(true);

    const { bookings, payments } = await flagshipOutcome(sql, key);
    expect(bookings).toHaveLength(1);
    const [b] = bookings;
    expect(b).toMatchObject({ status: "confirmed", insured: true, contact_email: FLAGSHIP_EMAIL });
    expect(payments).toEqual([{ status: "succeeded", amount_cents: b!.total_cents, booking_ref: b!.ref }]);
  });

  it("Valkey comes back empty: resending a finished workflow's key duplicates nothing", async () => {
    const base = served.url;
    const session = uniq("valkey-empty");
    const key = uniq("valkey-empty-idem");
    expect((await invoke(base, FLAGSHIP_SEARCH, { session, actor: "1" })).status).toBe(200);
    const first = await invokeUntilAnswered(() => base, FLAGSHIP, {
      session,
      actor: "1",
      idempotencyKey: key,
    });
    expect(first.status).toBe(200);
    const before = await flagshipOutcome(sql, key);
    expect(before.bookings).toHaveLength(1);
    expect(before.payments).toHaveLength(1);

    // Lose every key (history, checkpoints, caches) as a restart without persistence would.
    await redis.stop("SIGKILL");
    await redis.start();
    await redisCommand(redis.port, "FLUSHALL");

    const again = await invokeUntilAnswered(() => base, FLAGSHIP, {
      session,
      actor: "1",
      idempotencyKey: key,
    });
    expect(again.status).toBe(200);
    const after = await flagshipOutcome(sql, key);
    expect(after.bookings).toEqual(before.bookings);
    expect(after.payments).toEqual(before.payments);
  });

  it("Valkey hangs (SIGSTOP): requests are answered within seconds, and all is well after SIGCONT", async () => {
    const base = served.url;
    redis.pause();
    try {
      const started = Date.now();
      const a = await invoke(base, "Is there Wi-Fi on board?", { session: uniq("hang"), actor: "4" });
      const ms = Date.now() - started;
      expect(a.status).toBe(200);
      expect(ms).toBeLessThan(8_000);
    } finally {
      redis.resume();
    }
    const b = await invokeUntilAnswered(() => base, "What is the checked baggage allowance?", {
      session: uniq("after-hang"),
      actor: "4",
    });
    expect(b.status).toBe(200);
  });
});
