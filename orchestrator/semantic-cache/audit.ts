/**
 * The audit of served answers: a sample of cache hits (`rate`) is recomputed in the background —
 * the turn's agents run again on the same request, with nothing served, stored or remembered —
 * and compared with what was served. An entry records the tool calls it was built from (canonical
 * input and a digest of the result); a hit whose fresh calls differ (another plan or other
 * inputs: a wrong match) or whose results differ (data that changed without an invalidation) is a
 * mismatch, and so is a different answer text when no tool ran. A search in the asker's own words
 * (a semantic hit's paraphrase searches with other words) is judged by what it found (the tool's
 * `freeText.found`: its best document): the same found for other words is a match, another a wrong
 * match. Mismatches are counted and logged
 * at warn, so the false-hit rate is measured, not assumed. Audits never delay the request: at
 * most `concurrency` run at once and at most `maxPerS` start per second (a recomputation costs a
 * whole turn, and a busy process samples many hits); further samples are skipped (and counted).
 */
import { createHash } from "node:crypto";
import type { Logger } from "../../core/logger.js";
import type { RecordedCall } from "../../memory/response-cache.js";
import { canonicalJson } from "../../tools/cache.js";
import type { ToolResult } from "../../tools/types.js";
import { toolMeta } from "../tool-catalog.js";

/** A finished call as the audit reads it. */
interface FinishedCall {
  name: string;
  input: unknown;
  result: ToolResult;
}

const digest = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 32);

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v);

/** The calls an answer is built from, as an entry records them. */
export function recordCalls(calls: readonly FinishedCall[]): RecordedCall[] {
  return calls.map((c) => {
    const failed = `error\u0000${c.result.status === "error" ? c.result.error : ""}`;
    const call: RecordedCall = {
      tool: c.name,
      input: canonicalJson(c.input ?? {}),
      result: digest(c.result.status === "success" ? canonicalJson(c.result.json) : failed),
    };
    const free = toolMeta(c.name).freeText;
    if (!free || !isObject(c.input)) return call;
    const rest = Object.fromEntries(Object.entries(c.input).filter(([k]) => !free.fields.includes(k)));
    const json = c.result.status === "success" ? c.result.json : undefined;
    let found = failed;
    if (isObject(json)) {
      const what = free.found(json);
      // What was found, as a set: other words may rank the same documents otherwise.
      found = canonicalJson(Array.isArray(what) ? what.map((x) => canonicalJson(x)).sort() : what);
    }
    return { ...call, meaning: { input: canonicalJson(rest), found: digest(found) } };
  });
}

/** What was served (the entry's answer and calls) or what the recomputation produced. */
export interface AuditedAnswer {
  response: string;
  calls?: readonly RecordedCall[] | undefined;
}

export type AuditVerdict = "match" | "calls" | "results" | "answer";

/** A call's place in the comparison: a search in the asker's words by its other inputs and what it found. */
const sortKey = (c: RecordedCall): string =>
  c.meaning ? `${c.tool}\u0000${c.meaning.input}\u0000${c.meaning.found}` : `${c.tool}\u0000${c.input}`;
const order = (calls: readonly RecordedCall[]): RecordedCall[] =>
  [...calls].sort((a, b) => sortKey(a).localeCompare(sortKey(b)));

/**
 * How a served call and a fresh one compare: `same` inputs (then the results decide), the `same
 * finding` of a search asked in other words, or `other` (another tool, other inputs, a search that
 * found other documents).
 */
function pair(a: RecordedCall, b: RecordedCall): "same" | "same finding" | "other" {
  if (a.tool !== b.tool) return "other";
  if (a.input === b.input) return "same";
  return a.meaning && b.meaning && a.meaning.input === b.meaning.input && a.meaning.found === b.meaning.found
    ? "same finding"
    : "other";
}

/**
 * Compares a served answer with its recomputation: the same tools with the same canonical inputs
 * (in any order), then the same results; a search in the asker's words by its other inputs and
 * what it found; with no tool on either side, the same answer text.
 */
