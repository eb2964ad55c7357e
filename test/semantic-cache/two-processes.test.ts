/**
 * Two app instances on one Valkey and one database, as two service processes are: an answer
 * cached by one is dropped by a write the other makes — a reservation, a cancellation, a
 * knowledge update, a profile change (the tiering worker) — and the next ask computes it again
 * from the data as it is. Also: a request that needed long-term memory never touches the cache.
 */
import { randomUUID } from "node:crypto";
import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.js";
import { createLogger } from "../../core/logger.js";
import { CLOCK_SKEW_MS } from "../../memory/response-cache.js";
import { appendTurnEvent } from "../../memory/worker/index.js";
import type { InvokeResult } from "../../orchestrator/orchestrator.js";
import { type App, buildApp } from "../../orchestrator/runtime/app.js";
import { openServices, type Services } from "../../orchestrator/runtime/services.js";
import type { ToolResult } from "../../tools/types.js";
import { sleep, TEST_VALKEY_URL, uniq } from "../support/env.js";
import { type WorldEnv, worldEnv } from "../support/world.js";

type Listed = { flight_id: string; seats_available: number };
/** An answer computed this long after a write is no longer suspected of predating it. */
const CLOCK_ALLOWANCE_MS = CLOCK_SKEW_MS + 50;
const jsonOf = <T>(r: ToolResult): T => (r.status === "success" ? r.json : {}) as unknown as T;

