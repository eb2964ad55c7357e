/**
 * Episodic memory: every turn of a conversation is stored by the tiering worker as an `episode`
 * memory in `/actors/{actor}/episodes/{session}` (one row per event, idempotent on the event id),
 * so past turns stay in long-term storage after Valkey has forgotten them.
 */
import type { JsonValue } from "../../core/json.js";
import { redactText } from "../../core/redact.js";
import { toVector } from "../db/vector.js";
import type { Tx } from "./memories.js";
import { namespaces } from "./namespaces.js";

export interface EpisodeTurn {
  eventId: string;
  role: string;
  text: string;
  /** ISO timestamp of the turn. */
  at: string;
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
    VALUES (${actorId}, ${namespaces.episodes(actorId, sessionId)}, 'episode', ${redactText(turn.text)},
            ${toVector(embedding)}::vector, ${tx.json(metadata)}, ${turn.eventId})
    ON CONFLICT (actor_id, source_event_id) WHERE kind = 'episode' DO NOTHING
    RETURNING id`;
  return rows.length > 0;
}
