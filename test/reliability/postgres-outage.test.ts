/**
 * Fault: Postgres drops its connections. The database is a stand-alone PGlite process
 * (`pglite-server.mjs`) that `flightly serve` reaches through `DATABASE_URL`, as it would reach
 * Aurora; the test kills that process and starts it again at the same address. Meanwhile
 * invocations get a clear 503 with Retry-After (never a hang, never a 500 or a stack); once the
 * database is back the same serving process recovers without a restart. A flagship workflow cut
 * by the outage completes exactly once when resent with its idempotency key.
 *
 * The serving process must survive every cut. postgres.js 3.4.9 can crash it when a connection
 * dies mid-write (an uncaught TypeError in `nextWrite`, porsager/postgres#1154 / #1208) or while
 * its first internal query runs (`fetchArrayTypes`, #1192); the tests fail with the process's last
 * log lines when that happens. FLIGHTLY_LONG_TESTS=1 adds 20 cuts in a row.
 */
import { rmSync } from "node:fs";
import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.js";
import { createLogger } from "../../core/logger.js";
import { createModel } from "../../orchestrator/models/index.js";
import type { ModelProvider } from "../../orchestrator/models/types.js";
import { type Served, startServe } from "../support/cli.js";
import { sleep, uniq } from "../support/env.js";
import { startTestRuntime, worldDir } from "../support/world.js";
import {
  type Answer,
  assertAlive,
  FLAGSHIP,
  FLAGSHIP_EMAIL,
  FLAGSHIP_SEARCH,
  flagshipOutcome,
  invoke,
  invokeUntilAnswered,
  LONG,
  type PgliteServer,
  type RedisServer,
  sqlAt,
  startPglite,
  startRedis,
  waitHealthy,
} from "./support.js";

