/**
 * Consolidation: each candidate memory is compared with the actor's existing memories before it
 * is written — add (new), update (the same topic with a changed value; the old text moves to
 * `history`), or skip (already known, in these or other words) — so nothing is stored twice.
 * Session summaries are one row per session, merged under the same per-actor lock.
 */
import type { JsonValue } from "../../core/json.js";
import { redactJson, redactText } from "../../core/redact.js";
import { toVector } from "../db/vector.js";
import {
  insertMemory,
  type Memory,
  type RecalledMemory,
  reviseMemory,
  searchMemories,
  type Tx,
} from "../long-term/memories.js";
import { namespaceFor, namespaces } from "../long-term/namespaces.js";
import { toMemory } from "../long-term/rows.js";
import type { MemoryCandidate } from "./extract.js";

export type ConsolidationAction = "add" | "update" | "skip";

export interface ConsolidationResult {
  action: ConsolidationAction;
  /** The memory added, updated, or (skip) the one that already says it, if any. */
  memory: Memory | null;
  reason: "new" | "changed" | "same" | "similar";
}

export interface ConsolidationOptions {
  /** A memory at least this similar (cosine) already says the candidate: skip (default 0.92). */
  duplicateSimilarity?: number;
  /** Neighbours compared (default 5). */
  neighbours?: number;
  /** Exact search (when the server lacks iterative HNSW scans). */
  exact?: boolean;
}

const normalise = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9$]+/g, " ")
    .trim();

/** Serialises consolidation per actor (concurrent consumers, real Postgres); call first in the transaction. */
export async function lockActor(tx: Tx, actorId: string): Promise<void> {
  await tx`SELECT pg_advisory_xact_lock(hashtext(${`flightly.memory:${actorId}`}))`;
}

/**
 * Adds, updates or skips one candidate, inside `withActor(actorId, ..., { searchK })` after
 * `lockActor`. `embedding` is the candidate content's vector.
 */
export async function consolidate(
  tx: Tx,
  actorId: string,
  candidate: MemoryCandidate,
  embedding: Float32Array | readonly number[],
  eventId: string,
  options: ConsolidationOptions = {},
): Promise<ConsolidationResult> {
  const namespace = namespaceFor(actorId, candidate.kind);
  const [sameTopic] = await tx`
    SELECT id, actor_id, namespace, kind, content, history, metadata, source_event_id, created_at, updated_at
    FROM memories
    WHERE actor_id = ${actorId} AND namespace = ${namespace} AND metadata->>'topic' = ${candidate.topic}
    ORDER BY updated_at DESC, id DESC LIMIT 1`;
  if (sameTopic) {
    const current = toMemory(sameTopic as Parameters<typeof toMemory>[0]);
    if (normalise(current.content) === normalise(candidate.content)) {
      return { action: "skip", memory: current, reason: "same" };
    }
    const updated = await reviseMemory(tx, actorId, current.id, {
      content: candidate.content,
      embedding,
      eventId,
    });
    return { action: "update", memory: updated, reason: "changed" };
  }
  const neighbours: RecalledMemory[] = await searchMemories(tx, actorId, embedding, {
    k: options.neighbours ?? 5,
    prefix: namespace,
    ...(options.exact ? { exact: true } : {}),
  });
  const best = neighbours[0];
  if (best && best.similarity >= (options.duplicateSimilarity ?? 0.92)) {
    return { action: "skip", memory: best, reason: "similar" };
  }
  const metadata: Record<string, JsonValue> = { topic: candidate.topic };
  const memory = await insertMemory(tx, actorId, {
    namespace,
    kind: candidate.kind,
    content: candidate.content,
    embedding,
    metadata,
    sourceEventId: eventId,
  });
  return { action: "add", memory, reason: "new" };
}

// ---------------------------------------------------------------------------------------------
// session summaries

/** What a summary row remembers besides its text. */
export interface SummaryState {
  turns: number;
  startedAt: string;
  /** The customer's first message of the session, shortened. */
  firstRequest?: string;
  /** What was learned, by topic (a changed value replaces the old one). */
  topics: Record<string, string>;
  /** The model's running summary, when a model does extraction. */
  modelSummary?: string;
}

