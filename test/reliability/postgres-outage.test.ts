/**
 * Fault: Postgres drops its connections. The database is a stand-alone PGlite process
 * (`pglite-server.mjs`) reached through `DATABASE_URL`, as Aurora would be; the tests kill that
 * process and start it again at the same address. Meanwhile invocations get a clear 503 with
 * Retry-After (never a hang, a 500 or a stack) and the same serving process recovers without a
 * restart. A flagship cut at a side effect answers 503 and completes exactly once when resent
 * with its idempotency key (deterministic cut points, in process). PGlite-only, also in the
 * real-PostgreSQL lane: the test kills and restarts the database process, which a shared server is not.
 *
 * FLIGHTLY_LONG_TESTS=1 adds 20 cuts at random points over HTTP, classifying each outcome. They
 * currently expose two defects outside this folder (see the report): postgres.js 3.4.9 crashes
 * the process when a connection dies mid-write (uncaught TypeError in `nextWrite`,
 * porsager/postgres#1154 / #1208) or under its first internal query (`fetchArrayTypes`, #1192),
 * and read tools turn a connection fault into a checkpointed tool error (the `fails` tests).
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
import { startTestRuntime, type TestRuntime, worldDir } from "../support/world.js";
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
      const a = await invoke(base, prompt, { session: uniq("pg-down"), actor }).catch((err: unknown) => {
        assertAlive(served); // a crash says so, with the process's last lines
        throw err;
      });
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
   * The database dies at a chosen point of the flagship: the in-process runtime's model (the
   * local planner) stops it right after deciding to call `tool`, so that call is the first to find
   * it gone. The test then restarts the database and resends with the same key until answered.
   */
  describe("cut at a chosen tool call", () => {
    let rt: TestRuntime;
    let armed: string | undefined;

    beforeAll(async () => {
      await pg.start(); // whatever an earlier test left behind
      const local = createModel(loadConfig({ LOG_LEVEL: "silent" }), createLogger({ level: "silent" }));
      const model: ModelProvider = {
        name: local.name,
        modelId: local.modelId,
        converse: async (request) => {
          const response = await local.converse(request);
          const calls = response.message.content.some((b) => "toolUse" in b && b.toolUse.name === armed);
          if (armed && calls) {
            armed = undefined;
            await pg.stop("SIGKILL");
          }
          return response;
        },
        converseStream: (request) => local.converseStream(request),
      };
      rt = await startTestRuntime({
        model,
        env: { DATABASE_URL: pg.url, VALKEY_URL: redis.url, LOG_LEVEL: "silent" },
      });
    });
    afterAll(async () => {
      await rt?.close();
    });

    const cutAt = async (tool: string) => {
      const session = uniq("pg-cut");
      const key = uniq("pg-cut-idem");
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
      await pg.start();
      expect((await post(FLAGSHIP_SEARCH)).statusCode).toBe(200);
      armed = tool;
      const cut = await post(FLAGSHIP, key);
      expect(armed, `the planner never called ${tool}`).toBeUndefined();
      await pg.start();
      let done = await post(FLAGSHIP, key);
      for (let i = 0; i < 50 && done.statusCode !== 200; i++) {
        await sleep(200);
        done = await post(FLAGSHIP, key);
      }
      expect(done.statusCode).toBe(200);
      return { cut, done: done.json() as { response: string }, ...(await flagshipOutcome(sql, key)) };
    };

    it.each(["reserve_flight", "process_payment"])(
      "cut at %s: a 503 with a retry hint, then the resent key completes exactly once",
      async (tool) => {
        const { cut, bookings, payments } = await cutAt(tool);
        expect(cut.statusCode).toBe(503);
        expect(cut.json().error.code).toBe("UNAVAILABLE");
        expect(Number(cut.headers["retry-after"])).toBeGreaterThan(0);
        expect(bookings).toHaveLength(1);
        expect(bookings[0]).toMatchObject({
          status: "confirmed",
          insured: true,
          contact_email: FLAGSHIP_EMAIL,
        });
        expect(payments).toEqual([
          { status: "succeeded", amount_cents: bookings[0]!.total_cents, booking_ref: bookings[0]!.ref },
        ]);
      },
    );

    // A read tool that cannot reach the database fails the invocation (503), so its step is not
    // checkpointed as done without its result: the resend runs it again.
    it("cut at find_support_conversation: the resumed workflow still uses the support email", async () => {
      const { bookings } = await cutAt("find_support_conversation");
      expect(bookings).toHaveLength(1);
      expect(bookings[0]!.contact_email).toBe(FLAGSHIP_EMAIL);
    });
    it("cut at search_flights: a 503 that names no address, then the resend lists flights", async () => {
      const session = uniq("pg-search");
      const post = () =>
        rt.running.http.inject({
          method: "POST",
          url: "/invocations",
          headers: {
            "content-type": "application/json",
            "x-amzn-bedrock-agentcore-runtime-session-id": session,
          },
          payload: JSON.stringify({ prompt: FLAGSHIP_SEARCH, actor_id: "1" }),
        });
      await pg.start();
      armed = "search_flights";
      const cut = await post();
      expect(armed, "the planner never called search_flights").toBeUndefined();
      expect(cut.statusCode).toBe(503);
      expect(Number(cut.headers["retry-after"])).toBeGreaterThan(0);
      expect(cut.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1/);
      await pg.start();
      let done = await post();
      for (let i = 0; i < 50 && done.statusCode !== 200; i++) {
        await sleep(200);
        done = await post();
      }
      expect(done.statusCode).toBe(200);
      expect(done.json().agents[0].calls).toMatchObject([{ tool: "search_flights", status: "success" }]);
    });
  });

  /** Cuts the database `delayMs` into a flagship over HTTP; restarts what died; classifies the outcome. */
  const cutFlagship = async (delayMs: number): Promise<{ first: string; outcome: string }> => {
    const session = uniq("pg-flag");
    const key = uniq("pg-idem");
    let crashed = "";
    const patiently = async (prompt: string, idempotencyKey?: string): Promise<Answer> => {
      for (;;) {
        const dead = () => {
          if (served.proc.exitCode === null && served.proc.signalCode === null) return;
          crashed ||=
            served
              .stderr()
              .split("\n")
              .find((l) => /Error/.test(l) && !l.startsWith("{")) ?? "?";
          throw new Error("restart");
        };
        try {
          const o = { session, actor: "1", ...(idempotencyKey ? { idempotencyKey } : {}) };
          return await invokeUntilAnswered(() => served.url, prompt, o, 60_000, dead);
        } catch (err) {
          if ((err as Error).message !== "restart") throw err;
          served = await serve();
        }
      }
    };
    expect((await patiently(FLAGSHIP_SEARCH)).status).toBe(200);
    const sent = invoke(served.url, FLAGSHIP, { session, actor: "1", idempotencyKey: key }).then(
      (a) => `${a.status}${a.body.error ? ` ${a.body.error.code}` : ""}`,
      () => "cut",
    );
    await sleep(delayMs);
    await pg.stop("SIGKILL");
    const first = await sent;
    await sleep(300);
    await pg.start();
    const done = await patiently(FLAGSHIP, key);
    const { bookings, payments } = await flagshipOutcome(sql, key);
    const b = bookings[0];
    const outcome = crashed
      ? `service crashed (${crashed.slice(0, 80)})`
      : done.status !== 200
        ? `answered ${done.status}`
        : bookings.length !== 1
          ? `${bookings.length} bookings`
          : payments.length !== 1 ||
              payments[0]!.status !== "succeeded" ||
              payments[0]!.amount_cents !== b!.total_cents
            ? `payments ${JSON.stringify(payments)}`
            : b!.contact_email !== FLAGSHIP_EMAIL
              ? "booked to the profile email"
              : "ok";
    return { first, outcome };
  };

  it.runIf(LONG)(
    "20 random cuts over HTTP: the service never crashes, every workflow completes exactly once",
    async () => {
      const firsts: Record<string, number> = {};
      const outcomes: Record<string, number> = {};
      for (let i = 0; i < 20; i++) {
        const { first, outcome } = await cutFlagship(Math.floor(Math.random() * 400));
        firsts[first] = (firsts[first] ?? 0) + 1;
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      }
      console.info(
        `postgres cuts: first answers ${JSON.stringify(firsts)}; outcomes ${JSON.stringify(outcomes)}`,
      );
      expect(outcomes).toEqual({ ok: 20 });
    },
    900_000,
  );
});
