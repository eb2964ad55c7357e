/**
 * Context assembly for a turn: the profile, recent history, session state and workflow
 * checkpoint from Valkey in one pipelined round trip, in parallel with long-term recall from
 * Postgres, with the time each part took.
 *
 * On a cluster the profile (`{a:...}`) and the session's keys (`{s:...}`) hash to different
 * slots; the store sends the pipeline as one part per slot at the same time, so the latency
 * stays about one round trip.
 */
import type { RecalledMemory, RecallRequest } from "../long-term/memories.js";
import type { MemoryKind } from "../long-term/namespaces.js";
import { keys } from "../store/keys.js";
import type { ShortTermStore } from "../store/types.js";
import { type Checkpoint, parseCheckpoint } from "./checkpoints.js";
import { type HistoryMessage, parseHistory } from "./history.js";
import { type CustomerProfile, decodeProfile } from "./profile.js";
import { assertId, type SessionScope, sessionKeys } from "./session.js";

/** The part of long-term memory context assembly needs (`LongTermMemory` implements it). */
export interface Recaller {
  recall(request: RecallRequest): Promise<RecalledMemory[]>;
}

export interface ContextRequest {
  scope: SessionScope;
  /** What to recall long-term memories for (usually the new user message); none when absent. */
  query?: string;
  /** Newest history messages to return (default 20). */
  historyLimit?: number;
  /** Long-term memories to return (default 5). */
  recallK?: number;
  namespacePrefix?: string;
  minSimilarity?: number;
  /** Kinds of memory to recall (default preferences, facts and session summaries; not raw episodes). */
  kinds?: readonly MemoryKind[];
  signal?: AbortSignal;
}

export interface ContextTimings {
  /** The Valkey part: profile, history, state and checkpoint. */
  shortTermMs: number;
  /** Long-term recall (embedding the query and the pgvector search); 0 without a query. */
  recallMs: number;
  totalMs: number;
}

export interface AssembledContext {
  profile: CustomerProfile;
  history: HistoryMessage[];
  state: Record<string, string>;
  checkpoint: Checkpoint | null;
  memories: RecalledMemory[];
  /** Parts that could not be read (e.g. `recall`); the rest of the context is still usable. */
  degraded: string[];
  timings: ContextTimings;
}

const DEFAULT_KINDS: readonly MemoryKind[] = ["preference", "fact", "summary"];

const ms = (start: number): number => Math.round((performance.now() - start) * 1000) / 1000;

async function readShortTerm(
  store: ShortTermStore,
  scope: SessionScope,
  historyLimit: number,
): Promise<[unknown, unknown, unknown, unknown, unknown]> {
  assertId(scope.actorId, "actorId");
  const k = sessionKeys(scope);
  const res = await store
    .pipeline()
    .hgetall(keys.profile(scope.actorId))
    .lrange(k.history, historyLimit > 0 ? -historyLimit : 1, historyLimit > 0 ? -1 : 0)
    .hgetall(k.state)
    .hgetall(k.checkpoint)
    .get(keys.memoryGeneration(scope.actorId))
    .exec();
  return [res[0], res[1], res[2], res[3], res[4]];
}

/**
 * Everything an agent needs about the caller for this turn. Short-term reads fail loudly (they
 * are the conversation itself); a failed recall leaves `memories` empty and is named in `degraded`.
 */
export async function assembleContext(
  store: ShortTermStore,
  longTerm: Recaller | undefined,
  request: ContextRequest,
): Promise<AssembledContext> {
  const started = performance.now();
  const { scope } = request;
  const historyLimit = Math.max(0, request.historyLimit ?? 20);

  const shortTerm = readShortTerm(store, scope, historyLimit).then((parts) => ({
    parts,
    elapsed: ms(started),
  }));

  const degraded: string[] = [];
  const query = request.query;
  // The recall carries the memory generation read with the session (see long-term/recall-cache.ts).
  const recall =
    longTerm && query
      ? shortTerm
          .then(({ parts }) => (typeof parts[4] === "string" ? parts[4] : ""))
          .then((generation) =>
            longTerm.recall({
              generation,
              actorId: scope.actorId,
              query,
              k: request.recallK ?? 5,
              ...(request.namespacePrefix === undefined ? {} : { namespacePrefix: request.namespacePrefix }),
              ...(request.minSimilarity === undefined ? {} : { minSimilarity: request.minSimilarity }),
              kinds: request.kinds ?? DEFAULT_KINDS,
              ...(request.signal ? { signal: request.signal } : {}),
            }),
          )
          .catch((): RecalledMemory[] => {
            degraded.push("recall");
            return [];
          })
          .then((memories) => ({ memories, elapsed: ms(started) }))
      : Promise.resolve({ memories: [] as RecalledMemory[], elapsed: 0 });

  const [st, lt] = await Promise.all([shortTerm, recall]);
  const [profile, history, state, checkpoint] = st.parts;
  for (const part of st.parts) if (part instanceof Error) throw part;
  return {
    profile: decodeProfile((profile ?? {}) as Record<string, string>),
    history: parseHistory(history),
    state: (state ?? {}) as Record<string, string>,
    checkpoint: parseCheckpoint(checkpoint),
    memories: lt.memories,
    degraded,
    timings: { shortTermMs: st.elapsed, recallMs: lt.elapsed, totalMs: ms(started) },
  };
}
