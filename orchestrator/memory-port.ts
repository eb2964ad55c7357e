/**
 * What the orchestrator needs from memory, in one small interface: assemble a turn's context,
 * record the turn, keep session state and the workflow checkpoint (compare-and-set).
 */
import type { MemoryFacts } from "../language/index.js";
import type { WorkflowState } from "./workflow-state.js";

export interface HistoryEntry {
  role: "user" | "assistant";
  text: string;
  agent?: string;
  at: string;
}

export interface CustomerView {
  id: string;
  name: string;
  email: string;
  profile: Record<string, unknown>;
}

export interface TurnContext {
  customer: CustomerView | null;
  history: HistoryEntry[];
  state: Record<string, string>;
  checkpoint: { version: number; workflow: WorkflowState | null };
  memories: { kind: string; content: string }[];
  timings: { shortTermMs: number; recallMs: number; totalMs: number };
}

/** A conversation: every per-session key is derived from both, so actors never share sessions. */
export interface Scope {
  actorId: string;
  sessionId: string;
}

export interface MemoryPort {
  assemble(scope: Scope, query: string): Promise<TurnContext>;
  /**
   * Appends to the session history and emits the turn's events for the tiering worker. The write
   * is issued before the call returns (for an actor looked up this turn), so a command sent to
   * the store after it (the session's release) reaches the store after it.
   */
  recordTurn(scope: Scope, entries: HistoryEntry[]): Promise<void>;
  setState(scope: Scope, fields: Record<string, string>): Promise<void>;
  /**
   * Compare-and-set; throws CheckpointConflictError when `expectedVersion` is stale. Returns the
   * new version. `state` fields are written with it (in the same step, only when it succeeds).
   */
  writeWorkflow(
    scope: Scope,
    expectedVersion: number,
    workflow: WorkflowState,
    state?: Record<string, string>,
  ): Promise<number>;
  /**
   * What a reference to a place may point at in the customer's long-term memory (bookings, facts,
   * session summaries), read in one query; nothing for a guest.
   */
  remembered(actorId: string): Promise<MemoryFacts>;
  recall(
    actorId: string,
    query: string,
    k: number,
  ): Promise<{ kind: string; content: string; similarity: number }[]>;
}

/**
 * Releases a session. `firstTry`: the session was free when the request for it reached the
 * store, so what was read from the store in the same write, after the request, is current.
 */
export type SessionRelease = (() => Promise<void>) & { readonly firstTry?: boolean };

/**
 * One invocation at a time per conversation. `enter` waits up to `waitMs` for the session, then
 * throws `CONFLICT`; the returned function releases it. A holder that dies frees it on its own.
 * The request for the session is issued before `enter` returns its promise.
 */
export interface SessionGate {
  enter(scope: Scope, o: { holdMs: number; waitMs: number }): Promise<SessionRelease>;
}