describe("response cache invalidation across two processes", () => {
  const logger = createLogger({ level: "warn" });
  const stream = `flightly:test:${uniq("events")}`;
  let world: WorldEnv;
  const services: Services[] = [];
  let a: App;
  let b: App;
  let sql: Sql;
  /** Each app's successful tool calls since the last `ask`. */
  const calls = new Map<App, { name: string; input: unknown; result: ToolResult }[]>();

  beforeAll(async () => {
    world = await worldEnv("cache-2p");
    const config = loadConfig({ ...world.env, VALKEY_URL: TEST_VALKEY_URL, LOG_LEVEL: "warn" });
    for (let i = 0; i < 2; i++) services.push(await openServices(config, logger));
    // No namespace given: both take the database's, as two processes on one database do.
    a = await buildApp(services[0]!, { mcpServers: [], worker: false });
    b = await buildApp(services[1]!, { mcpServers: [], worker: false, workerStream: stream });
    for (const app of [a, b]) {
      calls.set(app, []);
      app.hooks.on("afterToolCall", (e) => {
        calls.get(app)!.push({ name: e.name, input: e.input, result: e.result });
      });
    }
    sql = services[0]!.db.sql;
  }, 120_000);
  afterAll(async () => {
    for (const app of [a, b]) await app?.close();
    await services[1]?.store.del(stream, `${stream}:dead`);
    for (const s of services) await s.close();
    await world?.close();
  });

  const ask = async (app: App, prompt: string, actorId: string, sessionId = randomUUID()) => {
    calls.get(app)!.length = 0;
    return app.orchestrator.invoke({ prompt, actorId, sessionId });
  };
  const flightsOf = (app: App): Listed[] => {
    const c = calls.get(app)!.find((x) => x.name === "search_flights" && x.result.status === "success");
    expect(c).toBeDefined();
    return jsonOf<{ flights: Listed[] }>(c!.result).flights;
  };
  const toolCtx = (actorId: string) => ({
    actor: { id: actorId, guest: false },
    sessionId: randomUUID(),
    logger,
    signal: new AbortController().signal,
    deadline: Date.now() + 10_000,
    idempotencyKey: randomUUID(),
  });
  const run = (app: App, tool: string, input: unknown, actorId: string) =>
    app.tools.get(tool)!.run(input, toolCtx(actorId));

  /** Caches `prompt` in `a` (a miss, then a hit); the first answer and the flights it listed. */
  async function cachedInA(
    prompt: string,
    actorId: string,
  ): Promise<{ first: InvokeResult; flights: Listed[] }> {
    const first = await ask(a, prompt, actorId);
    expect(first.cache.hit).toBe(false);
    expect(first.cache.store?.stored).toBe(true);
    const listed = calls.get(a)!.find((x) => x.name === "search_flights" && x.result.status === "success");
    const flights = listed ? jsonOf<{ flights: Listed[] }>(listed.result).flights : [];
    const again = await ask(a, prompt, actorId);
    expect(again.cache).toMatchObject({ hit: true, kind: "exact" });
    return { first, flights };
  }

  it("a reservation and its cancellation in one process drop the seat counts cached by the other", async () => {
    const prompt = "show me flights from Los Angeles to Honolulu next Tuesday";
    const listed = (await cachedInA(prompt, "21")).flights[0]!;

    const held = await run(b, "reserve_flight", { flight_id: listed.flight_id, passengers: 2 }, "22");
    expect(held.status).toBe("success");
    await sleep(CLOCK_ALLOWANCE_MS);
    const afterHold = await ask(a, prompt, "21");
    expect(afterHold.cache.hit).toBe(false);
    expect(flightsOf(a).find((f) => f.flight_id === listed.flight_id)?.seats_available).toBe(
      listed.seats_available - 2,
    );
    // Kept: its computation began after the write (beyond the clock allowance of a mark).
    expect(afterHold.cache.store?.stored).toBe(true);
    expect((await ask(a, prompt, "21")).cache.hit).toBe(true);

    const ref = jsonOf<{ booking_ref: string }>(held).booking_ref;
    const cancelled = await run(b, "cancel_booking", { booking_ref: ref }, "22");
    expect(cancelled.status).toBe("success");
    const afterCancel = await ask(a, prompt, "21");
    expect(afterCancel.cache.hit).toBe(false);
    expect(flightsOf(a).find((f) => f.flight_id === listed.flight_id)?.seats_available).toBe(
      listed.seats_available,
    );
  });

  it("a customer's reservation in one process drops their bookings answer cached by the other", async () => {
    const prompt = "Show me my bookings";
    const before = (await cachedInA(prompt, "24")).first;
    await ask(b, "show me flights from Seattle to Honolulu on June 12", "24");
    const flight = flightsOf(b)[0]!;
    const held = await run(b, "reserve_flight", { flight_id: flight.flight_id, passengers: 1 }, "24");
    expect(held.status).toBe("success");
    const ref = jsonOf<{ booking_ref: string }>(held).booking_ref;
    expect(before.response).not.toContain(ref);

    const after = await ask(a, prompt, "24");
    expect(after.cache.hit).toBe(false);
    expect(after.response).toContain(ref);
  });

  it("a knowledge update in one process drops the policy answers cached by the other", async () => {
    const prompt = "Can I take my cat with me in the cabin?";
    await cachedInA(prompt, "25");
    const docs = await sql<
      { slug: string; title: string; body: string; kind: "policy" | "faq"; topic: string }[]
    >`SELECT slug, title, body, kind, topic FROM knowledge_documents WHERE topic = 'pets'`;
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) {
      await b.updateKnowledge({ ...d, body: `Revised: cabin pets cost $77 each way. ${d.body}` });
    }
    const after = await ask(a, prompt, "26");
    expect(after.cache.hit).toBe(false);
    expect(after.response).toContain("$77");
  });

  it("a profile change made by the other process's worker drops that customer's own answers only", async () => {
    const prompt = "show me flights from Seattle to Boston on June 20";
    // Actors of their own: profiles live in the shared Valkey beyond one test world.
    const [changed, other] = [uniq("traveller"), uniq("traveller")];
    await cachedInA(prompt, changed);
    await cachedInA(prompt, other);
    await appendTurnEvent(
      services[1]!.store,
      {
        actorId: changed,
        sessionId: randomUUID(),
        role: "user",
        text: "We're a family of four, kids 5 and 9",
      },
      { stream },
    );
    const drained = await b.worker.drain();
    expect(drained.processed).toBe(1);

    expect((await ask(a, prompt, changed)).cache.hit).toBe(false);
    expect((await ask(a, prompt, other)).cache.hit).toBe(true);
  });

  it("a request resolved from long-term memory is neither looked up nor stored", async () => {
    // 29 books a flight to Honolulu; in a new session "over there" can only come from memory.
    const session = randomUUID();
    await ask(b, "show me flights from Seattle to Honolulu on June 12", "29", session);
    const booked = await ask(b, "book the cheapest one for me", "29", session);
    expect(calls.get(b)!.some((c) => c.name === "reserve_flight" && c.result.status === "success")).toBe(
      true,
    );
    expect(booked.response).not.toBe("");

    const prompt = "Could you also find me a room over there?";
    for (let i = 0; i < 2; i++) {
      const r = await ask(a, prompt, "29");
      expect(r.references).toEqual([expect.objectContaining({ iata: "HNL", source: "memory" })]);
      expect(r.cache).toMatchObject({ hit: false, reason: "needs long-term memory", store: null });
      expect(r.usage.modelCalls).toBeGreaterThan(0);
      expect(calls.get(a)!.some((c) => c.name === "search_hotels")).toBe(true);
    }
  });

  it("counts hits, misses by reason and stores in /metrics", () => {
    const m = a.cacheMetrics.snapshot();
    expect(m.hits.exact).toBeGreaterThan(0);
    expect(m.misses["no entry"]).toBeGreaterThan(0);
    expect(m.misses["needs long-term memory"]).toBe(2);
    expect(m.stored).toBeGreaterThan(0);
    expect(b.cacheMetrics.snapshot().storage?.invalidated).toBeGreaterThan(0);
  });
});
