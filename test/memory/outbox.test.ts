/**
 * The turn outbox against a private redis-server that goes away and comes back: turns recorded
 * while it is down are kept, in order per session, and re-sent until history and the events
 * stream hold every one of them.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readHistory } from "../../memory/short-term/index.js";
import { keys } from "../../memory/store/keys.js";
import { ValkeyStore } from "../../memory/store/valkey.js";
import { TurnOutbox } from "../../memory/worker/index.js";
import { sleep, uniq } from "../support/env.js";
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
