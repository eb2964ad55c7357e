/** The tiering worker's options and counters. */
import type { Logger } from "../../core/logger.js";
import type { ModelProvider } from "../../core/model.js";
import type { LongTermMemory } from "../long-term/memories.js";
import type { ShortTermStore } from "../store/types.js";

export interface WorkerOptions {
  store: ShortTermStore;
  memory: LongTermMemory;
  /** Extraction through this model (Bedrock / OpenAI); the local rules when absent. */
  model?: ModelProvider;
  logger?: Logger;
  /** Stream key (default `keys.events()`). */
  stream?: string;
  /** Dead-letter stream key (default `keys.deadLetters()`). */
  deadLetterStream?: string;
  /** Consumer group (default `flightly-tiering`). */
  group?: string;
  /** This consumer's name (default host-pid-random). */
  consumer?: string;
  /** Entries per read (default 16). */
  batchSize?: number;
  /** How long a read waits for new entries, milliseconds (default 1,000; also bounds `stop()`). */
  blockMs?: number;
  /** Pending entries idle this long are claimed from their consumer, milliseconds (default 30,000). */
  claimIdleMs?: number;
  /** Deliveries after which a failing event is dead-lettered (default 5). */
  maxDeliveries?: number;
  /** Deadline of one model extraction call, milliseconds (default 20,000). */
  modelTimeoutMs?: number;
  /** Profile hash TTL, milliseconds (default `DEFAULT_PROFILE_TTL_S`). */
  profileTtlMs?: number;
  /** Cosine similarity at which a candidate counts as already known (default 0.92). */
  duplicateSimilarity?: number;
  /** Told of an actor whose profile changed (what was cached for them goes); failures are logged. */
  onProfileChange?: (actorId: string) => Promise<void>;
}

export interface WorkerStats {
  /** Events whose memories were written. */
  processed: number;
  /** Events already processed before (replays, redeliveries). */
  duplicates: number;
  /** Failed attempts (the event stays pending and is retried). */
  failures: number;
  deadLettered: number;
  added: number;
  updated: number;
  skipped: number;
}
