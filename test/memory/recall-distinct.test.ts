/**
 * Recall returns each content once: the same words told in several sessions are stored as one
 * episode per turn (and summaries that read alike), but a recall lists them as one memory and
 * still fills `k` with distinct ones.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { namespaces } from "../../memory/long-term/index.js";
import { InProcessStore } from "../../memory/store/index.js";
import { appendTurnEvent, Worker } from "../../memory/worker/index.js";
import { uniq } from "../support/env.js";
import { openTestDatabase, type TestDatabase } from "./support.js";

describe("recall: one memory per content", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it("the same sentence told in three sessions is stored per turn and recalled once", async () => {
    const store = new InProcessStore();
    const stream = uniq("recall-events");
    const worker = new Worker({
      store,
      memory: db.memory,
      stream,
      deadLetterStream: `${stream}:dead`,
      blockMs: 50,
    });
    const actor = uniq("repeat");
    const sentence = "On long-haul trips I always book a seat by the aisle.";
    for (const session of ["first", "second", "third"]) {
      await appendTurnEvent(
        store,
        { actorId: actor, sessionId: session, role: "user", text: sentence },
        { stream },
      );
    }
    await worker.drain({ timeoutMs: 30_000 });
    await store.close();

    // Storage keeps every turn: one episode row per session.
    const episodes = await db.memory.list(actor, { kinds: ["episode"] });
    expect(episodes.map((e) => e.namespace).sort()).toEqual(
      ["first", "second", "third"].map((s) => namespaces.episodes(actor, s)).sort(),
    );

    const recalled = await db.memory.recall({ actorId: actor, query: "aisle seat", k: 5 });
    const contents = recalled.map((m) => m.content.trim().toLowerCase());
    expect(new Set(contents).size).toBe(contents.length);
    expect(contents.filter((c) => c === sentence.toLowerCase())).toHaveLength(1);
    // k is filled with distinct memories: the preference, the episode, and the summary (the three
    // sessions' summaries read alike, so one of them).
    expect(recalled.map((m) => m.kind).sort()).toEqual(["episode", "preference", "summary"]);
  });

  it("fills k past a run of copies nearer than every other memory", async () => {
    const actor = uniq("copies");
    for (let i = 0; i < 12; i++) {
      await db.memory.remember(actor, {
        namespace: namespaces.facts(actor),
        kind: "fact",
        content: "Travels with a folding bicycle.",
      });
    }
    for (const content of ["Allergic to peanuts.", "Member of a frequent flyer programme.", "Owns a dog."]) {
      await db.memory.remember(actor, { namespace: namespaces.facts(actor), kind: "fact", content });
    }
    const recalled = await db.memory.recall({ actorId: actor, query: "folding bicycle", k: 4 });
    expect(recalled).toHaveLength(4);
    expect(new Set(recalled.map((m) => m.content)).size).toBe(4);
    expect(recalled[0]?.content).toBe("Travels with a folding bicycle.");
  });
});