export interface SummaryUpdate {
  at: string;
  role: string;
  text: string;
  candidates: readonly MemoryCandidate[];
  modelSummary?: string;
}

const shorten = (s: string, n: number): string => {
  const flat = s.replace(/\s+/g, " ").trim();
  return flat.length <= n ? flat : `${flat.slice(0, n - 1).trimEnd()}…`;
};

export function parseSummaryState(metadata: unknown): SummaryState | null {
  if (!metadata || typeof metadata !== "object") return null;
  const m = metadata as Record<string, unknown>;
  if (typeof m.turns !== "number" || typeof m.started_at !== "string") return null;
  const topics = m.topics && typeof m.topics === "object" ? (m.topics as Record<string, string>) : {};
  return {
    turns: m.turns,
    startedAt: m.started_at,
    ...(typeof m.first_request === "string" ? { firstRequest: m.first_request } : {}),
    topics,
    ...(typeof m.model_summary === "string" ? { modelSummary: m.model_summary } : {}),
  };
}

/** The summary after one more turn. */
export function nextSummary(current: SummaryState | null, update: SummaryUpdate): SummaryState {
  const topics = { ...(current?.topics ?? {}) };
  for (const c of update.candidates) topics[c.topic] = c.content;
  const firstRequest =
    current?.firstRequest ?? (update.role === "user" ? shorten(update.text, 160) : undefined);
  const modelSummary = update.modelSummary ?? current?.modelSummary;
  return {
    turns: (current?.turns ?? 0) + 1,
    startedAt: current?.startedAt ?? update.at,
    ...(firstRequest === undefined ? {} : { firstRequest }),
    topics,
    ...(modelSummary === undefined ? {} : { modelSummary }),
  };
}

/** The summary's text: the model's words when there are any, else built from what was learned. */
export function renderSummary(state: SummaryState): string {
  if (state.modelSummary) return state.modelSummary;
  const learned = Object.values(state.topics);
  return [
    `Conversation of ${state.startedAt.slice(0, 10)}`,
    state.firstRequest ? `, opened with "${state.firstRequest}".` : ".",
    learned.length > 0 ? ` Learned: ${learned.join(" ")}` : "",
    ` ${state.turns} turn${state.turns === 1 ? "" : "s"}.`,
  ].join("");
}

function summaryMetadata(state: SummaryState): Record<string, JsonValue> {
  return {
    turns: state.turns,
    started_at: state.startedAt,
    topics: state.topics,
    ...(state.firstRequest === undefined ? {} : { first_request: state.firstRequest }),
    ...(state.modelSummary === undefined ? {} : { model_summary: state.modelSummary }),
  };
}

/** The session's summary state as stored now (inside `withActor`). */
export async function readSummaryState(
  tx: Tx,
  actorId: string,
  sessionId: string,
): Promise<SummaryState | null> {
  const [row] = await tx`
    SELECT metadata FROM memories
    WHERE actor_id = ${actorId} AND namespace = ${namespaces.summaries(actorId, sessionId)} AND kind = 'summary'`;
  return parseSummaryState(row?.metadata);
}

/**
 * Merges one turn into the session's summary row (inside `withActor`, after `lockActor`).
 * `embedding` was computed before the transaction from the expected text; if another turn of
 * the session landed meanwhile the text is re-rendered from the merged state.
 */
export async function upsertSessionSummary(
  tx: Tx,
  actorId: string,
  sessionId: string,
  update: SummaryUpdate,
  embedding: Float32Array | readonly number[],
  eventId: string,
): Promise<SummaryState> {
  const state = nextSummary(await readSummaryState(tx, actorId, sessionId), update);
  await tx`
    INSERT INTO memories (actor_id, namespace, kind, content, embedding, metadata, source_event_id)
    VALUES (${actorId}, ${namespaces.summaries(actorId, sessionId)}, 'summary', ${redactText(renderSummary(state))},
            ${toVector(embedding)}::vector, ${tx.json(redactJson(summaryMetadata(state)))}, ${eventId})
    ON CONFLICT (actor_id, namespace) WHERE kind = 'summary' DO UPDATE SET
      content = EXCLUDED.content, embedding = EXCLUDED.embedding, metadata = EXCLUDED.metadata,
      source_event_id = EXCLUDED.source_event_id, updated_at = now()`;
  return state;
}
