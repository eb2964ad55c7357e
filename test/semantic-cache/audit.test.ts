/**
 * The audit of served answers on the whole product (every hit sampled): a hit whose data is
 * unchanged recomputes to the same calls and results; a hit whose flight data was changed behind
 * the cache's back (a direct database write, no invalidation) is counted as a mismatch on
 * `/metrics` and logged at warn. Nothing the audit runs is served or stored.
 */
import { randomUUID } from "node:crypto";
import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../core/logger.js";
import type { CacheMetrics } from "../../orchestrator/semantic-cache/metrics.js";
import type { ToolResult } from "../../tools/types.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";

type Listed = { flight_id: string; seats_available: number };

describe("the response cache's audit of served answers", () => {
  let rt: TestRuntime;
  let sql: Sql;
  const warnings: string[] = [];
  const searches: ToolResult[] = [];

  beforeAll(async () => {
    const logger = createLogger({ level: "warn" });
    const warn = logger.warn.bind(logger);
    // Every warning's message, as the log line would carry it.
    logger.warn = ((obj: unknown, msg?: string) => {
      warnings.push(typeof obj === "string" ? obj : String(msg));
      return warn(obj as never, msg as never);
    }) as typeof logger.warn;
    rt = await startTestRuntime({
      env: { SEMANTIC_CACHE_AUDIT_RATE: "1", SEMANTIC_CACHE_AUDIT_MAX_PER_S: "1000" },
      logger,
    });
    sql = rt.running.services.db.sql;
    rt.app.hooks.on("afterToolCall", (e) => {
      if (e.name === "search_flights") searches.push(e.result);
    });
  }, 120_000);
  afterAll(async () => {
    await rt?.close();
  });

  const invoke = async (prompt: string, actor: string) => {
    const res = await rt.running.http.inject({
      method: "POST",
      url: "/invocations",
      headers: {
        "content-type": "application/json",
        "x-amzn-bedrock-agentcore-runtime-session-id": randomUUID(),
      },
      payload: { prompt, actor_id: actor },
    });
    expect(res.statusCode).toBe(200);
    return res.json() as { response: string; cache: { hit: boolean; kind: string | null } };
  };
  const metrics = async (): Promise<CacheMetrics> =>
    (await rt.running.http.inject({ method: "GET", url: "/metrics" })).json().responseCache;

  it("an unchanged hit matches its recomputation, and nothing the audit ran is stored", async () => {
    const prompt = "What is the checked baggage allowance on my ticket?";
    expect((await invoke(prompt, "51")).cache.hit).toBe(false);
    const hit = await invoke(prompt, "51");
    expect(hit.cache).toMatchObject({ hit: true, kind: "exact" });
    await rt.app.cacheAudit!.idle();
    const m = await metrics();
    expect(m.audit).toMatchObject({ rate: 1, audited: 1, matched: 1 });
    expect(m.audit!.mismatched).toEqual({ calls: 0, results: 0, answer: 0 });
    // The recomputation stored nothing: one store, from the first turn.
    expect(m.stored).toBe(1);
  });

  it("a hit on flights whose seats changed without an invalidation is a mismatch", async () => {
    const prompt = "show me flights from Los Angeles to Honolulu next Tuesday";
    searches.length = 0;
    expect((await invoke(prompt, "52")).cache.hit).toBe(false);
    const listed = (searches[0] as unknown as { json: { flights: Listed[] } }).json.flights[0]!;
    expect((await invoke(prompt, "52")).cache.hit).toBe(true);
    await rt.app.cacheAudit!.idle();
    expect((await metrics()).audit).toMatchObject({ audited: 2, matched: 2 });

    // Behind the cache's back: no tool ran, nothing was invalidated.
    await sql`UPDATE flights SET seats_available = seats_available - 3 WHERE id = ${listed.flight_id}`;
    const stale = await invoke(prompt, "52");
    expect(stale.cache.hit).toBe(true);
    await rt.app.cacheAudit!.idle();
    const m = await metrics();
    expect(m.audit).toMatchObject({
      audited: 3,
      matched: 2,
      mismatched: { calls: 0, results: 1, answer: 0 },
    });
    expect(warnings).toContain("cache audit: a served answer differs from its recomputation");
    // What the audit saw fresh was never served: the stale entry still answers until invalidated.
    expect((await invoke(prompt, "52")).response).toBe(stale.response);
  });

  it("a semantic hit matches when its recomputation, searching in the asker's words, finds the same policy", async () => {
    await rt.app.cacheAudit!.idle();
    const before = (await metrics()).audit!;
    expect((await invoke("Can I take my cat in the cabin?", "53")).cache.hit).toBe(false);
    const hit = await invoke("Is my cat allowed in the cabin?", "53");
    expect(hit.cache).toMatchObject({ hit: true, kind: "semantic" });
    await rt.app.cacheAudit!.idle();
    expect((await metrics()).audit).toMatchObject({
      audited: before.audited + 1,
      matched: before.matched + 1,
      mismatched: before.mismatched,
    });
  });
});
