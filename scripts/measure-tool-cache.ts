/**
 * Measures `search_flights` through the tool cache against the real Valkey-compatible server and
 * embedded PGlite holding the generated world's schedule: a cache hit (same arguments), a miss
 * (the entry invalidated before each call, outside the timing: lock, query, tag, store, unlock),
 * and the bare handler without the cache for reference. Medians and p95 over `--runs` calls.
 *
 *   npx vite-node scripts/measure-tool-cache.ts [--runs 300] [--json]
 *
 * `VALKEY_URL` picks the server (default redis://127.0.0.1:6379). Not a timed test: numbers vary
 * with the machine; the bench reports them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Sql } from "postgres";
import { loadConfig } from "../core/config.js";
import { createLogger } from "../core/logger.js";
import { openEmbeddedPostgres } from "../memory/db/embedded.js";
import { connectPostgres } from "../memory/db/index.js";
import { migrate } from "../memory/db/migrate.js";
import { generateWorld } from "../memory/db/world.js";
import { ValkeyStore } from "../memory/store/valkey.js";
import { createToolCache } from "../tools/cache.js";
import { flightsTag } from "../tools/common.js";
import {
  type SearchFlightsInput,
  searchFlightsCachePolicy,
  searchFlightsTool,
} from "../tools/search-flights.js";
import type { ToolContext } from "../tools/types.js";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "300" }, json: { type: "boolean", default: false } },
});
const RUNS = Number(values.runs);

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};
const round = (ms: number): number => Math.round(ms * 1000) / 1000;

async function insertSchedule(
  sql: Sql,
): Promise<{ flights: number; origin: string; destination: string; date: string }> {
  const world = generateWorld(new Date());
  await sql`INSERT INTO airports ${sql(world.airports.map(({ aliases: _a, tz, ...a }) => ({ ...a, timezone: tz })))}`;
  await sql`INSERT INTO airlines ${sql(world.airlines.map((a) => ({ code: a.code, name: a.name })))}`;
  for (let i = 0; i < world.flights.length; i += 2_000) {
    await sql`INSERT INTO flights ${sql(world.flights.slice(i, i + 2_000))}`;
  }
  const date = new Date(world.anchor.getTime() + 30 * 86_400_000).toISOString().slice(0, 10);
  return { flights: world.flights.length, origin: "SEA", destination: "NRT", date };
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: "warn" });
  const dir = mkdtempSync(join(tmpdir(), "flightly-measure-cache-"));
  const pg = await openEmbeddedPostgres(dir, logger);
  // One connection: see test/tools/fixture.ts on pglite-socket and concurrent connections.
  const sql = connectPostgres(pg.url, { max: 1, onnotice: () => {}, transform: { undefined: null } });
  const store = await ValkeyStore.connect({ url: config.valkey.url ?? "redis://127.0.0.1:6379" });
  try {
    await migrate(sql, { modelId: "measure-none", dimensions: 8 });
    const world = await insertSchedule(sql);
    const cache = createToolCache(store, { namespace: `measure-${process.pid}-${Date.now()}`, logger });
    const bare = searchFlightsTool({ sql });
    const cached = cache.cached(bare, searchFlightsCachePolicy);
    const input: SearchFlightsInput = {
      origin: world.origin,
      destination: world.destination,
      date: world.date,
      passengers: 2,
      sort: "price",
      limit: 5,
    };
    const ctx: ToolContext = {
      actor: { id: "1", guest: false },
      sessionId: "measure",
      logger,
      signal: new AbortController().signal,
      deadline: Date.now() + 3_600_000,
    };
    const tag = flightsTag(world.origin, world.destination, world.date);
    const time = async (fn: () => Promise<unknown>): Promise<number> => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };

    for (let i = 0; i < 30; i++) {
      await bare.run(input, ctx);
      await cached.run(input, ctx);
      await cache.invalidate(tag);
    }
    const getMs: number[] = [];
    const bareMs: number[] = [];
    const missMs: number[] = [];
    const hitMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      getMs.push(await time(() => store.get("flightly:measure:missing")));
      bareMs.push(await time(() => bare.run(input, ctx)));
      await cache.invalidate(tag);
      missMs.push(await time(() => cached.run(input, ctx)));
      hitMs.push(await time(() => cached.run(input, ctx)));
    }
    const stats = cache.stats();
    const result = {
      runs: RUNS,
      flights: world.flights,
      query: input,
      hit_ms: { median: round(quantile(hitMs, 0.5)), p95: round(quantile(hitMs, 0.95)) },
      miss_ms: { median: round(quantile(missMs, 0.5)), p95: round(quantile(missMs, 0.95)) },
      valkey_get_ms: { median: round(quantile(getMs, 0.5)), p95: round(quantile(getMs, 0.95)) },
      uncached_ms: { median: round(quantile(bareMs, 0.5)), p95: round(quantile(bareMs, 0.95)) },
      miss_over_hit: round(quantile(missMs, 0.5) / quantile(hitMs, 0.5)),
      cache: { hits: stats.hits, misses: stats.misses, coalesced: stats.coalesced, bypassed: stats.bypassed },
    };
    if (values.json) {
      console.log(JSON.stringify(result));
    } else {
      console.log(
        `search_flights ${world.origin}->${world.destination} ${world.date}, ${world.flights} flights, ${RUNS} runs`,
      );
      console.log(`  cache hit   median ${result.hit_ms.median} ms   p95 ${result.hit_ms.p95} ms`);
      console.log(`  cache miss  median ${result.miss_ms.median} ms   p95 ${result.miss_ms.p95} ms`);
      console.log(
        `  valkey GET  median ${result.valkey_get_ms.median} ms   p95 ${result.valkey_get_ms.p95} ms`,
      );
      console.log(`  uncached    median ${result.uncached_ms.median} ms   p95 ${result.uncached_ms.p95} ms`);
      console.log(`  miss / hit  ${result.miss_over_hit}x   (hits ${stats.hits}, misses ${stats.misses})`);
    }
  } finally {
    await store.close();
    await sql.end({ timeout: 5 });
    await pg.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
