/**
 * Load: many concurrent sessions of many turns each, on the local planner, against `flightly
 * serve` with a private redis-server (the real Valkey path) and its embedded PGlite. Each session
 * has its own customer (1..240), its own route and a mix of prompts (flight searches, "what about
 * hotels there?", weather, policy questions). Checked: no errors; every session's history holds
 * exactly the messages it sent and received, in order (none lost, none from another session);
 * "hotels there" follows the session's own search; checkpoint versions never go back and rise
 * with every turn that ran a workflow. Reported: latency percentiles, throughput, RSS.
 *
 * Default: 40 sessions × 6 turns. FLIGHTLY_LONG_TESTS=1: 200 × 20, and a 10-minute soak with RSS
 * sampled (FLIGHTLY_SOAK_S overrides its length).
 */
import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseHistory, sessionSlot } from "../../memory/short-term/index.js";
import { keys } from "../../memory/store/keys.js";
import { ValkeyStore } from "../../memory/store/valkey.js";
import { type Served, startServe } from "../support/cli.js";
import { uniq } from "../support/env.js";
import { type WorldEnv, worldDir, worldEnv } from "../support/world.js";
import {
  type Answer,
  invoke,
  LONG,
  type PgliteServer,
  percentile,
  type RedisServer,
  rssOf,
  startPglite,
  startRedis,
  waitHealthy,
} from "./support.js";

const SESSIONS = Number(process.env.FLIGHTLY_LOAD_SESSIONS ?? (LONG ? 200 : 40));
const TURNS = Number(process.env.FLIGHTLY_LOAD_TURNS ?? (LONG ? 20 : 6));
const SOAK_S = Number(process.env.FLIGHTLY_SOAK_S ?? 600);

const ROUTES: Array<[string, string]> = [
  ["Seattle", "Tokyo"],
  ["Seattle", "Honolulu"],
  ["Los Angeles", "Sydney"],
  ["New York", "London"],
  ["New York", "Paris"],
  ["Paris", "Rome"],
  ["San Francisco", "Honolulu"],
  ["Los Angeles", "New York"],
  ["New York", "Miami"],
  ["Seattle", "San Francisco"],
];
const MONTHS = ["June", "July", "August", "September"];
const POLICY = [
  "What is the checked baggage allowance?",
  "Can I bring my cat in the cabin?",
  "Is there Wi-Fi on board?",
  "How early should I check in for an international flight?",
  "What is your refund policy if I cancel?",
  "Do I need a visa to visit Japan?",
  "What happens if my flight is delayed?",
  "How do I earn loyalty points?",
];

interface SessionPlan {
  session: string;
  actor: string;
  prompts: string[];
  /** The destination each turn's "there" refers to (the last search's). */
  there: string[];
}

/** Every 5 turns a new route and month: search, hotels there, a policy question, weather, another. */
function planSession(i: number, turns: number): SessionPlan {
  const prompts: string[] = [];
  const there: string[] = [];
  for (let t = 0; t < turns; t++) {
    const round = Math.floor(t / 5);
    const [origin, destination] = ROUTES[(i + round * 3) % ROUTES.length]!;
    const month = MONTHS[(i + round) % MONTHS.length]!;
    const cycle = [
      `find flights from ${origin} to ${destination} in ${month}`,
      "what about hotels there?",
      POLICY[(i + t) % POLICY.length]!,
      `What's the weather like in ${destination} in ${month}?`,
      POLICY[(i + t + 3) % POLICY.length]!,
    ];
    prompts.push(cycle[t % cycle.length]!);
    there.push(destination);
  }
  return { session: uniq(`load${i}`), actor: String(1 + (i % 240)), prompts, there };
}

interface Turn {
  prompt: string;
  answer: Answer;
  version: number;
}

