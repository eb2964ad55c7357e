/**
 * The in-process index of the response cache, as two processes hold it: each over its own Valkey
 * connection and database connection, one shared Valkey and one database. What one stores the
 * other finds after reading the change stream; an invalidation in one removes the entries from
 * both; scopes are kept apart; it answers as pgvector does.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../core/config.js";
import { createLogger } from "../../core/logger.js";
import { type EmbeddedPostgres, openEmbeddedPostgres } from "../../memory/db/embedded.js";
import { connectPostgres } from "../../memory/db/index.js";
import { migrate } from "../../memory/db/migrate.js";
import { createEmbedder } from "../../memory/embeddings/index.js";
import { type CachedAnswer, ResponseCacheStore } from "../../memory/response-cache.js";
import { ResponseIndex } from "../../memory/response-index.js";
import { ValkeyStore } from "../../memory/store/valkey.js";
import { sleep, TEST_VALKEY_URL, uniq } from "../support/env.js";

const embedder = createEmbedder(loadConfig({}));
const logger = createLogger({ level: "silent" });

interface Process {
  store: ValkeyStore;
  sql: Sql;
  index: ResponseIndex;
  cache: ResponseCacheStore;
  /** The same storage without the index: what pgvector answers. */
  table: ResponseCacheStore;
}

const answer = (prompt: string, response: string, sources: string[] = []): CachedAnswer => ({
  prompt,
  response,
  entities: { places: [], context: [] },
  category: "policy",
  sources,
});

async function embed(text: string): Promise<Float32Array> {
  const [v] = await embedder.embed([text]);
  return v!;
}

