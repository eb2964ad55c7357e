/**
 * The audit of served answers: a sample of cache hits (`rate`) is recomputed in the background —
 * the turn's agents run again on the same request, with nothing served, stored or remembered —
 * and compared with what was served. An entry records the tool calls it was built from (canonical
 * input and a digest of the result); a hit whose fresh calls differ (another plan or other
 * inputs: a wrong match) or whose results differ (data that changed without an invalidation) is a
 * mismatch, and so is a different answer text when no tool ran. Mismatches are counted and logged
 * at warn, so the false-hit rate is measured, not assumed. Audits never delay the request: at
 * most `concurrency` run at once and further samples are skipped (and counted).
 */
import { createHash } from "node:crypto";
import type { Logger } from "../../core/logger.js";
import type { RecordedCall } from "../../memory/response-cache.js";
import { canonicalJson } from "../../tools/cache.js";
import type { ToolResult } from "../../tools/types.js";

/** A finished call as the audit reads it. */
interface FinishedCall {
  name: string;
  input: unknown;
  result: ToolResult;
}

const digest = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 32);

/** The calls an answer is built from, as an entry records them. */
export function recordCalls(calls: readonly FinishedCall[]): RecordedCall[] {
  return calls.map((c) => ({
    tool: c.name,
    input: canonicalJson(c.input ?? {}),
    result: digest(
      c.result.status === "success" ? canonicalJson(c.result.json) : `error\u0000${c.result.error}`,
    ),
  }));
}

/** What was served (the entry's answer and calls) or what the recomputation produced. */
export interface AuditedAnswer {
  response: string;
  calls?: readonly RecordedCall[] | undefined;
}

export type AuditVerdict = "match" | "calls" | "results" | "answer";

const order = (calls: readonly RecordedCall[]): RecordedCall[] =>
  [...calls].sort((a, b) => `${a.tool}\u0000${a.input}`.localeCompare(`${b.tool}\u0000${b.input}`));

/**
 * Compares a served answer with its recomputation: the same tools with the same canonical inputs
 * (in any order), then the same results; with no tool on either side, the same answer text.
 */
export function compareAnswers(served: AuditedAnswer, fresh: AuditedAnswer): AuditVerdict {
  const a = order(served.calls ?? []);
  const b = order(fresh.calls ?? []);
  if (a.length === 0 && b.length === 0) return served.response === fresh.response ? "match" : "answer";
  if (a.length !== b.length || a.some((c, i) => c.tool !== b[i]!.tool || c.input !== b[i]!.input)) {
    return "calls";
  }
  return a.some((c, i) => c.result !== b[i]!.result) ? "results" : "match";
}

export interface AuditStats {
  rate: number;
  /** Hits sampled and recomputed to the end. */
  audited: number;
  matched: number;
  mismatched: { calls: number; results: number; answer: number };
  /** Sampled while the audits already running were at the limit. */
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
  random?: () => number;
}

export class CacheAudit {
  readonly #o: CacheAuditOptions;
  readonly #running = new Set<Promise<void>>();
  readonly #stats: AuditStats;

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
    if (this.#running.size >= (this.#o.concurrency ?? 1)) {
      this.#stats.skipped++;
      return;
    }
    const run = this.#audit(req, served).finally(() => this.#running.delete(run));
    this.#running.add(run);
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