describe("load: concurrent sessions on the local planner", () => {
  let world: WorldEnv;
  let redis: RedisServer;
  let store: ValkeyStore;
  let served: Served;

  beforeAll(async () => {
    world = await worldEnv("load");
    redis = await startRedis();
    store = await ValkeyStore.connect({ url: redis.url, commandTimeoutMs: 30_000 });
    served = await startServe({ ...world.env, VALKEY_URL: redis.url, LOG_LEVEL: "warn" });
    await waitHealthy(served.url);
  });
  afterAll(async () => {
    await served?.stop("SIGKILL");
    await store?.close();
    await redis?.close();
    await world?.close();
  });

  const checkpointVersion = async (p: SessionPlan): Promise<number> =>
    Number(
      (await store.hget(
        keys.checkpoint(sessionSlot({ actorId: p.actor, sessionId: p.session })),
        "version",
      )) ?? 0,
    );

  /** Runs one session's turns in order; returns each turn's answer and checkpoint version after it. */
  const runSession = async (p: SessionPlan): Promise<Turn[]> => {
    const out: Turn[] = [];
    for (const prompt of p.prompts) {
      const answer = await invoke(served.url, prompt, { session: p.session, actor: p.actor });
      out.push({ prompt, answer, version: await checkpointVersion(p) });
    }
    return out;
  };

  /** Everything the test checks about one finished session; returns the problems found. */
  const verify = async (p: SessionPlan, turns: Turn[]): Promise<string[]> => {
    const problems: string[] = [];
    let version = 0;
    for (const [t, { prompt, answer, version: v }] of turns.entries()) {
      if (answer.status !== 200) {
        problems.push(`${p.session} turn ${t}: ${answer.status} ${JSON.stringify(answer.body.error)}`);
        continue;
      }
      if (!answer.body.response) problems.push(`${p.session} turn ${t}: empty response`);
      if (answer.body.session_id !== p.session || answer.body.actor_id !== p.actor) {
        problems.push(
          `${p.session} turn ${t}: answered for ${answer.body.session_id}/${answer.body.actor_id}`,
        );
      }
      const hit = answer.body.cache?.hit === true;
      // A turn declined before any agent ran (outside what Flightly serves) writes no checkpoint.
      const ranAgents = (answer.body.agents ?? []).length > 0;
      if (v < version || (!hit && ranAgents && v <= version)) {
        problems.push(`${p.session} turn ${t}: checkpoint version ${version} -> ${v} (cache hit ${hit})`);
      }
      version = v;
      // Never another session's cities: "hotels there" names a destination this session searched
      // (which one is checked by the follow-up test below), weather the city it asked about.
      const searched = p.there.slice(0, t + 1);
      const text = answer.body.response ?? "";
      if (prompt === "what about hotels there?" && !searched.some((city) => text.includes(city))) {
        problems.push(
          `${p.session} turn ${t}: hotels answer names none of ${searched.join(", ")}: ${text.slice(0, 80)}`,
        );
      }
      if (prompt.startsWith("What's the weather") && !text.includes(p.there[t]!)) {
        problems.push(`${p.session} turn ${t}: weather answer not about ${p.there[t]}: ${text.slice(0, 80)}`);
      }
    }
    const slot = sessionSlot({ actorId: p.actor, sessionId: p.session });
    const history = parseHistory(await store.lrange(keys.history(slot), 0, -1));
    const expected = turns.flatMap((t) => [
      { role: "user", content: t.prompt },
      { role: "assistant", content: t.answer.body.response ?? "" },
    ]);
    const got = history.map((h) => ({ role: h.role, content: h.content }));
    if (JSON.stringify(got) !== JSON.stringify(expected)) {
      problems.push(`${p.session}: history has ${got.length} messages, expected ${expected.length} in order`);
    }
    return problems;
  };

  it(
    `${SESSIONS} sessions × ${TURNS} turns: no errors, no lost or foreign history, versions increasing`,
    async () => {
      const plans = Array.from({ length: SESSIONS }, (_, i) => planSession(i, TURNS));
      const rssStart = rssOf(served.proc.pid!);
      const started = performance.now();
      const results = await Promise.all(plans.map(runSession));
      const wallS = (performance.now() - started) / 1000;
      const rssEnd = rssOf(served.proc.pid!);

      const problems = (await Promise.all(plans.map((p, i) => verify(p, results[i]!)))).flat();
      const latencies = results.flat().map((t) => t.answer.ms);
      const full = results
        .flat()
        .filter((t) => !t.answer.body.cache?.hit)
        .map((t) => t.answer.ms);
      const hitMs = results
        .flat()
        .filter((t) => t.answer.body.cache?.hit)
        .map((t) => t.answer.ms);
      const pcts = (xs: number[]) =>
        `p50 ${percentile(xs, 50).toFixed(0)} p90 ${percentile(xs, 90).toFixed(0)} p99 ${percentile(xs, 99).toFixed(0)}`;
      const hits = results.flat().filter((t) => t.answer.body.cache?.hit).length;
      const n = latencies.length;
      const mb = (b: number) => `${Math.round(b / 1048576)} MB`;
      console.info(
        `load: ${SESSIONS} sessions × ${TURNS} turns = ${n} invocations in ${wallS.toFixed(1)} s ` +
          `(${(n / wallS).toFixed(1)}/s, ${hits} cache hits); latency ms p50 ${percentile(latencies, 50).toFixed(0)} ` +
          `p90 ${percentile(latencies, 90).toFixed(0)} p99 ${percentile(latencies, 99).toFixed(0)} ` +
          `max ${Math.max(...latencies).toFixed(0)} (full path ${pcts(full)}; cache hits ${pcts(hitMs)}); ` +
          `serve RSS ${mb(rssStart)} -> ${mb(rssEnd)}; ` +
          `problems: ${problems.length}`,
      );
      expect(problems.slice(0, 10)).toEqual([]);
    },
    LONG ? 1_800_000 : 240_000,
  );

  // A follow-up whose meaning depends on session state is keyed on what it resolves to, so a
  // cached answer about another city is never served for it.
  it("follow-ups use this session's latest search, not a cached answer from another context", async () => {
    const actor = "239";
    const ask = (session: string, prompt: string) => invoke(served.url, prompt, { session, actor });
    const one = uniq("follow");
    expect((await ask(one, "find flights from Seattle to Honolulu in July")).status).toBe(200);
    expect((await ask(one, "what about hotels there?")).body.response).toContain("Honolulu");
    expect((await ask(one, "find flights from New York to Paris in August")).status).toBe(200);
    expect((await ask(one, "what about hotels there?")).body.response).toContain("Paris");
    const two = uniq("follow");
    expect((await ask(two, "find flights from New York to London in July")).status).toBe(200);
    expect((await ask(two, "what about hotels there?")).body.response).toContain("London");
  });
});

