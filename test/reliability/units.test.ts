/**
 * The small pieces the fault tests rely on, checked directly: session leases outlive a crashed
 * holder by one slice only (and a live holder keeps its lease), the Valkey store maps transport
 * faults to UNAVAILABLE, and the HTTP error envelope turns infrastructure faults into 503 / 429
 * with a retry hint, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlightlyError } from "../../core/errors.js";
import { Leases } from "../../memory/locks.js";
import { ValkeyStore } from "../../memory/store/valkey.js";
import { errorBody } from "../../orchestrator/runtime/errors.js";
import { sleep, TEST_VALKEY_URL, uniq } from "../support/env.js";
import { type RedisServer, startRedis } from "./support.js";

describe("session leases", () => {
  let a: ValkeyStore;
  let b: ValkeyStore;
  beforeAll(async () => {
    [a, b] = await Promise.all([
      ValkeyStore.connect({ url: TEST_VALKEY_URL }),
      ValkeyStore.connect({ url: TEST_VALKEY_URL }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
  });

  it("a live holder keeps its lease past the slice; release frees it at once", async () => {
    const key = `flightly:test:${uniq("lease")}`;
    const held = await new Leases(a, { sliceMs: 150 }).acquire(key, 60_000, 0);
    expect(held).toBeDefined();
    await sleep(600); // four slices: renewed all along
    expect(await new Leases(b, { sliceMs: 150 }).acquire(key, 60_000, 0)).toBeUndefined();
    await held!.release();
    const next = await new Leases(b, { sliceMs: 150 }).acquire(key, 60_000, 0);
    expect(next).toBeDefined();
    await next!.release();
  });

  it("a holder that dies frees the lease within one slice, not the whole TTL", async () => {
    const key = `flightly:test:${uniq("lease")}`;
    const dying = await ValkeyStore.connect({ url: TEST_VALKEY_URL });
    expect(await new Leases(dying, { sliceMs: 300 }).acquire(key, 60_000, 0)).toBeDefined();
    await dying.close(); // its renewals no longer reach the server, as after a SIGKILL
    const started = Date.now();
    const taken = await new Leases(b, { sliceMs: 300 }).acquire(key, 60_000, 2_000);
    expect(taken).toBeDefined();
    expect(Date.now() - started).toBeLessThan(1_000);
    await taken!.release();
  });
});

describe("Valkey transport faults", () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis?.close();
  });

  it("map to UNAVAILABLE while down or hung; server replies and reconnects are unchanged", async () => {
    const store = await ValkeyStore.connect({ url: redis.url, commandTimeoutMs: 300 });
    try {
      // A server reply stays what it is.
      await store.set("k", "v");
      await expect(store.command("HGET", "k", "f")).rejects.toThrow(/WRONGTYPE/);

      redis.pause();
      const started = Date.now();
      await expect(store.get("k")).rejects.toMatchObject({ code: "UNAVAILABLE" });
      expect(Date.now() - started).toBeLessThan(1_500);
      // Once a command went unanswered, the next ones fail at once instead of waiting each.
      const next = Date.now();
      await expect(store.get("k")).rejects.toMatchObject({ code: "UNAVAILABLE" });
      expect(Date.now() - next).toBeLessThan(100);
      redis.resume();

      await redis.stop("SIGKILL");
      const res = await store
        .pipeline()
        .get("k")
        .hgetall("h")
        .exec()
        .catch((e: unknown) => [e]);
      expect(res[0]).toMatchObject({ code: "UNAVAILABLE" });
      await expect(store.set("k", "v")).rejects.toBeInstanceOf(FlightlyError);

      await redis.start();
      for (let i = 0; i < 100; i++) {
        if (await store.set("k", "back").catch(() => false)) break;
        await sleep(50);
      }
      expect(await store.get("k")).toBe("back");
    } finally {
      redis.resume();
      await store.close();
    }
  });
});

describe("error envelope", () => {
  it.each([
    [
      "ECONNREFUSED",
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
    ],
    [
      "postgres.js CONNECTION_CLOSED",
      Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" }),
    ],
    ["admin shutdown 57P01", Object.assign(new Error("terminating connection"), { code: "57P01" })],
    [
      "a wrapped socket error",
      new Error("tool failed", { cause: Object.assign(new Error("x"), { code: "ECONNRESET" }) }),
    ],
  ])("turns %s into a 503 with a retry hint and no detail", (_name, err) => {
    const { status, body, retryAfterS } = errorBody(err, "req-1");
    expect(status).toBe(503);
    expect(body.error.code).toBe("UNAVAILABLE");
    expect(retryAfterS).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|ECONN|57P01|CONNECTION_CLOSED/);
  });

  it("keeps programming errors a 500, and gives 503 / 429 codes a default retry hint", () => {
    expect(errorBody(new TypeError("x is undefined"), "r").status).toBe(500);
    expect(errorBody(new FlightlyError("UNAVAILABLE", "starting"), "r").retryAfterS).toBe(2);
    expect(errorBody(new FlightlyError("MODEL_THROTTLED", "slow down"), "r")).toMatchObject({
      status: 429,
      retryAfterS: 1,
    });
    expect(
      errorBody(new FlightlyError("MODEL_TIMEOUT", "no answer before the deadline"), "r").body.error.message,
    ).toBe("no answer before the deadline");
    expect(errorBody(new FlightlyError("INTERNAL", "secret detail"), "r").body.error.message).toBe(
      "internal error",
    );
  });
});
