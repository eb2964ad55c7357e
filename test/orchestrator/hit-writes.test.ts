/**
 * A cache hit is answered before its history write lands, but only while few such writes are in
 * flight: when the store falls behind, later hits wait for their own write, so a burst of hits
 * cannot pile up unbounded work and memory. Every hit's turn reaches the history either way.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readHistory } from "../../memory/short-term/history.js";
import { holdAppends } from "../support/held-appends.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";

describe("history writes of cache hits", () => {
  let rt: TestRuntime;
  beforeAll(async () => {
    rt = await startTestRuntime();
  });
  afterAll(async () => {
    await rt?.close();
  });

  it("answers hits at once while few writes wait, then makes further hits wait for their own write", async () => {
    const run = randomUUID().slice(0, 8);
    const actorId = `hit-writes-${run}`;
    const prompt = "How many checked bags does a Flex ticket come with?";
    const ask = (sessionId: string) => rt.app.orchestrator.invoke({ prompt, sessionId, actorId });
    const first = await ask(`${run}-prime`);
    const again = await ask(`${run}-prime-2`);
    expect(again.cache).toMatchObject({ hit: true, kind: "exact" });
    expect(again.response).toBe(first.response);

    // Hold every history append until released; lookups and other commands pass.
    const held = holdAppends(rt.running.services.store);
    try {
      const burst = 100;
      const answered: number[] = [];
      const hits = Array.from({ length: burst }, (_, i) =>
        ask(`${run}-${i}`).then((r) => {
          answered.push(i);
          return r;
        }),
      );
      await new Promise((r) => setTimeout(r, 300));
      // Some hits were answered with their writes held, and some were not: the bound is in between.
      expect(answered.length).toBeGreaterThan(0);
      expect(answered.length).toBeLessThan(burst);
      expect(held.waiting).toBe(burst);
      held.release();
      const results = await Promise.all(hits);
      expect(results.every((r) => r.cache.hit && r.response === first.response)).toBe(true);
      expect(answered.length).toBe(burst);
    } finally {
      held.restore();
    }
    // Every turn of the burst is in its session's history.
    for (const i of [0, 50, 99]) {
      const history = await readHistory(rt.running.services.store, { actorId, sessionId: `${run}-${i}` });
      expect(history.map((m) => m.role)).toEqual(["user", "assistant"]);
    }
  });
});
