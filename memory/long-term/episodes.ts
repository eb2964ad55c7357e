/**
 * Episodic memory: every turn of a conversation is stored by the tiering worker as an `episode`
 * memory in `/actors/{actor}/episodes/{session}` (one row per event, idempotent on the event id),
 * so a past conversation can be rebuilt from long-term storage after Valkey has forgotten it.
 */
import type { JsonValue } from "../../core/json.js";
import { toVector } from "../db/vector.js";
import { type LongTermMemory, type Memory, type Tx, toMemory } from "./memories.js";
import { namespaces, sessionOfNamespace } from "./namespaces.js";

export interface EpisodeTurn {
  eventId: string;
  role: string;
  text: string;
  /** ISO timestamp of the turn. */
  at: string;
}

export interface Episode {
  sessionId: string;
  turns: EpisodeTurn[];
  /** The session summary, when the worker has written one. */
  summary?: string;
  startedAt: string;
  endedAt: string;
}

export interface EpisodeListing {
  sessionId: string;
  turns: number;
  startedAt: string;
  endedAt: string;
}

/**
 * Stores one turn (inside `withActor`); a second call with the same event id is a no-op.
 * Returns false when the turn was already stored.
 */
export async function insertEpisodeTurn(
  tx: Tx,
  actorId: string,
  sessionId: string,
  turn: EpisodeTurn & { streamId?: string },
  embedding: Float32Array | readonly number[],
): Promise<boolean> {
  const metadata: Record<string, JsonValue> = { role: turn.role, at: turn.at };
  if (turn.streamId) metadata.stream_id = turn.streamId;
  const rows = await tx`
    INSERT INTO memories (actor_id, namespace, kind, content, embedding, metadata, source_event_id)
    VALUES (${actorId}, ${namespaces.episodes(actorId, sessionId)}, 'episode', ${turn.text},
            ${toVector(embedding)}::vector, ${tx.json(metadata)}, ${turn.eventId})
    ON CONFLICT (actor_id, source_event_id) WHERE kind = 'episode' DO NOTHING
    RETURNING id`;
  return rows.length > 0;
}

/** Stream ids (`<ms>-<seq>`) in numeric order; ties broken by the turn time. */
const streamOrder = (m: Memory): [number, number] => {
  const [ms = Number.NaN, seq = 0] = String(m.metadata.stream_id ?? "")
    .split("-")
    .map(Number);
  return [Number.isFinite(ms) ? ms : Date.parse(String(m.metadata.at ?? m.createdAt)), seq];
};

function toTurn(m: Memory): EpisodeTurn {
  return {
    eventId: m.sourceEventId ?? m.id,
    role: String(m.metadata.role ?? "user"),
    text: m.content,
    at: String(m.metadata.at ?? m.createdAt),
  };
}

/** Rebuilds one past conversation of `actorId`, in order; null when nothing was stored. */
export async function getEpisode(
  memory: LongTermMemory,
  actorId: string,
  sessionId: string,
): Promise<Episode | null> {
  const episodeNs = namespaces.episodes(actorId, sessionId);
  const summaryNs = namespaces.summaries(actorId, sessionId);
  const rows = await memory.withActor(actorId, async (tx) =>
    (
      await tx`
        SELECT id, actor_id, namespace, kind, content, history, metadata, source_event_id, created_at, updated_at
        FROM memories
        WHERE actor_id = ${actorId} AND namespace IN (${episodeNs}, ${summaryNs})`
    ).map((r) => toMemory(r as Parameters<typeof toMemory>[0])),
  );
  const turns = rows
    .filter((m) => m.kind === "episode")
    .sort((a, b) => {
      const [am, as] = streamOrder(a);
      const [bm, bs] = streamOrder(b);
      return am - bm || as - bs || Number(a.id) - Number(b.id);
    })
    .map(toTurn);
  const first = turns[0];
  const last = turns[turns.length - 1];
  if (!first || !last) return null;
  const summary = rows.find((m) => m.kind === "summary")?.content;
  return { sessionId, turns, ...(summary ? { summary } : {}), startedAt: first.at, endedAt: last.at };
}

/** The actor's stored conversations, most recent first. */
export async function listEpisodes(
  memory: LongTermMemory,
  actorId: string,
  options: { limit?: number } = {},
): Promise<EpisodeListing[]> {
  const limit = Math.min(Math.max(1, options.limit ?? 20), 1000);
  const rows = await memory.withActor(
    actorId,
    (tx) => tx<{ namespace: string; turns: number; started: string; ended: string }[]>`
      SELECT namespace, count(*)::int AS turns, min(metadata->>'at') AS started, max(metadata->>'at') AS ended
      FROM memories WHERE actor_id = ${actorId} AND kind = 'episode'
      GROUP BY namespace ORDER BY ended DESC LIMIT ${limit}`,
  );
  return rows.flatMap((r) => {
    const sessionId = sessionOfNamespace(r.namespace);
    return sessionId === undefined
      ? []
      : [{ sessionId, turns: r.turns, startedAt: r.started, endedAt: r.ended }];
  });
}

/**
 * The past conversations of `actorId` most related to `query` (by their turns and summaries),
 * rebuilt in full, best first.
 */
export async function recallEpisodes(
  memory: LongTermMemory,
  request: { actorId: string; query: string; k?: number; excludeSessionId?: string },
): Promise<Episode[]> {
  const k = Math.min(Math.max(1, request.k ?? 3), 20);
  const hits = await memory.recall({
    actorId: request.actorId,
    query: request.query,
    k: Math.min(100, k * 10),
    kinds: ["episode", "summary"],
  });
  const sessions: string[] = [];
  for (const hit of hits) {
    const session = sessionOfNamespace(hit.namespace);
    if (session === undefined || session === request.excludeSessionId || sessions.includes(session)) continue;
    sessions.push(session);
    if (sessions.length === k) break;
  }
  const episodes = await Promise.all(sessions.map((s) => getEpisode(memory, request.actorId, s)));
  return episodes.filter((e): e is Episode => e !== null);
}