export function compareAnswers(served: AuditedAnswer, fresh: AuditedAnswer): AuditVerdict {
  const a = order(served.calls ?? []);
  const b = order(fresh.calls ?? []);
  if (a.length === 0 && b.length === 0) return served.response === fresh.response ? "match" : "answer";
  if (a.length !== b.length) return "calls";
  const pairs = a.map((c, i) => pair(c, b[i]!));
  if (pairs.includes("other")) return "calls";
  return a.some((c, i) => pairs[i] === "same" && c.result !== b[i]!.result) ? "results" : "match";
}

export interface AuditStats {
  rate: number;
  /** Hits sampled and recomputed to the end. */
  audited: number;
  matched: number;
  mismatched: { calls: number; results: number; answer: number };
  /** Sampled while the audits running, or those started this second, were at their limit. */
  skipped: number;
  /** Recomputations that failed (not counted as audited). */
  failed: number;
}

/** The request to recompute, as the hit's turn received it. */
export interface AuditRequest {
  prompt: string;
  sessionId: string;
  actorId: string;
}

export interface CacheAuditOptions {
  /** Share of hits audited, 0..1. */
  rate: number;
  /** Runs the turn's agents again without serving, storing or remembering anything. */
  recompute: (req: AuditRequest) => Promise<AuditedAnswer>;
  logger: Logger;
  /** Audits at once (default 1). */
  concurrency?: number;
  /** Audits started per second at most (default: no limit). */
  maxPerS?: number;
  random?: () => number;
}

export class CacheAudit {
  readonly #o: CacheAuditOptions;
  readonly #running = new Set<Promise<void>>();
  readonly #stats: AuditStats;
  /** Audits started in the current one-second window, and when it began (ms). */
  #started = 0;
  #window = 0;

  constructor(o: CacheAuditOptions) {
    this.#o = o;
    this.#stats = {
      rate: o.rate,
      audited: 0,
      matched: 0,
      mismatched: { calls: 0, results: 0, answer: 0 },
      skipped: 0,
      failed: 0,
    };
  }

  /** Samples a hit: when drawn, its recomputation starts in the background. Never throws. */
  sample(req: AuditRequest, served: AuditedAnswer & { kind: string; entry?: string | undefined }): void {
    if (this.#o.rate <= 0 || (this.#o.random ?? Math.random)() >= this.#o.rate) return;
    if (this.#running.size >= (this.#o.concurrency ?? 1) || !this.#withinPerSecond()) {
      this.#stats.skipped++;
      return;
    }
    const run = this.#audit(req, served).finally(() => this.#running.delete(run));
    this.#running.add(run);
  }

  /** Counts a start in this second's window; false when the window is full. */
  #withinPerSecond(): boolean {
    const max = this.#o.maxPerS;
    if (max === undefined) return true;
    const now = performance.now();
    if (now - this.#window >= 1_000) {
      this.#window = now;
      this.#started = 0;
    }
    if (this.#started >= max) return false;
    this.#started++;
    return true;
  }

  async #audit(req: AuditRequest, served: AuditedAnswer & { kind: string; entry?: string | undefined }) {
    let fresh: AuditedAnswer;
    try {
      // Off the request's path: the served turn has returned before this starts.
      await new Promise((r) => setImmediate(r));
      fresh = await this.#o.recompute(req);
    } catch (err) {
      this.#stats.failed++;
      this.#o.logger.debug({ err }, "cache audit: recomputation failed");
      return;
    }
    this.#stats.audited++;
    const verdict = compareAnswers(served, fresh);
    if (verdict === "match") {
      this.#stats.matched++;
      return;
    }
    this.#stats.mismatched[verdict]++;
    this.#o.logger.warn(
      {
        mismatch: verdict,
        kind: served.kind,
        entry: served.entry,
        served: served.calls?.map((c) => c.tool) ?? [],
        fresh: fresh.calls?.map((c) => c.tool) ?? [],
      },
      "cache audit: a served answer differs from its recomputation",
    );
  }

  /** Resolves when every audit started so far has finished. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }

  stats(): AuditStats {
    return { ...this.#stats, mismatched: { ...this.#stats.mismatched } };
  }
}
