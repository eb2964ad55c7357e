/**
 * One turn event tiered into long-term memory: stored as an episode, its preferences and facts
 * extracted and consolidated, the session summary and the customer's profile hash kept current.
 * Idempotent on the event id (`memory_events`, written in the same transaction as the memories).
 */
import { FlightlyError } from "../../core/errors.js";
import { insertEpisodeTurn } from "../long-term/episodes.js";
import { touchMemories } from "../long-term/recall-cache.js";
import { getProfile, updateProfile } from "../short-term/profile.js";
import {
  type ConsolidationResult,
  consolidate,
  lockActor,
  nextSummary,
  readSummaryState,
  renderSummary,
  upsertSessionSummary,
} from "./consolidate.js";
import { errorText } from "./delivery.js";
import type { TurnEvent } from "./events.js";
import { type Extraction, extractWithModel, extractWithRules } from "./extract.js";
import type { WorkerOptions, WorkerStats } from "./options.js";

async function extract(
  o: WorkerOptions,
  event: TurnEvent,
  previousSummary: string | undefined,
): Promise<Extraction> {
  if (event.role !== "user") return { candidates: [], profile: {} };
  const { model } = o;
  if (!model) return extractWithRules(event.text, new Date(event.at));
  return extractWithModel(model, event.text, {
    ...(previousSummary === undefined ? {} : { previousSummary }),
    deadline: Date.now() + (o.modelTimeoutMs ?? 20_000),
  });
}

export async function tierEvent(
  o: WorkerOptions,
  event: TurnEvent,
  streamId: string,
  stats: Pick<WorkerStats, "added" | "updated" | "skipped">,
): Promise<"processed" | "duplicate"> {
  const { memory, store, logger } = o;
  const { actorId, sessionId, eventId } = event;

  // Cheap pre-check so a replay costs no extraction (model call) and no embedding.
  const prior = await memory.withActor(actorId, async (tx) => {
    const [seen] = await tx`SELECT 1 FROM memory_events WHERE event_id = ${eventId}`;
    return seen ? null : { summary: await readSummaryState(tx, actorId, sessionId) };
  });
  if (prior === null) return "duplicate";

  const extraction = await extract(o, event, prior.summary ? renderSummary(prior.summary) : undefined);
  const summaryUpdate = {
    at: event.at,
    role: event.role,
    text: event.text,
    candidates: extraction.candidates,
    ...(extraction.summary === undefined ? {} : { modelSummary: extraction.summary }),
  };
  const expectedSummary = renderSummary(nextSummary(prior.summary, summaryUpdate));
  const vectors = await memory.embedder.embed([
    event.text || "(empty)",
    expectedSummary,
    ...extraction.candidates.map((c) => c.content),
  ]);
  const [turnVector, summaryVector] = vectors;
  if (!turnVector || !summaryVector || vectors.length !== extraction.candidates.length + 2) {
    throw new FlightlyError("INTERNAL", "embedder returned the wrong number of vectors");
  }
  const exact = !(await memory.supportsIterativeScan());

  const results = await memory.withActor(
    actorId,
    async (tx) => {
      await lockActor(tx, actorId);
      const claimed = await tx`
        INSERT INTO memory_events (event_id, actor_id, session_id) VALUES (${eventId}, ${actorId}, ${sessionId})
        ON CONFLICT (event_id) DO NOTHING RETURNING event_id`;
      if (claimed.length === 0) return null;
      await insertEpisodeTurn(
        tx,
        actorId,
        sessionId,
        { eventId, role: event.role, text: event.text, at: event.at, streamId },
        turnVector,
      );
      const out: ConsolidationResult[] = [];
      for (const [i, candidate] of extraction.candidates.entries()) {
        out.push(
          await consolidate(tx, actorId, candidate, vectors[i + 2]!, eventId, {
            exact,
            ...(o.duplicateSimilarity === undefined ? {} : { duplicateSimilarity: o.duplicateSimilarity }),
          }),
        );
      }
      await upsertSessionSummary(tx, actorId, sessionId, summaryUpdate, summaryVector, eventId);
      return out;
    },
    { searchK: 5 },
  );
  if (results === null) return "duplicate";
  // Recall caches in every process read the actor's memories again.
  await touchMemories(store, actorId).catch((err) =>
    logger?.warn({ err: errorText(err) }, "could not mark the actor's memories as changed"),
  );
  for (const r of results) {
    if (r.action === "add") stats.added++;
    else if (r.action === "update") stats.updated++;
    else stats.skipped++;
  }

  if (Object.keys(extraction.profile).length > 0) {
    try {
      const before = await getProfile(store, actorId);
      const after = await updateProfile(store, actorId, extraction.profile, {
        ...(o.profileTtlMs === undefined ? {} : { ttlMs: o.profileTtlMs }),
      });
      if (sortedJson(before) !== sortedJson(after)) {
        await o
          .onProfileChange?.(actorId)
          .catch((err) =>
            logger?.warn({ err: errorText(err) }, "could not drop what was cached for a changed profile"),
          );
      }
    } catch (err) {
      // The memories are committed; the profile is a cache of them and the next turn refreshes it.
      logger?.warn({ err: errorText(err) }, "profile update failed after tiering an event");
    }
  }
  return "processed";
}

/** A profile as JSON with its fields in one order (for comparing two). */
const sortedJson = (o: object): string =>
  JSON.stringify(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
