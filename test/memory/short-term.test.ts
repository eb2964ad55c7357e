/**
 * The short-term tier against both store backends (the real server on 6379 and in-process):
 * history, session state, profile, versioned checkpoints with compare-and-set, TTLs, isolation
 * between actors, and context assembly in one round trip.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckpointConflictError } from "../../core/errors.js";
import { Leases } from "../../memory/locks.js";
import {
  appendHistory,
  assembleContext,
  type Checkpoint,
  clearSession,
  getCheckpoint,
  getProfile,
  getSessionState,
  type HistoryMessage,
  readHistory,
  type SessionScope,
  sessionKeys,
  setSessionState,
  updateProfile,
  writeCheckpoint,
} from "../../memory/short-term/index.js";
import { keys } from "../../memory/store/keys.js";
import type { ShortTermStore } from "../../memory/store/types.js";
import { sleep, uniq } from "../support/env.js";
import { stopSharedCluster, storeBackends } from "../support/valkey-targets.js";
import { appendStep } from "./checkpoint-writers.js";

afterAll(stopSharedCluster);

const msg = (role: HistoryMessage["role"], content: string): HistoryMessage => ({
  role,
  content,
  at: new Date().toISOString(),
});

describe.each(storeBackends())("short-term memory: %s", (name, open) => {
  let store: ShortTermStore;
  const scopes: SessionScope[] = [];
  const actors: string[] = [];
  const scope = (): SessionScope => {
    const s = { actorId: uniq("actor"), sessionId: uniq("session") };
    scopes.push(s);
    actors.push(s.actorId);
    return s;
  };

  beforeAll(async () => {
    store = await open();
  });
  afterAll(async () => {
    for (const s of scopes) await clearSession(store, s);
    for (const a of actors) await store.del(`flightly:{a:${encodeURIComponent(a)}}:profile`);
    await store.close();
  });

  it("keeps a capped history of typed messages, oldest first, with a TTL", async () => {
    const s = scope();
    for (let i = 0; i < 7; i++)
      await appendHistory(store, s, [msg("user", `q${i}`), msg("assistant", `a${i}`)], { cap: 10 });
    const all = await readHistory(store, s);
    expect(all.map((m) => m.content)).toEqual(["q2", "a2", "q3", "a3", "q4", "a4", "q5", "a5", "q6", "a6"]);
    expect((await readHistory(store, s, 2)).map((m) => [m.role, m.content])).toEqual([
      ["user", "q6"],
      ["assistant", "a6"],
    ]);
    const ttl = await store.pttl(sessionKeys(s).history);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(86_400_000);
    await expect(
      appendHistory(store, s, [{ role: "robot", content: "x", at: "" } as never]),
    ).rejects.toThrow();
  });

  it("session state is a hash with a TTL", async () => {
    const s = scope();
    await setSessionState(store, s, { agent: "booking", step: "search" }, { ttlMs: 60_000 });
    await setSessionState(store, s, { step: "confirm" }, { ttlMs: 60_000 });
    expect(await getSessionState(store, s)).toEqual({ agent: "booking", step: "confirm" });
    expect(await store.pttl(sessionKeys(s).state)).toBeLessThanOrEqual(60_000);
  });

  it("the profile is one hash per actor, read with one HGETALL, lists merged", async () => {
    const { actorId } = scope();
    await updateProfile(store, actorId, {
      adults: 2,
      children: 2,
      childrenAges: [4, 8],
      budgetPerNightUsd: 300,
      seat: "window",
      avoidAirlines: ["Northwind"],
    });
    await updateProfile(store, actorId, { budgetPerNightUsd: 250, avoidAirlines: ["Kaze Airways"] });
    const before = store.roundTrips;
    const profile = await getProfile(store, actorId);
    expect(store.roundTrips - before).toBe(1);
    expect(profile).toEqual({
      adults: 2,
      children: 2,
      childrenAges: [4, 8],
      budgetPerNightUsd: 250,
      seat: "window",
      avoidAirlines: ["Northwind", "Kaze Airways"],
    });
    // Naming a preferred airline takes it off the avoid list.
    await updateProfile(store, actorId, { preferredAirlines: ["Northwind"] });
    const after = await getProfile(store, actorId);
    expect(after.avoidAirlines).toEqual(["Kaze Airways"]);
    expect(after.preferredAirlines).toEqual(["Northwind"]);
  });

  it("checkpoint writes are versioned compare-and-set; a stale writer gets the typed error", async () => {
    const s = scope();
    expect(await getCheckpoint(store, s)).toBeNull();
    const plan = ["search_hotel", "book_hotel", "pay"];
    expect(await writeCheckpoint(store, s, 0, { plan, steps: [] })).toBe(1);
    const booking = { ref: "FL-ABC123", totalCents: 90_000 };
    const v2 = await writeCheckpoint(store, s, 1, {
      plan,
      steps: [{ step: "book_hotel", agent: "booking", output: booking, at: "t" }],
    });
    expect(v2).toBe(2);

    const stale = writeCheckpoint(store, s, 1, { plan: "overwrite", steps: [] });
    await expect(stale).rejects.toBeInstanceOf(CheckpointConflictError);
    await expect(stale).rejects.toMatchObject({
      code: "CHECKPOINT_CONFLICT",
      expectedVersion: 1,
      actualVersion: 2,
    });
    await expect(writeCheckpoint(store, s, 0, { plan: null, steps: [] })).rejects.toBeInstanceOf(
      CheckpointConflictError,
    );

    const cp = await getCheckpoint(store, s);
    expect(cp?.version).toBe(2);
    expect(cp?.data.plan).toEqual(plan);
    expect(cp?.data.steps).toEqual([{ step: "book_hotel", agent: "booking", output: booking, at: "t" }]);
  });

  it("100 concurrent writers on one checkpoint: accepted writes have distinct versions, none lost", async () => {
    const s = scope();
    // Racing raw writers that all read version 0: exactly one is accepted.
    const raw = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) => writeCheckpoint(store, s, 0, { plan: null, steps: [step(i)] })),
    );
    const won = raw.filter((r) => r.status === "fulfilled");
    expect(won.map((r) => (r as PromiseFulfilledResult<number>).value)).toEqual([1]);
    expect(
      raw.filter((r) => r.status === "rejected").every((r) => r.reason instanceof CheckpointConflictError),
    ).toBe(true);

    // 100 read-modify-write writers with a small retry budget: some give up with the typed
    // error, and every accepted one is in the final record exactly once, at its own version.
    const bounded = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        appendStep(store, s, step(100 + i), { maxAttempts: 3, backoffMs: 2 }),
      ),
    );
    const accepted = bounded.flatMap((r, i) =>
      r.status === "fulfilled" ? [{ i: 100 + i, cp: r.value }] : [],
    );
    const rejected = bounded.filter((r) => r.status === "rejected");
    expect(rejected.every((r) => r.reason instanceof CheckpointConflictError)).toBe(true);
    const versions = accepted.map((a) => a.cp.version);
    expect(new Set(versions).size).toBe(accepted.length);
    let cp = (await getCheckpoint(store, s)) as Checkpoint;
    expect(cp.version).toBe(1 + accepted.length);
    const winner = raw.findIndex((r) => r.status === "fulfilled");
    expect(cp.data.steps.map((x) => x.step).sort()).toEqual(
      [`w${winner}`, ...accepted.map((a) => `w${a.i}`)].sort(),
    );

    // With enough attempts all 100 land: versions are exactly the next 100, nothing lost.
    const base = cp.version;
    const all = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        appendStep(store, s, step(1000 + i), { maxAttempts: 10_000, backoffMs: 5 }),
      ),
    );
    expect(all.map((c) => c.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => base + 1 + i),
    );
    cp = (await getCheckpoint(store, s)) as Checkpoint;
    expect(cp.version).toBe(base + 100);
    const names = cp.data.steps.map((x) => x.step);
    expect(new Set(names).size).toBe(names.length);
    for (let i = 0; i < 100; i++) expect(names).toContain(`w${1000 + i}`);
  });

  it("history, state and checkpoint expire with the session TTL", async () => {
    const s = scope();
    await appendHistory(store, s, [msg("user", "hi")], { ttlMs: 150 });
    await setSessionState(store, s, { a: "1" }, { ttlMs: 150 });
    await writeCheckpoint(store, s, 0, { plan: null, steps: [] }, { ttlMs: 150 });
    expect(await store.pttl(sessionKeys(s).checkpoint)).toBeLessThanOrEqual(150);
    await sleep(300);
    expect(await readHistory(store, s)).toEqual([]);
    expect(await getSessionState(store, s)).toEqual({});
    expect(await getCheckpoint(store, s)).toBeNull();
    // After expiry the record starts again at version 1; a writer holding version 1 is stale.
    await expect(writeCheckpoint(store, s, 1, { plan: null, steps: [] })).rejects.toMatchObject({
      actualVersion: 0,
    });
  });

  it("actor B never reads actor A's history, state, checkpoint or profile, whatever ids it sends", async () => {
    const a = scope();
    await appendHistory(store, a, [msg("user", "secret plan of A")]);
    await setSessionState(store, a, { card: "A's" });
    await writeCheckpoint(store, a, 0, { plan: "A", steps: [] });
    await updateProfile(store, a.actorId, { budgetPerNightUsd: 999 });

    const b = uniq("actor-b");
    actors.push(b);
    const hostile = [
      a.sessionId,
      `../${a.sessionId}`,
      `${a.actorId}/${a.sessionId}`,
      `${encodeURIComponent(a.actorId)}/${a.sessionId}`,
      `${encodeURIComponent(a.actorId)}%2F${a.sessionId}`,
      `}:${a.sessionId}`,
      `{s:${a.actorId}/${a.sessionId}}`,
      "%",
      "_",
      "*",
      "' OR 1=1 --",
    ];
    for (const sessionId of new Set(hostile)) {
      const sb = { actorId: b, sessionId };
      scopes.push(sb);
      expect(await readHistory(store, sb)).toEqual([]);
      expect(await getSessionState(store, sb)).toEqual({});
      expect(await getCheckpoint(store, sb)).toBeNull();
      const ctx = await assembleContext(store, undefined, { scope: sb });
      expect(ctx.history).toEqual([]);
      expect(ctx.checkpoint).toBeNull();
      expect(ctx.profile).toEqual({});
      // A write by B lands in B's own keys.
      await expect(writeCheckpoint(store, sb, 0, { plan: "B", steps: [] })).resolves.toBe(1);
    }
    for (const actorId of [`../${a.actorId}`, `${a.actorId}/x`, `${a.actorId}%`, "*", `{a:${a.actorId}}`]) {
      expect(await getProfile(store, actorId)).toEqual({});
      // Splitting A's composite differently never reaches A's session either.
      expect(await readHistory(store, { actorId, sessionId: a.sessionId })).toEqual([]);
    }
    // A still sees its own, untouched.
    expect((await readHistory(store, a)).map((m) => m.content)).toEqual(["secret plan of A"]);
    expect((await getCheckpoint(store, a))?.data.plan).toBe("A");
    expect(await getProfile(store, a.actorId)).toEqual({ budgetPerNightUsd: 999 });
  });

  it("assembles profile, history, state and checkpoint in one round trip (one per slot on a cluster)", async () => {
    const s = scope();
    await updateProfile(store, s.actorId, { seat: "aisle" });
    await appendHistory(store, s, [msg("user", "one"), msg("assistant", "two"), msg("user", "three")]);
    await setSessionState(store, s, { agent: "support" });
    await writeCheckpoint(store, s, 0, { plan: ["x"], steps: [] });
    const before = store.roundTrips;
    const ctx = await assembleContext(store, undefined, { scope: s, historyLimit: 2 });
    // On a cluster the actor's slot and the session's slot go as two concurrent pipelines.
    expect(store.roundTrips - before).toBe(name === "valkey-cluster" ? 2 : 1);
    expect(ctx.profile).toEqual({ seat: "aisle" });
    expect(ctx.history.map((m) => m.content)).toEqual(["two", "three"]);
    expect(ctx.state).toEqual({ agent: "support" });
    expect(ctx.checkpoint?.version).toBe(1);
    expect(ctx.memories).toEqual([]);
    expect(ctx.timings.shortTermMs).toBeGreaterThan(0);
    expect(ctx.timings.recallMs).toBe(0);
  });

  it("a session lease is held by one caller at a time, renewed while held, freed on release", async () => {
    const key = keys.sessionLock(uniq("session"));
    const held = await new Leases(store, { sliceMs: 150 }).acquire(key, 60_000, 0);
    expect(held).toBeDefined();
    await sleep(400); // past two slices: renewed all along
    expect(await new Leases(store, { sliceMs: 150 }).acquire(key, 60_000, 0)).toBeUndefined();
    await held!.release();
    const next = await new Leases(store, { sliceMs: 150 }).acquire(key, 60_000, 0);
    expect(next).toBeDefined();
    await next!.release();
    expect(await store.get(key)).toBeNull();
  });
});

function step(i: number): { step: string; output: number; at: string } {
  return { step: `w${i}`, output: i, at: new Date(0).toISOString() };
}
