/**
 * The turn outbox against a private redis-server that goes away and comes back: turns recorded
 * while it is down are kept, in order per session, and re-sent until history and the events
 * stream hold every one of them.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readHistory, sessionKeys } from "../../memory/short-term/index.js";
import { keys } from "../../memory/store/keys.js";
import { ValkeyStore } from "../../memory/store/valkey.js";
import { TurnOutbox } from "../../memory/worker/index.js";
import { sleep, TEST_VALKEY_URL, uniq } from "../support/env.js";
import { clusterSkipReason } from "../support/valkey-cluster.js";

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });

describe.skipIf(clusterSkipReason() !== undefined)("turn outbox", () => {
  let port: number;
  let server: ChildProcess | undefined;
  let store: ValkeyStore;

  const startServer = async (): Promise<void> => {
    server = spawn("redis-server", ["--port", String(port), "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    for (let i = 0; i < 100; i++) {
      const probe = await ValkeyStore.connect({ url: `redis://127.0.0.1:${port}` }).catch(() => undefined);
      if (probe) return probe.close();
      await sleep(50);
    }
    throw new Error("redis-server did not start");
  };
  const stopServer = async (): Promise<void> => {
    const s = server;
    server = undefined;
    if (!s || s.exitCode !== null) return;
    const exited = new Promise((r) => s.once("exit", r));
    s.kill("SIGKILL");
    await exited;
  };

  beforeAll(async () => {
    port = await freePort();
    await startServer();
    store = await ValkeyStore.connect({ url: `redis://127.0.0.1:${port}`, commandTimeoutMs: 500 });
  });
  afterAll(async () => {
    await store?.close();
    await stopServer();
  });

  it("lets a reader of the session wait for the turn being written (a cache hit does not wait for it)", async () => {
    const outbox = new TurnOutbox({ store });
    const scope = { actorId: "a", sessionId: uniq("s") };
    const at = new Date().toISOString();
    const recording = outbox.record({
      scope,
      messages: [{ role: "user", content: "Is breakfast included?", at }],
      events: false,
      ttlMs: 60_000,
    });
    const writing = outbox.written(scope);
    expect(writing).toBeDefined();
    expect(outbox.written({ actorId: "a", sessionId: uniq("other") })).toBeUndefined();
    await writing;
    expect((await readHistory(store, scope)).map((m) => m.content)).toEqual(["Is breakfast included?"]);
    expect(await recording).toBe("stored");
    await sleep(1);
    expect(outbox.written(scope)).toBeUndefined();
  });

  it("keeps turns while the store is down and re-sends them, in order, once it is back", async () => {
    const outbox = new TurnOutbox({ store, retryMs: 50, maxRetryMs: 200 });
    const scope = { actorId: uniq("a"), sessionId: uniq("s") };
    const turn = (n: number) => ({
      scope,
      messages: [
        { role: "user" as const, content: `q${n}`, at: new Date().toISOString() },
        { role: "assistant" as const, content: `a${n}`, at: new Date().toISOString() },
      ],
      events: true,
      ttlMs: 60_000,
    });
    expect(await outbox.record(turn(0))).toBe("stored");

    await stopServer();
    expect(await outbox.record(turn(1))).toBe("queued");
    expect(await outbox.record(turn(2))).toBe("queued");
    expect(outbox.pending).toBe(2);
    await sleep(300);
    expect(outbox.pending).toBe(2);

    await startServer();
    expect(await outbox.flush(10_000)).toBe(true);
    // A later turn of the same session goes straight in, after the re-sent ones.
    expect(await outbox.record(turn(3))).toBe("stored");
    outbox.close();

    // The server restarted empty: turn 0 went with it; 1-3 were stored after it came back.
    const history = await readHistory(store, scope);
    expect(history.map((m) => m.content)).toEqual(["q1", "a1", "q2", "a2", "q3", "a3"]);
    const events = (await store.xrange(keys.events())).filter((e) => e.fields.session_id === scope.sessionId);
    expect(events.map((e) => e.fields.text)).toEqual(["q1", "a1", "q2", "a2", "q3", "a3"]);
    expect(new Set(events.map((e) => e.fields.event_id)).size).toBe(6);
    expect(outbox.resent).toBe(2);
  });
});

/**
 * A cluster master that acknowledged a write and died before a replica had it: the store is
 * wrapped so its WAIT reports no replica, and the first time it does the history key is deleted,
 * as the failover would have lost it. The key is the real server's; only the WAIT reply is made up
 * (a standalone server has no replicas to ask).
 */
describe("turn outbox on writes no replica confirmed", () => {
  let store: ValkeyStore;
  beforeAll(async () => {
    store = await ValkeyStore.connect({ url: TEST_VALKEY_URL });
  });
  afterAll(async () => {
    await store?.close();
  });

  const turn = (scope: { actorId: string; sessionId: string }, n: number) => ({
    scope,
    messages: [
      { role: "user" as const, content: `question ${n}`, at: new Date(Date.now() + n).toISOString() },
      { role: "assistant" as const, content: `answer ${n}`, at: new Date(Date.now() + n).toISOString() },
    ],
    events: false,
    ttlMs: 60_000,
  });
  /** The store, with WAIT answered by `replies` in turn (then 1), and `onFirst` run at the first 0. */
  const withWait = (replies: number[], onFirst?: () => Promise<void>): ValkeyStore =>
    new Proxy(store, {
      get(target, prop, receiver) {
        if (prop !== "waitForReplicas") {
          const v = Reflect.get(target, prop, receiver) as unknown;
          return typeof v === "function" ? v.bind(target) : v;
        }
        return async () => {
          const n = replies.shift() ?? 1;
          if (n === 0 && onFirst) {
            const f = onFirst;
            onFirst = undefined;
            await f();
          }
          return n;
        };
      },
    });

  it("writes the turn again when the check finds it gone, and once only", async () => {
    const scope = { actorId: uniq("a"), sessionId: uniq("s") };
    const lose = () => store.del(sessionKeys(scope).history).then(() => undefined);
    const outbox = new TurnOutbox({ store: withWait([0], lose), retryMs: 20 });
    expect(await outbox.record(turn(scope, 1))).toBe("queued");
    expect(await outbox.flush(5_000)).toBe(true);
    const history = await readHistory(store, scope);
    expect(history.map((m) => m.content)).toEqual(["question 1", "answer 1"]);
  });

  it("does not append twice when the unconfirmed write was there after all", async () => {
    const scope = { actorId: uniq("a"), sessionId: uniq("s") };
    const outbox = new TurnOutbox({ store: withWait([0, 0]), retryMs: 20 });
    expect(await outbox.record(turn(scope, 1))).toBe("queued");
    expect(await outbox.record(turn(scope, 2))).toBe("queued");
    expect(await outbox.flush(5_000)).toBe(true);
    const history = await readHistory(store, scope);
    expect(history.map((m) => m.content)).toEqual(["question 1", "answer 1", "question 2", "answer 2"]);
  });

  it("stops checking after a few tries on a cluster that never confirms", async () => {
    const scope = { actorId: uniq("a"), sessionId: uniq("s") };
    const outbox = new TurnOutbox({ store: withWait(Array(100).fill(0)), retryMs: 10, maxRetryMs: 20 });
    expect(await outbox.record(turn(scope, 1))).toBe("queued");
    expect(await outbox.flush(5_000)).toBe(true);
    expect((await readHistory(store, scope)).length).toBe(2);
  });
});
