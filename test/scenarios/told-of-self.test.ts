/**
 * What a customer tells of themself is said back and kept: no tool runs for it, their memory
 * holds it after the tiering worker's pass, and "what do you know about me" answers from it in a
 * new session. A question about the same things stores nothing, and a guest is told that only a
 * signed-in customer's memory keeps it.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODES, type Scenario, startScenario } from "./harness.js";

describe.each(MODES)("told of self (%s)", (mode) => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario(mode);
  });
  afterAll(async () => {
    await s?.close();
  });

  const memoriesOf = async (actor: string): Promise<string[]> =>
    (
      await s.sql<{ content: string }[]>`
        SELECT content FROM memories WHERE actor_id = ${actor} AND kind IN ('preference', 'fact')`
    ).map((r) => r.content);

  it("a customer's statement is noted with no tool, kept in memory and read back later", async () => {
    const actor = "37";
    const told = await s.invoke("fyi I'm coeliac. also my home airport is Boston", {
      actor,
      session: randomUUID(),
    });
    expect(told.status).toBe(200);
    expect(s.calls).toEqual([]);
    expect(told.body.response).toMatch(/gluten-free/);
    expect(told.body.response).toMatch(/BOS/);
    await s.rt.app.worker.drain({ timeoutMs: 30_000 });
    const kept = await memoriesOf(actor);
    expect(kept).toEqual(expect.arrayContaining([expect.stringMatching(/gluten-free/)]));
    expect(kept).toEqual(expect.arrayContaining([expect.stringMatching(/BOS/)]));

    const asked = await s.invoke("tell me, what have you got on file about me?", {
      actor,
      session: randomUUID(),
    });
    expect(asked.status).toBe(200);
    expect(asked.body.response).toMatch(/gluten-free/);
  });

  it("a question beside a statement is answered, the statement kept unsaid", async () => {
    const actor = "39";
    const [me] = await s.sql<{ tier: string }[]>`
      SELECT profile->>'loyalty_tier' AS tier FROM customers WHERE id = ${actor}`;
    const r = await s.invoke("I'm lactose intolerant, which loyalty tier am I on?", {
      actor,
      session: randomUUID(),
    });
    expect(r.status).toBe(200);
    expect(r.body.response.toLowerCase()).toContain(me!.tier);
    expect(r.body.response).not.toMatch(/Noted/);
    await s.rt.app.worker.drain({ timeoutMs: 30_000 });
    expect(await memoriesOf(actor)).toEqual(expect.arrayContaining([expect.stringMatching(/dairy-free/)]));
  });

  it("a question about meals or seats stores nothing of the customer", async () => {
    const actor = "38";
    for (const prompt of [
      "are kosher meals served on long-haul flights?",
      "would an aisle seat suit a tall person",
    ]) {
      const r = await s.invoke(prompt, { actor, session: randomUUID() });
      expect(r.status).toBe(200);
    }
    await s.rt.app.worker.drain({ timeoutMs: 30_000 });
    expect(await memoriesOf(actor)).toEqual([]);
  });

  it("a guest is told that only a customer's memory keeps it", async () => {
    const actor = `guest-${randomUUID()}`;
    const told = await s.invoke("I'm diabetic and I need wheelchair assistance", {
      actor,
      session: randomUUID(),
    });
    expect(told.status).toBe(200);
    expect(s.calls).toEqual([]);
    expect(told.body.response).toMatch(/sign in/);
    await s.rt.app.worker.drain({ timeoutMs: 30_000 });
    expect(await memoriesOf(actor)).toEqual([]);
  });
});
