/**
 * Per-turn orchestration overhead: `Orchestrator.invoke` end to end with a zero-latency scripted
 * model, so everything measured is ours: actor lookup, context assembly (Valkey pipeline + pgvector
 * recall) in parallel with routing, the workflow (two model calls, one `search_flights` call, the
 * session state and checkpoint compare-and-set writes) and the history append with its memory
 * events. The semantic cache is off so every turn runs the full path.
 */
import type { Sql } from "../memory/db/index.js";
import type { ShortTermStore } from "../memory/store/types.js";
import type { App } from "../orchestrator/runtime/app.js";
import { searchFlightsTool } from "../tools/search-flights.js";
import type { Tool } from "../tools/types.js";
import { type Figure, pushTo, round, single, summarize, timeEach } from "./stats.js";

export interface TurnDeps {
  app: App;
  sql: Sql;
  store: ShortTermStore;
  prompt: string;
  actorId: string;
  toolErrors: () => number;
}

/** Turns per session: history and checkpoint grow as in a conversation, then a new session starts. */
const TURNS_PER_SESSION = 10;

async function timeTurns(
  deps: TurnDeps,
  n: number,
  tag: string,
  warmup: number,
): Promise<{ wall: number[]; parts: Record<string, number[]>; roundTrips: number }> {
  const parts: Record<string, number[]> = {};
  let roundTrips = 0;
  const run = `${tag}-${process.pid}-${Date.now().toString(36)}`;
  const wall = await timeEach(
    n,
    async (i) => {
      const before = deps.store.roundTrips;
      const result = await deps.app.orchestrator.invoke({
        prompt: deps.prompt,
        sessionId: `bench-${run}-${Math.floor((i + 1_000) / TURNS_PER_SESSION)}`,
        actorId: deps.actorId,
      });
      const trail = result.agents.map((a) => `${a.agent}[${a.tools.join(",")}]`).join(" ");
      if (
        result.usage.modelCalls !== 2 ||
        result.usage.toolCalls !== 1 ||
        trail !== "booking[search_flights]"
      ) {
        throw new Error(
          `turn: expected booking[search_flights] with 2 model calls, got ${trail} (${result.usage.modelCalls} calls)`,
        );
      }
      if (i >= 0) {
        roundTrips += deps.store.roundTrips - before;
        for (const [k, v] of Object.entries(result.timing_ms)) pushTo(parts, k, v);
      }
    },
    { warmup },
  );
  if (deps.toolErrors() > 0) throw new Error(`turn: ${deps.toolErrors()} search_flights errors`);
  return { wall, parts, roundTrips: roundTrips / Math.max(1, n) };
}

/**
 * Two variants, interleaved: `search_flights` as the uncached handler (the same tool work the
 * peer loop does) and as wired in production (through the tool cache: hits after the first call).
 */
export async function benchTurn(deps: TurnDeps, n: number): Promise<Record<string, Figure>> {
  const cached = deps.app.tools.get("search_flights")!;
  const bare = searchFlightsTool({ sql: deps.sql }) as unknown as Tool<unknown>;
  const rounds = 4;
  const per = Math.ceil(n / rounds);
  const uncached = { wall: [] as number[], parts: {} as Record<string, number[]>, roundTrips: 0 };
  const hit = { wall: [] as number[] };
  try {
    for (let r = 0; r < rounds; r++) {
      deps.app.tools.set("search_flights", bare);
      const warmup = r === 0 ? 30 : 3;
      const a = await timeTurns(deps, per, `u${r}`, warmup);
      uncached.wall.push(...a.wall);
      uncached.roundTrips = a.roundTrips;
      for (const [k, v] of Object.entries(a.parts)) pushTo(uncached.parts, k, ...v);
      deps.app.tools.set("search_flights", cached);
      hit.wall.push(...(await timeTurns(deps, per, `c${r}`, warmup)).wall);
    }
  } finally {
    deps.app.tools.set("search_flights", cached);
  }
  const figures: Record<string, Figure> = {
    "turn.full": summarize(
      uncached.wall,
      "ms",
      "Orchestrator.invoke wall time, scripted model, semantic cache off, search_flights uncached (a PGlite query)",
    ),
    "turn.full_tool_cache_hit": summarize(
      hit.wall,
      "ms",
      "the same with search_flights through the tool cache as wired in production (Valkey hit)",
    ),
  };
  figures["turn.full.valkey_round_trips"] = single(
    round(uncached.roundTrips, 1),
    "count",
    per,
    "Valkey round trips per turn (a pipeline counts once), from the store's counter",
  );
  for (const [k, v] of Object.entries(uncached.parts)) {
    figures[`turn.timing_ms.${k}`] = summarize(
      v,
      "ms",
      `timing_ms.${k} reported by invoke (uncached variant)`,
    );
  }
  return figures;
}

/**
 * A semantic-cache exact hit in-process (an app with the cache on): the answer is cached by one
 * full turn, then asked again. Counts the Valkey round trips of a hit (the HTTP route adds two:
 * the session lease taken and released).
 */
export async function benchCacheHitTurn(
  app: App,
  store: ShortTermStore,
  prompt: string,
  actorId: string,
  n: number,
): Promise<Record<string, Figure>> {
  const run = `hit-${process.pid}-${Date.now().toString(36)}`;
  await app.orchestrator.invoke({ prompt, sessionId: `bench-${run}-seed`, actorId });
  let roundTrips = 0;
  const wall = await timeEach(n, async (i) => {
    const before = store.roundTrips;
    const result = await app.orchestrator.invoke({ prompt, sessionId: `bench-${run}-${i}`, actorId });
    if (result.cache.kind !== "exact")
      throw new Error(`cache hit turn: expected an exact hit, got ${result.cache.kind}`);
    if (i >= 0) roundTrips += store.roundTrips - before;
  });
  return {
    "turn.exact_hit": summarize(
      wall,
      "ms",
      "Orchestrator.invoke answered by the semantic cache (exact): actor, lookup, history append, events",
    ),
    "turn.exact_hit.valkey_round_trips": single(round(roundTrips / Math.max(1, n), 1), "count", n),
  };
}