/**
 * The soak (FLIGHTLY_LONG_TESTS=1): continuous load for SOAK_S seconds on a serving process whose
 * database is a separate PGlite process (as Aurora would be), so the process's RSS is the
 * service's own memory, not the database's. Every session has a random customer, route and dates,
 * so most turns run the full path rather than the semantic cache.
 */
describe.runIf(LONG)("soak: memory over a long run", () => {
  const dir = worldDir();
  let redis: RedisServer;
  let pg: PgliteServer;
  let served: Served;

  beforeAll(async () => {
    [redis, pg] = await Promise.all([startRedis(), startPglite(dir)]);
    served = await startServe({
      DATA_DIR: dir,
      VALKEY_URL: redis.url,
      DATABASE_URL: pg.url,
      LOG_LEVEL: "warn",
    });
    await waitHealthy(served.url);
  });
  afterAll(async () => {
    await served?.stop("SIGKILL");
    await pg?.close();
    await redis?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    `RSS stays flat over ${SOAK_S} s of continuous load`,
    async () => {
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
      const date = () => `${pick(MONTHS)} ${1 + Math.floor(Math.random() * 28)}`;
      const pids = { serve: served.proc.pid!, postgres: pg.pid! };
      const samples: Array<{ s: number; serve: number; postgres: number }> = [];
      const sample = () =>
        samples.push({
          s: (Date.now() - t0) / 1000,
          serve: rssOf(pids.serve),
          postgres: rssOf(pids.postgres),
        });
      const t0 = Date.now();
      const until = t0 + SOAK_S * 1000;
      sample();
      const sampler = setInterval(sample, 10_000);
      let invocations = 0;
      let hits = 0;
      const errors: string[] = [];
      const loop = async (): Promise<void> => {
        while (Date.now() < until) {
          const [origin, destination] = pick(ROUTES);
          const session = uniq("soak");
          const actor = String(1 + Math.floor(Math.random() * 240));
          const when = [date(), date()];
          const prompts = [
            `find flights from ${origin} to ${destination} on ${when[0]}`,
            "what about hotels there?",
            pick(POLICY),
            `What's the weather like in ${destination} on ${when[0]}?`,
            pick(POLICY),
            `find flights from ${origin} to ${destination} on ${when[1]}`,
            "what about hotels there?",
            pick(POLICY),
          ];
          for (const prompt of prompts) {
            const a = await invoke(served.url, prompt, { session, actor }).catch((err: Error) => ({
              status: 0,
              body: { error: { code: err.message, message: "", request_id: "" } },
            }));
            invocations++;
            if ((a.body as { cache?: { hit: boolean } }).cache?.hit) hits++;
            if (a.status !== 200) errors.push(`${a.status} ${a.body.error?.code}`);
          }
        }
      };
      await Promise.all(Array.from({ length: 40 }, loop));
      clearInterval(sampler);
      sample();
      const mb = (b: number) => Math.round(b / 1048576);
      const settled = samples.find((x) => x.s >= 60) ?? samples[0]!;
      const end = samples.at(-1)!;
      console.info(
        `soak: ${invocations} invocations in ${SOAK_S} s (${(invocations / SOAK_S).toFixed(1)}/s, ${hits} cache hits), ` +
          `${errors.length} errors ${JSON.stringify(errors.slice(0, 5))}; serve RSS start ${mb(samples[0]!.serve)} MB, ` +
          `after 1 min ${mb(settled.serve)} MB, end ${mb(end.serve)} MB, max ${mb(Math.max(...samples.map((x) => x.serve)))} MB; ` +
          `database process RSS ${mb(samples[0]!.postgres)} -> ${mb(end.postgres)} MB; ` +
          `serve samples (s:MB) ${samples.map((x) => `${Math.round(x.s)}:${mb(x.serve)}`).join(" ")}`,
      );
      expect(errors).toEqual([]);
      // Flat: after warm-up, the end is within 25% (or 64 MB) of the first settled sample.
      expect(end.serve).toBeLessThan(Math.max(settled.serve * 1.25, settled.serve + 64 * 1048576));
    },
    (SOAK_S + 300) * 1000,
  );
});