describe("response index kept in step across two processes", () => {
  const dir = mkdtempSync(join(tmpdir(), "flightly-respindex-"));
  const namespace = uniq("ns");
  let pg: EmbeddedPostgres;
  const procs: Process[] = [];

  /** A process: its own connections, its index loaded from the table (polled by hand unless `pollMs`). */
  async function open(pollMs = 3_600_000): Promise<Process> {
    const store = await ValkeyStore.connect({ url: TEST_VALKEY_URL });
    const sql = connectPostgres(pg.url, { max: 2, onnotice: () => {} });
    const index = new ResponseIndex({ store, sql, namespace, logger, pollMs });
    await index.start();
    const p = {
      store,
      sql,
      index,
      cache: new ResponseCacheStore(store, sql, namespace, { index }),
      table: new ResponseCacheStore(store, sql, namespace),
    };
    procs.push(p);
    return p;
  }

  beforeAll(async () => {
    pg = await openEmbeddedPostgres(dir, logger);
    const sql = connectPostgres(pg.url, { max: 1, onnotice: () => {} });
    await migrate(sql, embedder);
    await sql.end();
  }, 120_000);
  afterAll(async () => {
    for (const p of procs) {
      p.index.close();
      await p.store.del(`flightly:respfeed:${namespace}`);
      await p.store.close();
      await p.sql.end();
    }
    await pg?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("loads the stored entries at start and answers as pgvector does", async () => {
    const writer = await open();
    const prompts = [
      "What is the checked baggage allowance?",
      "Can I bring my dog in the cabin?",
      "How do I change my seat?",
      "What is the refund policy for cancelled flights?",
      "Is there wifi on board?",
    ];
    for (const [i, p] of prompts.entries()) {
      await writer.cache.put("shared", `h${i}`, await embed(p), answer(p, `answer ${i}`), 60_000);
    }
    const reader = await open();
    expect(reader.index.size).toBeGreaterThanOrEqual(prompts.length);
    for (const q of ["how much luggage can I check", "pets in the cabin", "refunds after a cancellation"]) {
      const v = await embed(q);
      const fromIndex = reader.index.nearest(v, ["shared"], 3);
      const fromTable = await reader.table.nearest(v, ["shared"], 3);
      expect(fromIndex.map((n) => n.id)).toEqual(fromTable.map((n) => n.id));
      expect(fromIndex.map((n) => n.response)).toEqual(fromTable.map((n) => n.response));
      for (const [i, n] of fromIndex.entries()) expect(n.similarity).toBeCloseTo(fromTable[i]!.similarity, 4);
    }
  });

  it("an entry stored by one process is found by the other once it reads the change stream", async () => {
    const [a, b] = [await open(), await open()];
    const prompt = "Do you sell travel insurance for ski trips?";
    const v = await embed(prompt);
    expect(b.index.nearest(v, ["shared"], 1)[0]?.prompt).not.toBe(prompt);

    await a.cache.put("shared", "ski", v, answer(prompt, "Yes, with winter sports cover."), 60_000);
    // Not there before B reads the stream: what B finds next came through it.
    expect(b.index.nearest(v, ["shared"], 1)[0]?.prompt).not.toBe(prompt);
    expect(a.index.nearest(v, ["shared"], 1)[0]).toMatchObject({
      prompt,
      similarity: expect.any(Number),
    });
    expect(await b.index.poll()).toBeGreaterThan(0);
    const found = b.index.nearest(v, ["shared"], 1)[0];
    expect(found).toMatchObject({ prompt, response: "Yes, with winter sports cover.", scope: "shared" });
    expect(found!.similarity).toBeCloseTo(1, 4);
  });

  it("carries the calls an entry was computed from (what the audit compares) in every process", async () => {
    const [a, b] = [await open(), await open()];
    const prompt = "Can I carry a folding bike as checked baggage?";
    const v = await embed(prompt);
    const calls = [{ tool: "search_knowledge_base", input: '{"query":"bike"}', result: "d1" }];
    await a.cache.put("shared", "bike", v, { ...answer(prompt, "Yes, boxed."), calls }, 60_000);
    expect(a.index.nearest(v, ["shared"], 1)[0]?.calls).toEqual(calls);
    await b.index.poll();
    expect(b.index.nearest(v, ["shared"], 1)[0]?.calls).toEqual(calls);
    const loaded = await open();
    expect(loaded.index.nearest(v, ["shared"], 1)[0]?.calls).toEqual(calls);
  });

  it("keeps scopes apart: an actor's entry is found only in that actor's scope", async () => {
    const [a, b] = [await open(), await open()];
    const prompt = "Which seat did I pick on my Lisbon flight?";
    const v = await embed(prompt);
    await a.cache.put("actor:ana", "seat", v, answer(prompt, "12A, by the window."), 60_000);
    await b.index.poll();
    expect(b.index.nearest(v, ["actor:ana", "shared"], 4).map((n) => n.prompt)).toContain(prompt);
    expect(b.index.nearest(v, ["actor:bo", "shared"], 4).map((n) => n.prompt)).not.toContain(prompt);
    expect(a.index.nearest(v, ["actor:bo", "shared"], 4).map((n) => n.prompt)).not.toContain(prompt);
  });

  it("an invalidation in one process removes the entries built from that source in both", async () => {
    const [a, b] = [await open(), await open()];
    const source = uniq("knowledge");
    const kept = "How early should I arrive for an international flight?";
    const dropped = "What documents do I need to fly to Canada?";
    await a.cache.put("shared", "kept", await embed(kept), answer(kept, "Three hours before."), 60_000);
    await a.cache.put(
      "shared",
      "docs",
      await embed(dropped),
      answer(dropped, "A passport.", [source]),
      60_000,
    );
    await b.index.poll();
    const dv = await embed(dropped);
    expect(b.index.nearest(dv, ["shared"], 1)[0]?.prompt).toBe(dropped);

    await a.cache.invalidateSource(source);
    expect(a.index.nearest(dv, ["shared"], 4).map((n) => n.prompt)).not.toContain(dropped);
    await b.index.poll();
    expect(b.index.nearest(dv, ["shared"], 4).map((n) => n.prompt)).not.toContain(dropped);
    expect(b.index.nearest(await embed(kept), ["shared"], 1)[0]?.prompt).toBe(kept);
    // And the table agrees.
    expect((await b.table.nearest(dv, ["shared"], 4)).map((n) => n.prompt)).not.toContain(dropped);
  });

  it("follows the change stream by itself, and never returns an expired entry", async () => {
    const a = await open();
    const b = await open(20);
    const prompt = "Can I pay for upgrades with miles?";
    const v = await embed(prompt);
    await a.cache.put("shared", "miles", v, answer(prompt, "Yes, from 10,000 miles."), 150);
    let seen = false;
    for (let i = 0; i < 200 && !seen; i++) {
      seen = b.index.nearest(v, ["shared"], 1)[0]?.prompt === prompt;
      if (!seen) await sleep(10);
    }
    expect(seen).toBe(true);
    await sleep(200);
    expect(b.index.nearest(v, ["shared"], 4).map((n) => n.prompt)).not.toContain(prompt);
    expect(a.index.nearest(v, ["shared"], 4).map((n) => n.prompt)).not.toContain(prompt);
  });
});