describe("fault: Postgres drops connections", () => {
  const dir = worldDir();
  let redis: RedisServer;
  let pg: PgliteServer;
  let served: Served;
  let sql: Sql;

  const serve = async (): Promise<Served> => {
    const s = await startServe({
      DATA_DIR: dir,
      VALKEY_URL: redis.url,
      DATABASE_URL: pg.url,
      LOG_LEVEL: "warn",
    });
    await waitHealthy(s.url);
    return s;
  };

  beforeAll(async () => {
    [redis, pg] = await Promise.all([startRedis(), startPglite(dir)]);
    served = await serve();
    sql = sqlAt(pg.url);
  });
  afterAll(async () => {
    await sql?.end({ timeout: 2 });
    await served?.stop("SIGKILL");
    await pg?.close();
    await redis?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers 503 with a retry hint while the database is gone, and recovers without a restart", async () => {
    const base = served.url;
    const warm = await invoke(base, "What is the checked baggage allowance?", {
      session: uniq("pg"),
      actor: "2",
    });
    expect(warm.status).toBe(200);

    await pg.stop("SIGKILL");
    for (const [prompt, actor] of [
      ["Can I bring my cat in the cabin?", "3"],
      ["Show me my bookings", "1"],
      [FLAGSHIP_SEARCH, "4"],
    ] as const) {
      const started = Date.now();
      const a = await invoke(base, prompt, { session: uniq("pg-down"), actor });
      expect(Date.now() - started).toBeLessThan(12_000);
      expect(a.status).toBe(503);
      expect(a.body.error?.code).toBe("UNAVAILABLE");
      expect(a.body.error?.message).toMatch(/retry/);
      expect(Number(a.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(JSON.stringify(a.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|at .*\.(ts|js):\d+/);
    }
    expect((await fetch(`${base}/ping`)).status).toBe(200);

    await pg.start();
    const pid = served.proc.pid;
    const back = await invokeUntilAnswered(
      () => base,
      "Can I bring my cat in the cabin?",
      { session: uniq("pg-back"), actor: "3" },
      60_000,
      () => assertAlive(served),
    );
    expect(back.status).toBe(200);
    expect(served.proc.pid).toBe(pid);
    expect(served.proc.exitCode).toBeNull();
    const mine = await invoke(base, "Show me my bookings", { session: uniq("pg-back"), actor: "1" });
    expect(mine.status).toBe(200);
  });

  /**
   * Cuts the database `delayMs` into a flagship, restarts it, resends; returns the first status.
   * With `crashes`, a serving process that died is restarted (and the crash recorded) instead of
   * failing the test, so the workflow is still checked to complete exactly once.
   */
  const cutFlagship = async (delayMs: number, crashes?: string[]): Promise<string> => {
    const session = uniq("pg-flag");
    const key = uniq("pg-idem");
    const alive = (): void => {
      if (served.proc.exitCode === null && served.proc.signalCode === null) return;
      if (!crashes) assertAlive(served);
      crashes?.push(
        served
          .stderr()
          .split("\n")
          .find((l) => /Error/.test(l) && !l.startsWith("{")) ?? "?",
      );
      throw new Error("restart");
    };
    const patiently = async (prompt: string, idempotencyKey?: string): Promise<Answer> => {
      for (;;) {
        try {
          const o = { session, actor: "1", ...(idempotencyKey ? { idempotencyKey } : {}) };
          return await invokeUntilAnswered(() => served.url, prompt, o, 60_000, alive);
        } catch (err) {
          if ((err as Error).message !== "restart") throw err;
          served = await serve();
        }
      }
    };
    expect((await patiently(FLAGSHIP_SEARCH)).status).toBe(200);

    const first = invoke(served.url, FLAGSHIP, { session, actor: "1", idempotencyKey: key }).then(
      (a) => `${a.status}${a.body.error ? ` ${a.body.error.code}` : ""}`,
      () => "cut",
    );
    await sleep(delayMs);
    await pg.stop("SIGKILL");
    const cut = await first;
    await sleep(300);
    await pg.start();

    const done = await patiently(FLAGSHIP, key);
    expect(done.status).toBe(200);
    const { bookings, payments } = await flagshipOutcome(sql, key);
    expect(bookings).toHaveLength(1);
    // contact_email is checked by the deterministic test below (a cut during the support step loses it).
    expect(bookings[0]).toMatchObject({ status: "confirmed", insured: true });
    expect(payments).toEqual([
      { status: "succeeded", amount_cents: bookings[0]!.total_cents, booking_ref: bookings[0]!.ref },
    ]);
    alive();
    return cut;
  };

  it("a flagship cut by the outage completes exactly once when resent with its key", async () => {
    const cut = await cutFlagship(120);
    expect(["200", "503 UNAVAILABLE"]).toContain(cut);
  });

  it.runIf(LONG)(
    "20 cuts in a row: the service never crashes, every workflow completes exactly once",
    async () => {
      const seen: Record<string, number> = {};
      const crashes: string[] = [];
      for (let i = 0; i < 20; i++) {
        const cut = await cutFlagship(Math.floor(Math.random() * 400), crashes);
        seen[cut] = (seen[cut] ?? 0) + 1;
      }
      console.info(
        `postgres cuts: first answers ${JSON.stringify(seen)}; service crashes: ${JSON.stringify(crashes)}`,
      );
      expect(crashes).toEqual([]);
    },
    900_000,
  );

  /**
   * KNOWN BUG (reported; orchestrator/tool-runner.ts): a read tool that fails because the database
   * is unreachable becomes an ordinary tool error, so its step is checkpointed as done without its
   * result. Here the database dies while the support agent reads the support conversation: the
   * step is saved without the email, the resent workflow resumes after it, and the booking goes
   * to the profile email instead. Marked `fails` until read tools rethrow connection faults.
   */
  it.fails("a cut during the support step: the resumed workflow still uses the support email", async () => {
    const local = createModel(loadConfig({ LOG_LEVEL: "silent" }), createLogger({ level: "silent" }));
    let armed = false;
    const model: ModelProvider = {
      name: local.name,
      modelId: local.modelId,
      converse: async (request) => {
        const response = await local.converse(request);
        const reads = response.message.content.some(
          (b) => "toolUse" in b && b.toolUse.name === "find_support_conversation",
        );
        if (armed && reads) {
          armed = false;
          await pg.stop("SIGKILL"); // the tool call that follows finds the database gone
        }
        return response;
      },
      converseStream: (request) => local.converseStream(request),
    };
    const rt = await startTestRuntime({
      model,
      env: { DATABASE_URL: pg.url, VALKEY_URL: redis.url, LOG_LEVEL: "silent" },
    });
    try {
      const session = uniq("pg-read");
      const key = uniq("pg-read-idem");
      const post = (prompt: string, idempotencyKey?: string) =>
        rt.running.http.inject({
          method: "POST",
          url: "/invocations",
          headers: {
            "content-type": "application/json",
            "x-amzn-bedrock-agentcore-runtime-session-id": session,
          },
          payload: JSON.stringify({
            prompt,
            actor_id: "1",
            ...(idempotencyKey ? { idempotency_key: idempotencyKey } : {}),
          }),
        });
      expect((await post(FLAGSHIP_SEARCH)).statusCode).toBe(200);
      armed = true;
      const cut = await post(FLAGSHIP, key);
      expect(armed).toBe(false);
      expect(cut.statusCode).toBe(503);
      await pg.start();
      let done = await post(FLAGSHIP, key);
      for (let i = 0; i < 50 && done.statusCode !== 200; i++) {
        await sleep(200);
        done = await post(FLAGSHIP, key);
      }
      expect(done.statusCode).toBe(200);
      const { bookings } = await flagshipOutcome(sql, key);
      expect(bookings).toHaveLength(1);
      expect(bookings[0]!.contact_email).toBe(FLAGSHIP_EMAIL);
    } finally {
      await rt.close();
    }
  });
});
