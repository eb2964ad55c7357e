/** Rows of `memories` as the statements of `memories.ts` select them, and their decoding. */
import type { JsonValue } from "../../core/json.js";
import type { MemoryKind } from "./namespaces.js";

export interface MemoryRevision {
  content: string;
  replacedAt: string;
  eventId?: string;
}

export interface Memory {
  id: string;
  actorId: string;
  namespace: string;
  kind: MemoryKind;
  content: string;
  /** Earlier contents, oldest first, when consolidation updated this memory. */
  history: MemoryRevision[];
  metadata: Record<string, JsonValue>;
  sourceEventId: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface RecalledMemory extends Memory {
  /** Cosine similarity to the query, -1..1. */
  similarity: number;
}

export interface Row {
  id: string;
  actor_id: string;
  namespace: string;
  kind: MemoryKind;
  content: string;
  history: Array<{ content: string; replaced_at: string; event_id?: string | null }>;
  metadata: Record<string, JsonValue>;
  source_event_id: string | null;
  created_at: Date;
  updated_at: Date;
  distance?: number;
}

export const COLUMNS =
  "id, actor_id, namespace, kind, content, history, metadata, source_event_id, created_at, updated_at";

const iso = (d: Date | string): string => (d instanceof Date ? d.toISOString() : String(d));

export function toMemory(row: Row): Memory {
  return {
    id: String(row.id),
    actorId: row.actor_id,
    namespace: row.namespace,
    kind: row.kind,
    content: row.content,
    history: (row.history ?? []).map((h) => ({
      content: h.content,
      replacedAt: iso(h.replaced_at),
      ...(h.event_id ? { eventId: h.event_id } : {}),
    })),
    metadata: row.metadata ?? {},
    sourceEventId: row.source_event_id,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  };
}

export const toRecalled = (row: Row): RecalledMemory => ({
  ...toMemory(row),
  similarity: 1 - Number(row.distance),
});
