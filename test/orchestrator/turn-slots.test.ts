/**
 * Turn slots: at most N turns run the agents at once in a process; the rest wait in arrival order,
 * a waiting turn can be aborted without taking a slot, and a cache hit never waits for one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ScriptedModel } from "../../orchestrator/models/scripted.js";
import { TurnSlots } from "../../orchestrator/turn-slots.js";
import { holdAppends } from "../support/held-appends.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";

describe("TurnSlots", () => {
  it("grants up to the limit at once and the rest in arrival order as slots come back", async () => {
    const slots = new TurnSlots(2);
    const order: string[] = [];
    const a = await slots.take();
    const b = await slots.take();
    const granted = (name: string) => (release: () => void) => {
      order.push(name);
      return release;
    };
    const c = slots.take().then(granted("c"));
    const d = slots.take().then(granted("d"));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    expect(slots.load).toEqual({ running: 2, waiting: 2 });
    a();
    a(); // giving a slot back twice frees it once
    const releaseC = await c;
    expect(order).toEqual(["c"]);
    expect(slots.load).toEqual({ running: 2, waiting: 1 });
    b();
    (await d)();
    releaseC();
    expect(slots.load).toEqual({ running: 0, waiting: 0 });
  });

  it("drops a waiting turn that is aborted; the slot goes to the next one", async () => {
    const slots = new TurnSlots(1);
    const held = await slots.take();
    const abort = new AbortController();
    const aborted = slots.take(abort.signal);
    const next = slots.take();
    abort.abort(new Error("client left"));
    await expect(aborted).rejects.toThrow("client left");
    expect(slots.load).toEqual({ running: 1, waiting: 1 });
    held();
    (await next)();
    expect(slots.load).toEqual({ running: 0, waiting: 0 });
  });

  it("refuses a limit that is not a positive integer", () => {
    expect(() => new TurnSlots(0)).toThrow(RangeError);
    expect(() => new TurnSlots(1.5)).toThrow(RangeError);
  });
});

describe("MAX_CONCURRENT_TURNS in the runtime", () => {
  let rt: TestRuntime;
  let inside = 0;
  let most = 0;
  beforeAll(async () => {
    // Each model call stays open a while; the number of calls open at once is what is bounded.
    const model = new ScriptedModel(async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((r) => setTimeout(r, 40));
      inside--;
      return "Noted.";
    });
    rt = await startTestRuntime({ model, env: { MAX_CONCURRENT_TURNS: "2" } });
  }, 120_000);
  afterAll(async () => {
    await rt?.close();
  });

  it("runs at most two turns' agents at once and answers every one of six concurrent turns", async () => {
    const prompts = Array.from({ length: 6 }, (_, i) => `Please note that trip number ${i + 11} is for work`);
    const results = await Promise.all(
      prompts.map((prompt, i) =>
        rt.app.orchestrator.invoke({ prompt, sessionId: `slots-${Date.now()}-${i}`, actorId: "7" }),
      ),
    );
    expect(results.every((r) => r.response.length > 0 && r.agents.length > 0)).toBe(true);
    expect(most).toBe(2);
  });
});

describe("a turn's slot after its agents", () => {
  let rt: TestRuntime;
  let calls = 0;
  beforeAll(async () => {
    const model = new ScriptedModel(async () => {
      calls++;
      return "Noted.";
    });
    rt = await startTestRuntime({ model, env: { MAX_CONCURRENT_TURNS: "1" } });
  }, 120_000);
  afterAll(async () => {
    await rt?.close();
  });

  it("goes back before the turn's history write lands: the next turn's agents run meanwhile", async () => {
    const run = `${Date.now()}`;
    const held = holdAppends(rt.running.services.store);
    try {
      const ask = (i: number) =>
        rt.app.orchestrator.invoke({
          prompt: `Please note that trip number ${i + 40} is for a conference`,
          sessionId: `slot-after-${run}-${i}`,
          actorId: "7",
        });
      const first = ask(1);
      for (let i = 0; i < 200 && held.waiting === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(held.waiting).toBe(1);
      const before = calls;
      const second = ask(2);
      for (let i = 0; i < 200 && calls === before; i++) await new Promise((r) => setTimeout(r, 10));
      // The only slot is free although the first turn's write has not landed.
      expect(calls).toBeGreaterThan(before);
      held.release();
      const [a, b] = await Promise.all([first, second]);
      expect(a.agents.length).toBeGreaterThan(0);
      expect(b.agents.length).toBeGreaterThan(0);
    } finally {
      held.restore();
    }
  });
});
