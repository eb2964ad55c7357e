/**
 * The runtime under pressure, as a client sees it: `/ping` while the full local-planner path is
 * loaded and while one long statement holds the embedded database (the serving loop must not wait
 * on either), and a conversation load (many sessions, each a sequence of turns on its own session
 * id) with its latency tail; then what the response cache's audit found over everything the served
 * process answered (every load of the run: `SEMANTIC_CACHE_AUDIT_RATE` of hits recomputed).
 */
import http from "node:http";
import { loadavg } from "node:os";
import { embeddedUrl } from "../memory/db/embedded.js";
import { connectPostgres } from "../memory/db/index.js";
import { type LoadSpec, load, SESSION_HEADER } from "./http.js";
import { type Figure, round, single, summarize } from "./stats.js";

export interface PressureSettings {
  /** Conversation load: this many sessions at once, each this many turns in sequence. */
  sessions: number;
  sessionTurns: number;
  /** Seconds of full-path load the `/ping` probe runs beside. */
  loadS: number;
  connections: number;
}

export interface PressureStage {
  port: number;
  /** The served `DATA_DIR` (its embedded host takes the long statement). */
  dataDir: string;
  /** The full-path load of `benchRuntime` (new guest actor per request). */
  fullPath: LoadSpec;
  /** Prompts a conversation cycles through (local planner, our own wording). */
  turns: readonly string[];
  settings: PressureSettings;
  progress: (message: string) => void;
}

const load1 = (): number => round(loadavg()[0] ?? Number.NaN, 2);

/** `GET /ping` on one keep-alive connection, back to back, until `until` settles. */
async function probePing(port: number, until: Promise<unknown>): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const samples: number[] = [];
  let done = false;
  void until.finally(() => {
    done = true;
  });
  const once = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const t = performance.now();
      const req = http.get({ host: "127.0.0.1", port, path: "/ping", agent }, (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode === 200) samples.push(performance.now() - t);
          resolve();
        });
      });
      req.on("error", reject);
    });
  try {
    while (!done) await once();
  } finally {
    agent.destroy();
  }
  return samples;
}

/** One request on a keep-alive agent; resolves with the status and the latency in ms. */
function post(
  agent: http.Agent,
  port: number,
  body: string,
  headers: Record<string, string>,
): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/invocations",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export async function benchPressure(
  o: PressureStage,
): Promise<{ figures: Record<string, Figure>; notes: string[] }> {
  const { port, settings: s, progress } = o;
  const figures: Record<string, Figure> = {};
  const notes: string[] = [];

  // 1. /ping beside the full-path load.
  progress(`/ping on one connection beside the full-path load (${s.connections} connections, ${s.loadS} s)`);
  let loadAvg = load1();
  const full = load({ ...o.fullPath, durationS: s.loadS, warmupS: 0 });
  const pings = await probePing(port, full);
  const run = await full;
  figures["http.ours.ping_during_full_path.latency"] = summarize(
    pings,
    "ms",
    `GET /ping back to back on one keep-alive connection while ${s.connections} connections load the full path (${round(run.ok / Math.max(run.durationS, 1e-9), 0)} req/s meanwhile); 1-min load ${loadAvg}`,
  );

  // 2. /ping while one long statement holds the embedded database.
  progress("/ping while a long statement holds the embedded database");
  const sql = connectPostgres(embeddedUrl(o.dataDir), { max: 1, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
    loadAvg = load1();
    const started = performance.now();
    // The shape of a heavy run_query: a read-only aggregate over a large join, seconds long.
    const statement = sql.begin(async (tx) => {
      await tx`SET LOCAL ROLE flightly_readonly`;
      await tx`SELECT count(*) FROM generate_series(1, 2500) a CROSS JOIN generate_series(1, 2500) b WHERE (a * b) % 7 = 3`;
    });
    const pingsDuringQuery = await probePing(port, statement);
    await statement;
    const queryMs = performance.now() - started;
    figures["http.ours.ping_during_long_query.latency"] = summarize(
      pingsDuringQuery,
      "ms",
      `GET /ping back to back while one ${round(queryMs / 1000, 1)} s read-only statement (as flightly_readonly, like run_query) runs on the served DATA_DIR's embedded database; 1-min load ${loadAvg}`,
    );
  } finally {
    await sql.end({ timeout: 5 });
  }

  // 3. Conversations: sessions at once, each turn waiting for the previous one's answer.
  const total = s.sessions * s.sessionTurns;
  progress(`conversation load: ${s.sessions} sessions × ${s.sessionTurns} turns (${total} requests)`);
  loadAvg = load1();
  const agent = new http.Agent({ keepAlive: true, maxSockets: s.sessions });
  const latencies: number[] = [];
  let failed = 0;
  const started = performance.now();
  const tag = `${process.pid}-${Date.now()}`;
  try {
    await Promise.all(
      Array.from({ length: s.sessions }, async (_, i) => {
        const headers = { [SESSION_HEADER]: `bench-conv-${tag}-${i}` };
        for (let t = 0; t < s.sessionTurns; t++) {
          const prompt = o.turns[(i + t) % o.turns.length]!;
          const body = JSON.stringify({ prompt, actor_id: `bench-conv-${tag}-${i}` });
          const r = await post(agent, port, body, headers).catch(() => ({ status: 0, ms: 0 }));
          if (r.status === 200) latencies.push(r.ms);
          else failed++;
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - started) / 1000;
  const key = `http.ours.sessions_${s.sessions}x${s.sessionTurns}`;
  const note = `${s.sessions} sessions at once, ${s.sessionTurns} turns each in sequence (session header and actor per session, local planner, ${o.turns.length} prompts rotated); 1-min load ${loadAvg}`;
  figures[`${key}.latency`] = summarize(latencies, "ms", note);
  figures[`${key}.rps`] = single(round(latencies.length / seconds, 0), "req/s", latencies.length, note);
  if (failed > 0) notes.push(`conversation load: ${failed} of ${total} turns did not answer 200`);
  Object.assign(figures, await auditFigures(port));
  return { figures, notes };
}

interface AuditMetrics {
  rate: number;
  audited: number;
  matched: number;
  mismatched: Record<string, number>;
  skipped: number;
  failed: number;
}

/** The audit's counters from the served process's `/metrics`, over all it answered. */
async function auditFigures(port: number): Promise<Record<string, Figure>> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  const body = (await res.json()) as {
    responseCache?: { hits?: { exact: number; semantic: number }; audit?: AuditMetrics | null };
  };
  const audit = body.responseCache?.audit;
  if (!audit) return {};
  const hits = (body.responseCache?.hits?.exact ?? 0) + (body.responseCache?.hits?.semantic ?? 0);
  const mismatched = Object.values(audit.mismatched).reduce((a, b) => a + b, 0);
  const note = `over every load of the run: ${hits} hits served, ${audit.rate} sampled, ${audit.skipped} sampled while an audit ran (not recomputed), ${audit.failed} failed; mismatches by kind ${JSON.stringify(audit.mismatched)}`;
  return {
    "cache_audit.audited": single(audit.audited, "count", audit.audited, note),
    "cache_audit.mismatched": single(mismatched, "count", audit.audited, note),
    "cache_audit.mismatch_rate": single(
      audit.audited > 0 ? round(mismatched / audit.audited, 4) : 0,
      "ratio",
      audit.audited,
      note,
    ),
  };
}
