/**
 * The long-term tier on PGlite + pgvector: recall scoped to one actor under row-level security,
 * filtered HNSW search that still returns k rows, namespace validation, episodic recall.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlightlyError } from "../../core/errors.js";
import {
  insertEpisodeTurn,
  namespaces,
  type RecalledMemory,
  resolveNamespace,
  searchMemories,
} from "../../memory/long-term/index.js";
import { literal } from "../../memory/long-term/search.js";
import { uniq } from "../support/env.js";
import { insertRandomMemories, openTestDatabase, type TestDatabase } from "./support.js";

describe("long-term memory (PGlite + pgvector)", () => {
  let db: TestDatabase;
  const A = uniq("alice");
  const B = uniq("bob");

  beforeAll(async () => {
    db = await openTestDatabase();
    const { memory } = db;
    await memory.remember(A, {
      namespace: namespaces.preferences(A),
      kind: "preference",
      content: "Prefers window seats.",
    });
    await memory.remember(A, {
      namespace: namespaces.preferences(A),
      kind: "preference",
      content: "Hotel budget is about $300 per night.",
    });
    await memory.remember(A, {
      namespace: namespaces.facts(A),
      kind: "fact",
      content: "Dietary need: vegetarian.",
    });
    await memory.remember(B, {
      namespace: namespaces.preferences(B),
      kind: "preference",
      content: "Prefers aisle seats.",
    });
  });
  afterAll(async () => {
    await db?.close();
  });

  it("runs as flightly_app under row-level security: actor A's rows are invisible under B's setting", async () => {
    const { memory } = db;
    const who = await memory.withActor(B, async (tx) => {
      const [row] = await tx`SELECT current_user AS u, current_setting('flightly.actor_id') AS a`;
      return row;
    });
    expect(who).toEqual({ u: "flightly_app", a: B });
    // The query names A explicitly; RLS still returns nothing under B's setting.
    const leaked = await memory.withActor(B, (tx) => tx`SELECT content FROM memories WHERE actor_id = ${A}`);
    expect(leaked).toHaveLength(0);
    const all = await memory.withActor(B, (tx) => tx`SELECT actor_id FROM memories`);
    expect(new Set(all.map((r) => r.actor_id))).toEqual(new Set([B]));
    // Nor can B write a row for A.
    await expect(
      memory.withActor(
        B,
        (tx) =>
          tx`INSERT INTO memories (actor_id, namespace, kind, content, embedding)
           SELECT ${A}, ${namespaces.facts(A)}, 'fact', 'forged', embedding FROM memories LIMIT 1`,
      ),
    ).rejects.toThrow(/row-level security/);
    // The settings are transaction-local: the owner connection is itself again afterwards.
    const [after] = await db.sql`SELECT current_user AS u, current_setting('flightly.actor_id', true) AS a`;
    expect(after?.u).not.toBe("flightly_app");
    expect(after?.a ?? "").toBe("");
  });

  it("the search statement returns nothing without the actor's own setting, even for the owner", async () => {
    const { memory, sql, embedder } = db;
    const [query] = await embedder.embed(["which seat does she like?"]);
    // The test connection (a superuser: row-level security does not bind it), with no actor
    // setting and then with B's: A's rows stay out all the same.
    const found = await sql.begin(async (tx) => {
      const none = await searchMemories(tx, A, query!, { k: 5 });
      await tx`SELECT set_config('flightly.actor_id', ${B}, true)`;
      const other = await searchMemories(tx, A, query!, { k: 5 });
      await tx`SELECT set_config('flightly.actor_id', ${A}, true)`;
      const own = await searchMemories(tx, A, query!, { k: 5 });
      return { none, other, own };
    });
    expect(found.none).toEqual([]);
    expect(found.other).toEqual([]);
    expect(found.own.map((m) => m.content)).toContain("Prefers window seats.");
    // Through the product path, one round trip per search: the actor's own rows only.
    const hits = await memory.recallByVector(A, query!, { k: 5 });
    expect(hits[0]?.content).toBe("Prefers window seats.");
    expect(hits.every((h) => h.actorId === A)).toBe(true);
  });

  it("recalls the actor's own memories, best first, with a similarity floor", async () => {
    const { memory } = db;
    const hits = await memory.recall({ actorId: A, query: "which seat does she like on the plane?", k: 3 });
    expect(hits.length).toBe(3);
    expect(hits[0]?.content).toBe("Prefers window seats.");
    expect(hits.every((h) => h.actorId === A)).toBe(true);
    for (let i = 1; i < hits.length; i++)
      expect(hits[i - 1]!.similarity).toBeGreaterThanOrEqual(hits[i]!.similarity);
    const facts = await memory.recall({ actorId: A, query: "food", k: 5, namespacePrefix: "facts" });
    expect(facts.map((h) => h.content)).toEqual(["Dietary need: vegetarian."]);
    const strict = await memory.recall({ actorId: A, query: "which seat?", k: 5, minSimilarity: 0.999 });
    expect(strict).toEqual([]);
  });

  it("a selective filter still returns k results (iterative HNSW scan, or exact search)", async () => {
    const { memory, sql, embedder } = db;
    expect(await memory.supportsIterativeScan()).toBe(true);
    const crowd = uniq("crowd");
    const rare = uniq("rare");
    const dimensions = embedder.dimensions;
    await insertRandomMemories(sql, {
      actorId: crowd,
      namespace: namespaces.facts(crowd),
      kind: "fact",
      n: 1000,
      dimensions,
    });
    await insertRandomMemories(sql, {
      actorId: rare,
      namespace: namespaces.facts(rare),
      kind: "fact",
      n: 12,
      dimensions,
    });
    await insertRandomMemories(sql, {
      actorId: crowd,
      namespace: namespaces.preferences(crowd),
      kind: "preference",
      n: 4,
      dimensions,
    });
    await sql`ANALYZE memories`;
    const [query] = await embedder.embed(["anything at all"]);
    const rareHits = await memory.recallByVector(rare, query!, { k: 10 });
    expect(rareHits).toHaveLength(10);
    expect(rareHits.every((h) => h.actorId === rare)).toBe(true);
    const prefs = await memory.recallByVector(crowd, query!, { k: 4, prefix: "preferences" });
    expect(prefs).toHaveLength(4);
    expect(prefs.every((h) => h.kind === "preference")).toBe(true);

    // Force the HNSW plan (the b-tree dropped inside a transaction that is rolled back): a plain
    // scan sees only ef_search candidates, mostly other actors'; the iterative scan keeps going.
    const vector = `[${Array.from(query!).join(",")}]`;
    const forced = await sql
      .begin(async (tx) => {
        await tx`DROP INDEX memories_actor_namespace`;
        await tx`SELECT set_config('hnsw.ef_search', '40', true), set_config('enable_seqscan', 'off', true),
          set_config('flightly.actor_id', ${rare}, true)`;
        const plan = await tx`EXPLAIN SELECT id FROM memories WHERE actor_id = ${rare}
          ORDER BY embedding <=> ${vector}::vector LIMIT 10`;
        await tx`SELECT set_config('hnsw.iterative_scan', 'off', true)`;
        const plain = await searchMemories(tx, rare, query!, { k: 10 });
        await tx`SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true)`;
        const iterative = await searchMemories(tx, rare, query!, { k: 10 });
        const exact = await searchMemories(tx, rare, query!, { k: 10, exact: true });
        throw Object.assign(new Error("rollback"), {
          result: { plan: plan.map((r) => Object.values(r)[0]).join("\n"), plain, iterative, exact },
        });
      })
      .catch(
        (err: { result?: unknown }) =>
          err.result as {
            plan: string;
            plain: RecalledMemory[];
            iterative: RecalledMemory[];
            exact: RecalledMemory[];
          },
      );
    expect(forced.plan).toMatch(/Index Scan using memories_embedding/);
    expect(forced.plain.length).toBeLessThan(10);
    expect(forced.iterative).toHaveLength(10);
    const ids = (xs: { id: string }[]): Set<string> => new Set(xs.map((x) => x.id));
    expect(ids(forced.exact)).toEqual(ids(rareHits));
    expect(ids(forced.iterative)).toEqual(ids(rareHits));
    const [still] =
      await sql`SELECT count(*)::int AS n FROM pg_indexes WHERE indexname = 'memories_actor_namespace'`;
    expect(still?.n).toBe(1);
  });

  it("namespaces resolve under the caller's actor only", () => {
    expect(resolveNamespace(A, undefined)).toBe(namespaces.root(A));
    expect(resolveNamespace(A, "preferences")).toBe(namespaces.preferences(A));
    expect(resolveNamespace(A, "/facts/")).toBe(namespaces.facts(A));
    expect(resolveNamespace(A, `${namespaces.root(A)}/summaries/s1`)).toBe(namespaces.summaries(A, "s1"));
    expect(namespaces.preferences("a/../b")).toBe("/actors/a%2F%2E%2E%2Fb/preferences");
    const code = (fn: () => unknown): string | undefined => {
      try {
        fn();
        return undefined;
      } catch (err) {
        return (err as FlightlyError).code;
      }
    };
    expect(code(() => resolveNamespace(B, namespaces.preferences(A)))).toBe("FORBIDDEN");
    expect(code(() => resolveNamespace(B, "/actors/"))).toBe("FORBIDDEN");
    expect(code(() => resolveNamespace(B, "../preferences"))).toBe("BAD_REQUEST");
    expect(code(() => resolveNamespace(B, "preferences/../../x"))).toBe("BAD_REQUEST");
    expect(code(() => resolveNamespace(B, "%"))).toBe("BAD_REQUEST");
    expect(code(() => resolveNamespace(B, "preferences", true))).toBeUndefined();
    expect(code(() => resolveNamespace(B, "summaries", true))).toBe("BAD_REQUEST");
  });

  it("actor B never recalls actor A's memories, whatever namespace or id it sends", async () => {
    const { memory } = db;
    const hostile = [
      namespaces.preferences(A),
      namespaces.root(A),
      `/actors/${A}`,
      `/actors/${B}/../${A}/preferences`,
      `../${A}/preferences`,
      "%",
      "_",
      "/actors/%",
      "/actors/_%",
      `preferences%`,
      `preferences' OR '1'='1`,
      "'; DROP TABLE memories; --",
      "\\",
      undefined,
    ];
    for (const namespacePrefix of hostile) {
      const request = { actorId: B, query: "window seats budget vegetarian", k: 10 };
      const result = await memory
        .recall(namespacePrefix === undefined ? request : { ...request, namespacePrefix })
        .catch((err: unknown) => err);
      if (result instanceof FlightlyError) {
        expect(["BAD_REQUEST", "FORBIDDEN"]).toContain(result.code);
      } else {
        expect(Array.isArray(result)).toBe(true);
        for (const h of result as { actorId: string; content: string }[]) {
          expect(h.actorId).toBe(B);
          expect(h.content).not.toMatch(/window|300|vegetarian/);
        }
      }
    }
    for (const actorId of ["%", "_", `${A}%`, `' OR actor_id <> '`, ` ${A}`, A.toUpperCase()]) {
      const hits = await memory.recall({ actorId, query: "window seats", k: 10 });
      expect(hits).toEqual([]);
    }
    expect(await memory.list(B)).toHaveLength(1);
    await expect(memory.list(B, { namespacePrefix: namespaces.facts(A) })).rejects.toMatchObject({
      code: "FORBIDDEN",
    });
    await expect(
      memory.remember(B, { namespace: namespaces.preferences(A), kind: "preference", content: "x" }),
    ).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(
      memory.remember(B, { namespace: namespaces.facts(B), kind: "preference", content: "x" }),
    ).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("stores each turn of a conversation once as an episode, for its own actor only", async () => {
    const { memory, embedder } = db;
    const session = uniq("trip");
    const turns = [
      {
        eventId: uniq("e"),
        role: "user",
        text: "We want a beach hotel in Maui in June",
        at: "2026-01-02T10:00:00.000Z",
        streamId: "1700000000000-0",
      },
      {
        eventId: uniq("e"),
        role: "assistant",
        text: "Here are three beach hotels in Maui.",
        at: "2026-01-02T10:00:01.000Z",
        streamId: "1700000000000-1",
      },
      {
        eventId: uniq("e"),
        role: "user",
        text: "Book the second one",
        at: "2026-01-02T10:00:09.000Z",
        streamId: "1700000000009-0",
      },
    ];
    const vectors = await embedder.embed(turns.map((t) => t.text));
    // Stored out of order, and one twice: one row per turn, each inserted once.
    for (const i of [2, 0, 1, 0]) {
      await memory.withActor(A, (tx) => insertEpisodeTurn(tx, A, session, turns[i]!, vectors[i]!));
    }
    const stored = (actor: string) =>
      memory.withActor(
        actor,
        (tx) => tx<{ content: string; role: string; at: string; event: string }[]>`
          SELECT content, metadata->>'role' AS role, metadata->>'at' AS at, source_event_id AS event
          FROM memories WHERE namespace = ${namespaces.episodes(A, session)} AND kind = 'episode'
          ORDER BY metadata->>'at'`,
      );
    expect((await stored(A)).map((r) => [r.role, r.content, r.at, r.event])).toEqual(
      turns.map((t) => [t.role, t.text, t.at, t.eventId]),
    );
    expect(await stored(B)).toEqual([]);
    const recalled = await memory.recall({ actorId: A, query: "Maui beach hotel", k: 1, kinds: ["episode"] });
    expect(recalled[0]?.namespace).toBe(namespaces.episodes(A, session));
    expect(await memory.recall({ actorId: B, query: "Maui beach hotel", kinds: ["episode"] })).toEqual([]);
  });

  it("reads back every value as written: quotes, backslashes, a trailing backslash, unicode", async () => {
    const values = ["it's", "back\\slash", "ends with \\", "'; DROP TABLE memories; --", "E'x'", "naïve ✈"];
    const text = `SELECT ${values.map((v, i) => `${literal(v)} AS v${i}`).join(", ")}`;
    const [row] = await db.sql.unsafe(text).simple();
    expect(Object.values(row as Record<string, string>)).toEqual(values);
  });
});
