/**
 * The tiering worker against both store backends and PGlite: extraction and consolidation,
 * idempotent replays, a consumer that dies mid-batch, dead letters, model extraction, and the
 * done-when: a preference stated in one session is recalled in the next, by that customer only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { namespaces } from "../../memory/long-term/index.js";
import { assembleContext, getProfile } from "../../memory/short-term/index.js";
import type { ShortTermStore } from "../../memory/store/types.js";
import { appendTurnEvent, Worker, type WorkerOptions } from "../../memory/worker/index.js";
import { ModelError } from "../../orchestrator/models/errors.js";
import { ScriptedModel } from "../../orchestrator/models/scripted.js";
import { sleep, uniq } from "../support/env.js";
import { stopSharedCluster, storeBackends } from "../support/valkey-targets.js";
import { openTestDatabase, type TestDatabase } from "./support.js";

let db: TestDatabase;

beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.close();
  await stopSharedCluster();
});

describe.each(storeBackends())("tiering worker: %s", (name, open) => {
  let store: ShortTermStore;
  const cleanup: string[] = [];

  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    if (cleanup.length > 0) await Promise.all(cleanup.map((k) => store.del(k)));
    await store.close();
  });

  /** A worker on its own streams, so parallel suites and running services never interfere. */
  const setup = (options: Partial<WorkerOptions> = {}) => {
    const stream = `flightly:test:${uniq("events")}`;
    const deadLetterStream = `${stream}:dead`;
    cleanup.push(stream, deadLetterStream);
    const worker = (extra: Partial<WorkerOptions> = {}): Worker =>
      new Worker({
        store,
        memory: db.memory,
        stream,
        deadLetterStream,
        blockMs: 50,
        claimIdleMs: 50,
        ...options,
        ...extra,
      });
    const say = (
      actorId: string,
      sessionId: string,
      text: string,
      role: "user" | "assistant" = "user",
      eventId?: string,
    ) =>
      appendTurnEvent(store, { actorId, sessionId, role, text, ...(eventId ? { eventId } : {}) }, { stream });
    return { stream, deadLetterStream, worker, say };
  };

  const rows = async (actorId: string) => {
    const r = await db.sql<
      { kind: string; content: string; history: { content: string }[]; metadata: { topic?: string } }[]
    >`
      SELECT kind, content, history, metadata FROM memories WHERE actor_id = ${actorId} ORDER BY id`;
    return {
      all: r,
      of: (kind: string) => r.filter((m) => m.kind === kind),
      events: Number(
        (await db.sql`SELECT count(*)::int AS n FROM memory_events WHERE actor_id = ${actorId}`)[0]?.n ?? 0,
      ),
    };
  };

  it("done-when: a preference stated in one session is recalled in a new session, and by no one else", async () => {
    const { worker, say } = setup();
    const carol = uniq("carol");
    const dave = uniq("dave");
    const first = uniq("s1");
    await say(carol, first, "We're a family of four, kids 4 and 8, budget $300 a night, window seats");
    await say(carol, first, "Noted! I'll look for family rooms under $300 a night.", "assistant");
    await say(dave, uniq("d1"), "Hi, what's the baggage allowance?");
    const stats = await worker().drain();
    expect(stats).toMatchObject({ processed: 3, duplicates: 0, deadLettered: 0, failures: 0 });

    const later = uniq("s2");
    const before = store.roundTrips;
    const ctx = await assembleContext(store, db.memory, {
      scope: { actorId: carol, sessionId: later },
      query: "find us a hotel in Maui for the family",
      recallK: 8,
    });
    // The short-term part is one pipelined round trip; recall ran alongside it on Postgres.
    // One pipeline; on a cluster one part per slot (the actor's, the session's), sent together.
    expect(store.roundTrips - before).toBe(name === "valkey-cluster" ? 2 : 1);
    expect(ctx.timings.recallMs).toBeGreaterThan(0);
    expect(ctx.timings.totalMs).toBeGreaterThanOrEqual(
      Math.max(ctx.timings.shortTermMs, ctx.timings.recallMs),
    );
    const recalled = ctx.memories.map((m) => m.content);
    expect(recalled).toEqual(
      expect.arrayContaining([
        "Family of four: 2 adults and 2 children.",
        "Children's ages: 4 and 8.",
        "Hotel budget is about $300 per night.",
        "Prefers window seats.",
      ]),
    );
    expect(ctx.memories.every((m) => m.actorId === carol)).toBe(true);
    expect(ctx.profile).toEqual({
      family: "2 adults, 2 children",
      adults: 2,
      children: 2,
      childrenAges: [4, 8],
      budgetPerNightUsd: 300,
      seat: "window",
    });
    expect(ctx.history).toEqual([]); // a new session starts with no history
    expect(ctx.degraded).toEqual([]);

    // Another customer: nothing of Carol's, even naming her session or her namespace.
    const other = await assembleContext(store, db.memory, {
      scope: { actorId: dave, sessionId: first },
      query: "family of four budget window seats",
      recallK: 10,
    });
    expect(other.memories.some((m) => /window|300|family/i.test(m.content))).toBe(false);
    expect(other.memories.every((m) => m.actorId === dave)).toBe(true);
    expect(other.profile).toEqual({});
    await expect(
      db.memory.recall({ actorId: dave, query: "window", namespacePrefix: namespaces.preferences(carol) }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("consolidates: one memory for a preference said three ways; a change updates it and keeps history", async () => {
    const { worker, say } = setup();
    const erin = uniq("erin");
    const s = uniq("s");
    await say(erin, s, "Window seats for me, please.");
    await say(erin, s, "I always prefer sitting by the window");
    await say(erin, s, "We like window seats when we fly");
    await say(erin, s, "Our budget is $300 a night");
    await say(erin, uniq("s"), "actually our budget is $250 a night now");
    const stats = await worker().drain();
    expect(stats).toMatchObject({ processed: 5, added: 2, updated: 1, skipped: 2 });

    const r = await rows(erin);
    const prefs = r.of("preference");
    expect(prefs.map((p) => p.metadata.topic).sort()).toEqual(["budget_per_night", "seat_preference"]);
    expect(prefs.filter((p) => p.metadata.topic === "seat_preference")).toHaveLength(1);
    const budget = prefs.find((p) => p.metadata.topic === "budget_per_night")!;
    expect(budget.content).toBe("Hotel budget is about $250 per night.");
    expect(budget.history.map((h) => h.content)).toEqual(["Hotel budget is about $300 per night."]);
    expect((await getProfile(store, erin)).budgetPerNightUsd).toBe(250);
    // Two sessions, one summary each; five turns as episodes.
    expect(r.of("summary")).toHaveLength(2);
    expect(r.of("episode")).toHaveLength(5);
  });

  it("replaying the same events adds nothing", async () => {
    const { worker, say } = setup();
    const fred = uniq("fred");
    const s = uniq("s");
    const ids = [uniq("e"), uniq("e"), uniq("e")];
    const texts = ["We never fly Northwind", "Our home airport is SFO", "My son is vegetarian"];
    for (const [i, text] of texts.entries()) await say(fred, s, text, "user", ids[i]);
    const w = worker();
    expect((await w.drain()).processed).toBe(3);
    const before = await rows(fred);
    expect(before.of("preference").map((p) => p.content)).toEqual([
      "Avoids flying with Northwind.",
      "Home airport is SFO (San Francisco).",
    ]);
    expect(before.of("fact").map((p) => p.content)).toEqual(["Dietary need: vegetarian."]);

    // The same turns appended again (a producer retry), twice.
    for (let round = 0; round < 2; round++) {
      for (const [i, text] of texts.entries()) await say(fred, s, text, "user", ids[i]);
    }
    const replay = await w.drain();
    expect(replay).toMatchObject({ processed: 0, duplicates: 6, added: 0, updated: 0, skipped: 0 });
    const after = await rows(fred);
    expect(after.all).toEqual(before.all);
    expect(after.events).toBe(3);
  });

  it("a consumer that dies mid-batch: another claims its events; each is processed once", async () => {
    const { worker, say, stream } = setup();
    const gina = uniq("gina");
    const s = uniq("s");
    for (let i = 0; i < 10; i++)
      await say(gina, s, i === 4 ? "Aisle seats for me please" : `message number ${i}`);
    const a = worker({ consumer: "consumer-a" });
    await store.xgroupCreate(stream, a.group, "0");
    const batch = await store.xreadgroup(stream, a.group, "consumer-a", { count: 10 });
    expect(batch).toHaveLength(10);
    // A writes the first half of its batch, then "dies" before acknowledging anything.
    await a.process(batch.slice(0, 5), { ack: false });
    expect((await store.xpending(stream, a.group)).consumers).toEqual({ "consumer-a": 10 });

    const b = worker({ consumer: "consumer-b", claimIdleMs: 100 });
    await sleep(120);
    const stats = await b.drain();
    expect(stats).toMatchObject({ processed: 5, duplicates: 5, deadLettered: 0 });
    expect((await store.xpending(stream, b.group)).count).toBe(0);
    const r = await rows(gina);
    expect(r.events).toBe(10);
    expect(r.of("episode")).toHaveLength(10);
    expect(r.of("preference").map((p) => p.content)).toEqual(["Prefers aisle seats."]);
    expect(r.of("summary")).toHaveLength(1);
  });

  it("two consumers draining at once share the events; none is processed twice", async () => {
    const { worker, say, stream } = setup();
    const kim = uniq("kim");
    for (let i = 0; i < 20; i++)
      await say(kim, uniq("s"), i % 5 === 0 ? "We prefer aisle seats" : `turn ${i}`);
    const [one, two] = await Promise.all([
      worker({ consumer: "c1", batchSize: 3, claimIdleMs: 30_000 }).drain(),
      worker({ consumer: "c2", batchSize: 3, claimIdleMs: 30_000 }).drain(),
    ]);
    // Each event is delivered to one of them (nothing idles long enough to be claimed) and written once.
    expect(one.processed + two.processed).toBe(20);
    expect(one.duplicates + two.duplicates).toBe(0);
    const r = await rows(kim);
    expect(r.events).toBe(20);
    expect(r.of("episode")).toHaveLength(20);
    expect(r.of("preference").map((p) => p.content)).toEqual(["Prefers aisle seats."]);
    expect((await store.xpending(stream, "flightly-tiering")).count).toBe(0);
  });

  it("an event that keeps failing goes to the dead-letter stream with its error", async () => {
    const failing = new ScriptedModel(() => new ModelError("MODEL_UNAVAILABLE", "model is down"));
    const { worker, say, deadLetterStream, stream } = setup({
      model: failing,
      maxDeliveries: 3,
      claimIdleMs: 20,
    });
    const hank = uniq("hank");
    const { eventId } = await say(hank, uniq("s"), "We are vegan");
    // Malformed: never retried.
    await store.xadd(stream, {
      event_id: "x",
      actor_id: "",
      session_id: "s",
      role: "user",
      text: "t",
      at: "now",
    });
    const w = worker();
    const stats = await w.drain();
    expect(stats).toMatchObject({ processed: 0, deadLettered: 2, failures: 4 });
    expect(failing.calls).toBe(3);
    const dead = await store.xrange(deadLetterStream);
    expect(dead).toHaveLength(2);
    const byEvent = Object.fromEntries(dead.map((d) => [d.fields.event_id, d.fields]));
    expect(byEvent[eventId]).toMatchObject({ actor_id: hank, text: "We are vegan", deliveries: "3" });
    expect(byEvent[eventId]?.error).toMatch(/MODEL_UNAVAILABLE: model is down/);
    expect(byEvent.x?.error).toMatch(/BAD_REQUEST: malformed turn event/);
    expect(byEvent.x?.deliveries).toBe("1");
    expect((await store.xpending(stream, w.group)).count).toBe(0);
    expect((await rows(hank)).all).toEqual([]);
  });

  it("extracts through a model when one is configured, validating its JSON", async () => {
    const answers = [
      "```json\n" +
        JSON.stringify({
          memories: [
            {
              kind: "preference",
              topic: "budget_per_night",
              content: "Hotel budget is about $400 per night.",
            },
            { kind: "fact", topic: "accessibility:wheelchair", content: "Needs wheelchair assistance." },
          ],
          profile: { budgetPerNightUsd: 400, accessibility: ["wheelchair assistance"] },
          summary: "The customer needs wheelchair assistance and spends about $400 a night.",
        }) +
        "\n```",
      "Sure! Here you go: not json at all",
    ];
    const model = new ScriptedModel((_req, i) => answers[Math.min(i, 1)]!);
    const { worker, say, deadLetterStream } = setup({ model, maxDeliveries: 2, claimIdleMs: 20 });
    const ivy = uniq("ivy");
    const s = uniq("s");
    await say(ivy, s, "My wife uses a wheelchair; we spend about $400 a night");
    await say(ivy, s, "And we love Northwind");
    const stats = await worker().drain();
    expect(stats).toMatchObject({ processed: 1, added: 2, deadLettered: 1 });
    expect(model.requests[0]?.system).toMatch(/long-term memory/);
    const r = await rows(ivy);
    expect(r.of("preference").map((m) => m.content)).toEqual(["Hotel budget is about $400 per night."]);
    expect(r.of("fact").map((m) => m.metadata.topic)).toEqual(["accessibility:wheelchair"]);
    expect(r.of("summary")[0]?.content).toBe(
      "The customer needs wheelchair assistance and spends about $400 a night.",
    );
    expect(await getProfile(store, ivy)).toMatchObject({ budgetPerNightUsd: 400 });
    const [dead] = await store.xrange(deadLetterStream);
    expect(dead?.fields.error).toMatch(/MODEL_BAD_RESPONSE/);
  });

  it("start() consumes in the background; stop() finishes the batch and acknowledges it", async () => {
    const { worker, say, stream } = setup();
    const jack = uniq("jack");
    const w = worker({ blockMs: 30 });
    w.start();
    expect(w.running).toBe(true);
    const s = uniq("s");
    for (let i = 0; i < 5; i++) await say(jack, s, `turn ${i}: I like window seats`);
    const deadline = Date.now() + 10_000;
    while (w.stats.processed < 5 && Date.now() < deadline) await sleep(20);
    await w.stop();
    expect(w.running).toBe(false);
    expect(w.stats.processed).toBe(5);
    expect((await store.xpending(stream, w.group)).count).toBe(0);
    expect((await rows(jack)).of("preference")).toHaveLength(1);
  });
});
