/**
 * Fault: the service is killed (SIGKILL) at random points of the flagship workflow. One seeded
 * DATA_DIR (embedded PGlite, owned by the serving process, so the database dies with it too; in the
 * real-PostgreSQL lane a private database on that server instead) and
 * a private redis-server; each run starts `flightly serve`, searches, sends the flagship with a
 * new idempotency key, kills the process at a random point within the time one uncut flagship
 * takes (measured first, so the kills land mid-flight however fast the machine), starts it again and resends with the same
 * key until answered. Every run must end with exactly one confirmed, insured booking to the
 * support-conversation email and one succeeded payment of its full total for that workflow, and
 * no other booking for the customer: none lost, none doubled.
 *
 * 6 runs by default; FLIGHTLY_LONG_TESTS=1 runs 50 (FLIGHTLY_KILL_RUNS overrides either).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionSlot } from "../../memory/short-term/index.js";
import { keys } from "../../memory/store/keys.js";
import { ValkeyStore } from "../../memory/store/valkey.js";
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
  LONG,
  type RedisServer,
  servedDatabase,
  startRedis,
  waitHealthy,
} from "./support.js";

const RUNS = Number(process.env.FLIGHTLY_KILL_RUNS ?? (LONG ? 50 : 6));

describe("fault: the service is killed during the flagship workflow", () => {
  let world: WorldEnv;
  let redis: RedisServer;
  let store: ValkeyStore;
  let served: Served | undefined;

  const start = async (): Promise<Served> => {
    const s = await startServe({ ...world.env, VALKEY_URL: redis.url, LOG_LEVEL: "warn" });
    await waitHealthy(s.url);
    return s;
  };

  beforeAll(async () => {
    world = await worldEnv("kill");
    redis = await startRedis();
    store = await ValkeyStore.connect({ url: redis.url });
  });
  afterAll(async () => {
    await served?.stop("SIGKILL");
    await store?.close();
    await redis?.close();
    await world?.close();
  });

  it(
    `${RUNS} runs killed at random points each complete exactly once after a restart`,
    async () => {
      served = await start();
      // One uncut flagship: how long the workflow takes here bounds where a kill can land.
      const calibration = uniq("kill-calibrate");
      await invokeUntilAnswered(() => served!.url, FLAGSHIP_SEARCH, { session: calibration, actor: "1" });
      const t0 = performance.now();
      const uncut = await invoke(served.url, FLAGSHIP, {
        session: calibration,
        actor: "1",
        idempotencyKey: uniq("cal"),
      });
      expect(uncut.status).toBe(200);
      // The first flagship is the slowest (cold caches): later ones finish sooner, so draw from 60% of it.
      const maxDelayMs = Math.max(30, Math.round((performance.now() - t0) * 0.6));
      const stages: Record<string, number> = {};
      const firstAnswers: Record<string, number> = {};
      const restartMs: number[] = [];
      const resendStatuses: Record<string, number> = {};

      for (let run = 1; run <= RUNS; run++) {
        const session = uniq(`kill${run}`);
        const key = uniq(`kill${run}-idem`);
        const base = served.url;
        const search = await invokeUntilAnswered(() => base, FLAGSHIP_SEARCH, { session, actor: "1" });
        expect(search.status).toBe(200);

        const sql = servedDatabase(world.env);
        const before = Number(
          (await sql<{ n: string }[]>`SELECT count(*) AS n FROM bookings WHERE customer_id = 1`)[0]!.n,
        );
        await sql.end({ timeout: 1 });

        // Send the flagship and kill the process at a random point of it.
        const delay = Math.floor(Math.random() * maxDelayMs);
        const sent = invoke(base, FLAGSHIP, { session, actor: "1", idempotencyKey: key }).then(
          (a) => String(a.status),
          () => "cut",
        );
        await sleep(delay);
        served.proc.kill("SIGKILL");
        await served.stop();
        const first = await sent;
        firstAnswers[first] = (firstAnswers[first] ?? 0) + 1;

        // Where the workflow was when it died, from its checkpoint.
        const cp = await store.hgetall(keys.checkpoint(sessionSlot({ actorId: "1", sessionId: session })));
        const plan = cp.data
          ? (JSON.parse(cp.data) as { plan?: { step?: number; status?: string } }).plan
          : undefined;
        const stage = plan
          ? `${plan.status === "done" ? "done" : `after step ${plan.step}`}`
          : "no checkpoint";
        stages[stage] = (stages[stage] ?? 0) + 1;

        const t = performance.now();
        served = await start();
        restartMs.push(performance.now() - t);
        const next = served.url;
        const done = await invokeUntilAnswered(
          () => next,
          FLAGSHIP,
          { session, actor: "1", idempotencyKey: key },
          90_000,
        );
        for (const s of done.seen) resendStatuses[String(s)] = (resendStatuses[String(s)] ?? 0) + 1;
        if (done.status !== 200) {
          console.error(`run ${run} answered ${JSON.stringify(done.body)}\n${served.stderr().slice(-4000)}`);
        }
        expect(done.status, `run ${run} (killed after ${delay} ms)`).toBe(200);
        expect(done.body.response).toContain(FLAGSHIP_EMAIL);

        const check = servedDatabase(world.env);
        try {
          const { bookings, payments } = await flagshipOutcome(check, key);
          expect(bookings, `run ${run}: bookings`).toHaveLength(1);
          const b = bookings[0]!;
          expect(b, `run ${run}`).toMatchObject({
            status: "confirmed",
            insured: true,
            contact_email: FLAGSHIP_EMAIL,
          });
          expect(payments, `run ${run}: payments`).toEqual([
            { status: "succeeded", amount_cents: b.total_cents, booking_ref: b.ref },
          ]);
          expect(done.body.response).toContain(b.ref);
          const after = Number(
            (await check<{ n: string }[]>`SELECT count(*) AS n FROM bookings WHERE customer_id = 1`)[0]!.n,
          );
          expect(after - before, `run ${run}: new bookings for the customer`).toBe(1);
        } finally {
          await check.end({ timeout: 1 });
        }
      }
      const avg = restartMs.reduce((a, b) => a + b, 0) / restartMs.length;
      console.info(
        `kill/restart: ${RUNS} runs killed 0-${maxDelayMs} ms into the flagship and recovered; answer before the kill: ${JSON.stringify(firstAnswers)}; ` +
          `state at the kill: ${JSON.stringify(stages)}; resend statuses: ${JSON.stringify(resendStatuses)}; ` +
          `restart to healthy avg ${Math.round(avg)} ms`,
      );
    },
    RUNS * 45_000,
  );
});
