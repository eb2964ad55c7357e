/**
 * The runtime on a private Valkey cluster (3 masters + 3 replicas): repeated questions are served
 * from the semantic cache, and under load from several sessions the masters are SIGKILLed one at
 * a time (each replaced by its replica, the old master rejoining as a replica). Checked: no 500,
 * every answered turn's messages are in its session's history and its memory events in the
 * stream the tiering worker reads. Reported: cache hit rate, requests, statuses, failover times.
 */
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseHistory, sessionKeys } from "../../memory/short-term/index.js";
import { keys } from "../../memory/store/keys.js";
import { ValkeyStore } from "../../memory/store/valkey.js";
import { sleep, uniq } from "../support/env.js";
import { clusterSkipReason, startValkeyCluster, type ValkeyCluster } from "../support/valkey-cluster.js";
import { startTestRuntime, type TestRuntime } from "../support/world.js";

const SESSION_HEADER = "x-amzn-bedrock-agentcore-runtime-session-id";
const FAILOVERS = 3;
const SESSIONS = 6;

const QUESTIONS = [
  "What is the checked baggage allowance?",
  "Can I bring my cat in the cabin?",
  "Is there Wi-Fi on board?",
];
const PROMPTS = [
  ...QUESTIONS,
  "What is your refund policy if I cancel?",
  "find flights from Seattle to Tokyo in June",
  "what about hotels there?",
  "find flights from New York to London in July",
];

interface Answer {
  status: number;
  hit: boolean;
  retryAfter: string | null;
}

async function invoke(base: string, session: string, actor: string, prompt: string): Promise<Answer> {
  const res = await fetch(`${base}/invocations`, {
    method: "POST",
    headers: { "content-type": "application/json", [SESSION_HEADER]: session },
    body: JSON.stringify({ prompt, actor_id: actor }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await res.json().catch(() => ({}))) as { cache?: { hit?: boolean } };
  return { status: res.status, hit: body.cache?.hit === true, retryAfter: res.headers.get("retry-after") };
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

/** Turns per session id, within the history cap (50 messages). */
const TURNS_PER_SESSION = 20;

const skip = clusterSkipReason();

describe.skipIf(skip !== undefined)("runtime on a Valkey cluster", () => {
  let cluster: ValkeyCluster;
  let rt: TestRuntime;
  let base: string;

  beforeAll(async () => {
    cluster = await startValkeyCluster();
    rt = await startTestRuntime({ env: { VALKEY_URL: cluster.url, VALKEY_CLUSTER: "true" }, worker: false });
    const addr = rt.running.http.server.address() as AddressInfo;
    base = `http://127.0.0.1:${addr.port}`;
  });
  afterAll(async () => {
    await rt?.close();
    await cluster?.stop();
  });

  it("answers repeated questions from the cache", async () => {
    const answers: Answer[] = [];
    for (let round = 0; round < 4; round++) {
      for (const [i, q] of QUESTIONS.entries()) {
        // A new session each time; one customer per question (personal answers are theirs only).
        answers.push(await invoke(base, uniq("cache"), String(1 + i), q));
      }
    }
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    const hits = answers.filter((a) => a.hit).length;
    const rate = hits / answers.length;
    console.info(
      `cluster cache: ${hits}/${answers.length} hits on repeated questions (${(rate * 100).toFixed(1)}%)`,
    );
    // The first round misses and stores; every later round is answered from the cache.
    expect(answers.slice(0, QUESTIONS.length).some((a) => a.hit)).toBe(false);
    expect(hits).toBe(answers.length - QUESTIONS.length);
  });

  it(`keeps every answered turn through ${FAILOVERS} master failovers, with no 500`, async () => {
    const sent: { session: string; actor: string; prompt: string; answer: Answer }[] = [];
    let running = true;
    const load = Array.from({ length: SESSIONS }, async (_, i) => {
      const actor = String(1 + i);
      let session = uniq(`fo${i}`);
      for (let t = 0; running; t++) {
        if (t > 0 && t % TURNS_PER_SESSION === 0) session = uniq(`fo${i}`);
        const prompt = PROMPTS[(i + t) % PROMPTS.length]!;
        const answer = await invoke(base, session, actor, prompt).catch(
          (err): Answer => ({ status: -1, hit: false, retryAfter: String(err) }),
        );
        sent.push({ session, actor, prompt, answer });
        await sleep(answer.status === 200 ? 50 : 200);
      }
    });

    const failovers = [];
    await sleep(800);
    for (let f = 0; f < FAILOVERS; f++) {
      failovers.push(await cluster.killMaster({ restart: true }));
      await sleep(300);
    }
    running = false;
    await Promise.all(load);
    expect(await rt.app.outbox.flush(15_000)).toBe(true);

    const statuses: Record<number, number> = {};
    for (const s of sent) statuses[s.answer.status] = (statuses[s.answer.status] ?? 0) + 1;
    const ok = sent.filter((s) => s.answer.status === 200);

    // Every 200 turn: its user message in the session history, its event in the stream.
    const store = await ValkeyStore.connect({ url: cluster.url, cluster: true });
    let lostHistory = 0;
    let lostEvents = 0;
    try {
      const events = await store.xrange(keys.events());
      const eventCount = new Map<string, number>();
      for (const e of events) {
        if (e.fields.role !== "user") continue;
        const k = `${e.fields.session_id}\u0000${e.fields.text}`;
        eventCount.set(k, (eventCount.get(k) ?? 0) + 1);
      }
      const bySession = groupBy(ok, (s) => s.session);
      for (const [session, turns] of bySession) {
        const actor = turns[0]!.actor;
        const history = parseHistory(
          await store.lrange(sessionKeys({ actorId: actor, sessionId: session }).history, 0, -1),
        );
        const inHistory = new Map<string, number>();
        for (const m of history)
          if (m.role === "user") inHistory.set(m.content, (inHistory.get(m.content) ?? 0) + 1);
        const asked = groupBy(turns, (t) => t.prompt);
        for (const [prompt, n] of asked) {
          lostHistory += Math.max(0, n.length - (inHistory.get(prompt) ?? 0));
          lostEvents += Math.max(0, n.length - (eventCount.get(`${session}\u0000${prompt}`) ?? 0));
        }
      }
    } finally {
      await store.close();
    }

    console.info(
      `cluster failover: ${failovers.length} failovers (${failovers.map((f) => `${f.ms} ms`).join(", ")}), ` +
        `${sent.length} requests, statuses ${JSON.stringify(statuses)}, ` +
        `lost history ${lostHistory}, lost events ${lostEvents}, turns re-sent by the outbox ${rt.app.outbox.resent}`,
    );
    expect(failovers.length).toBe(FAILOVERS);
    expect(statuses[500] ?? 0).toBe(0);
    expect(statuses[-1] ?? 0).toBe(0);
    for (const s of sent.filter((x) => x.answer.status === 503)) expect(s.answer.retryAfter).toMatch(/^\d+$/);
    expect(ok.length).toBeGreaterThan(SESSIONS * 5);
    expect(lostHistory).toBe(0);
    expect(lostEvents).toBe(0);
  });
});
