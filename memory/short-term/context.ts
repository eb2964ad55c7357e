/**
 * Context assembly for a turn: the profile, recent history, session state and workflow
 * checkpoint from Valkey in one pipelined round trip, in parallel with long-term recall from
 * Postgres, with the time each part took.
 *
 * Cluster mode: the profile is per actor (`{a:...}`) and history / state / checkpoint are per
 * session (`{s:...}`), so they hash to different slots, possibly on different nodes. iovalkey
 * sends a cluster pipeline only when every key is served by the same node (otherwise it rejects
 * it: "All keys in the pipeline should belong to the same slots allocation group"). With
 * `cluster: true` the two parts therefore go as two pipelines sent at the same time: two round
 * trips, to at most two nodes, overlapping, so the latency stays about one round trip.
 */
import type { RecalledMemory, RecallRequest } from "../long-term/memories.js";
import type { MemoryKind } from "../long-term/namespaces.js";
import { keys } from "../store/keys.js";
import type { Pipeline, ShortTermStore } from "../store/types.js";
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
  /** Valkey cluster mode: split the pipeline per slot (see the module comment). */
  cluster?: boolean;
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
  cluster: boolean,
): Promise<[unknown, unknown, unknown, unknown]> {
  assertId(scope.actorId, "actorId");
  const profileKey = keys.profile(scope.actorId);
  const k = sessionKeys(scope);
  const session = (p: Pipeline): Pipeline =>
    p
      .lrange(k.history, historyLimit > 0 ? -historyLimit : 1, historyLimit > 0 ? -1 : 0)
      .hgetall(k.state)
      .hgetall(k.checkpoint);
  if (!cluster) {
    const res = await session(store.pipeline().hgetall(profileKey)).exec();
    return [res[0], res[1], res[2], res[3]];
  }
  const [actorPart, sessionPart] = await Promise.all([
    store.pipeline().hgetall(profileKey).exec(),
    session(store.pipeline()).exec(),
  ]);
  return [actorPart[0], sessionPart[0], sessionPart[1], sessionPart[2]];
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

  const shortTerm = readShortTerm(store, scope, historyLimit, request.cluster ?? false).then((parts) => ({
    parts,
    elapsed: ms(started),
  }));

  const degraded: string[] = [];
  const query = request.query;
  const recall =
    longTerm && query
      ? longTerm
          .recall({
            actorId: scope.actorId,
            query,
            k: request.recallK ?? 5,
            ...(request.namespacePrefix === undefined ? {} : { namespacePrefix: request.namespacePrefix }),
            ...(request.minSimilarity === undefined ? {} : { minSimilarity: request.minSimilarity }),
            kinds: request.kinds ?? DEFAULT_KINDS,
            ...(request.signal ? { signal: request.signal } : {}),
          })
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
