/**
 * A cache hit is answered once its turn is in the session's history: the next request of the
 * session, wherever it runs, reads it. Holding the store's history appends holds the answers.
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

  it("answers a burst of hits only after each hit's history write lands", async () => {
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
    const burst = 20;
    const answered: number[] = [];
    try {
      const hits = Array.from({ length: burst }, (_, i) =>
        ask(`${run}-${i}`).then((r) => {
          answered.push(i);
          return r;
        }),
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(held.waiting).toBe(burst);
      expect(answered).toEqual([]);
      held.release();
      const results = await Promise.all(hits);
      expect(results.every((r) => r.cache.hit && r.response === first.response)).toBe(true);
    } finally {
      held.restore();
    }
    expect(answered.length).toBe(burst);
    for (const i of [0, 7, 19]) {
      const history = await readHistory(rt.running.services.store, { actorId, sessionId: `${run}-${i}` });
      expect(history.map((m) => m.role)).toEqual(["user", "assistant"]);
    }
  });
});
