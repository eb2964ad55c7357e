/**
 * The turn outbox: a finished turn's history messages and its memory events (the stream the
 * tiering worker consumes) are written when the turn ends, or, while the store is unreachable
 * (`UNAVAILABLE`: down, failing over), kept in this process and re-sent with backoff until the
 * store has them, so a turn that was answered is never lost from history or long-term memory.
 *
 * Turns of one session are written in order: while a session has turns waiting, its new turns
 * queue behind them. Each event keeps its event id across attempts, and the worker processes an
 * event id once, so a re-send whose first attempt did land adds nothing to memory; a history
 * re-send first reads the history and appends only what is not there.
 *
 * On a cluster a write counts once a replica holds it (WAIT). One the master acknowledged but no
 * replica confirmed in time is checked again a few times: after a failover that lost it, the check
 * finds it missing on the new master and writes it again. The outbox lives in memory: `flush()` at
 * shutdown gives waiting turns a last chance.
 */
import { randomUUID } from "node:crypto";
import { FlightlyError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import { redactText } from "../../core/redact.js";
import { type HistoryMessage, queueHistory, readHistory } from "../short-term/history.js";
import { historyKey, type SessionScope, throwFirstError } from "../short-term/session.js";
import { keys } from "../store/keys.js";
import type { ShortTermStore } from "../store/types.js";
import { appendTurnEvent, EVENTS_MAX_LEN, type TurnRole, turnEventFields } from "./events.js";

export interface OutboxTurn {
  scope: SessionScope;
  messages: HistoryMessage[];
  /** Whether the turn also feeds long-term memory (customers only). */
  events: boolean;
  ttlMs: number;
}

type PendingEvent = { eventId: string; role: TurnRole; text: string; at: string };

interface Pending {
  turn: OutboxTurn;
  historyDone: boolean;
  /** Whether a history append was sent before (it may have landed): the re-send reads first. */
  historySent: boolean;
  /** Events not yet in the stream, with the ids they keep across attempts. */
  events: PendingEvent[];
  /** Events written but not yet confirmed on a replica. */
  unconfirmed: PendingEvent[];
  /** Checks left, per key, for writes no replica confirmed in time. */
  checks: Map<string, number>;
}

export interface OutboxOptions {
  store: ShortTermStore;
  logger?: Logger;
  /** First pause before a re-send, ms (default 200; doubles up to `maxRetryMs`). */
  retryMs?: number;
  maxRetryMs?: number;
}

const REPLICA_WAIT_MS = 250;
/**
 * Re-checks of a write no replica confirmed, per key (history and the events stream live on
 * different nodes); a cluster without replicas stops waiting after these.
 */
const REPLICA_CHECKS = 5;
const storeDown = (err: unknown): boolean => err instanceof FlightlyError && err.code === "UNAVAILABLE";

/** A write the master took but no replica confirmed yet: kept and checked again, like an outage. */
class NotReplicated extends Error {}
const retryLater = (err: unknown): boolean => storeDown(err) || err instanceof NotReplicated;

const sameMessage = (a: HistoryMessage, b: HistoryMessage): boolean =>
  a.role === b.role && a.at === b.at && a.content === b.content;
const sessionKey = (s: SessionScope): string => `${s.actorId}\u0000${s.sessionId}`;

export class TurnOutbox {
  readonly #o: OutboxOptions;
  readonly #queues = new Map<string, Pending[]>();
  /** The first attempt of each session's latest turn, while it is being written. */
  readonly #writing = new Map<string, Promise<void>>();
  #timer: NodeJS.Timeout | undefined;
  #delay: number;
  #draining: Promise<void> | undefined;
  #resent = 0;

  constructor(options: OutboxOptions) {
    this.#o = options;
    this.#delay = options.retryMs ?? 200;
  }

  /** Turns waiting for the store. */
  get pending(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.length;
    return n;
  }

  /** Turns stored by a re-send rather than at once. */
  get resent(): number {
    return this.#resent;
  }

  /**
   * Stores the turn now, or keeps it for re-sending when the store is unreachable.
   * @throws what the store threw when it is not `UNAVAILABLE` (a bug, not an outage).
   */
  async record(turn: OutboxTurn): Promise<"stored" | "queued"> {
    const p: Pending = {
      turn,
      historyDone: turn.messages.length === 0,
      historySent: false,
      unconfirmed: [],
      checks: new Map(),
      events: turn.events
        ? turn.messages
            .filter(
              (m): m is HistoryMessage & { role: TurnRole } => m.role === "user" || m.role === "assistant",
            )
            .map((m) => ({ eventId: randomUUID(), role: m.role, text: m.content, at: m.at }))
        : [],
    };
    const key = sessionKey(turn.scope);
    const queue = this.#queues.get(key);
    if (queue) {
      queue.push(p);
      return "queued";
    }
    const writing = this.#write(p);
    const tracked = writing.then(
      () => {},
      () => {},
    );
    this.#writing.set(key, tracked);
    void tracked.then(() => {
      if (this.#writing.get(key) === tracked) this.#writing.delete(key);
    });
    try {
      await writing;
      return "stored";
    } catch (err) {
      if (!retryLater(err)) throw err;
      // Another turn of this session may have queued meanwhile: keep the order.
      const q = this.#queues.get(key);
      if (q) q.unshift(p);
      else this.#queues.set(key, [p]);
      if (storeDown(err))
        this.#o.logger?.warn(
          { err, pending: this.pending },
          "session store unreachable: turn kept for re-sending",
        );
      this.#schedule();
      return "queued";
    }
  }

  /**
   * Resolves when the session's turn being written has been written (or has failed and been
   * queued): a reader of the session's history waits for it, so it reads what came before.
   */
  written(scope: SessionScope): Promise<void> | undefined {
    return this.#writing.get(sessionKey(scope));
  }

  /** Re-sends until nothing waits or `timeoutMs` passes; returns whether the outbox is empty. */
  async flush(timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    await Promise.all(this.#writing.values());
    while (this.pending > 0 && Date.now() < deadline) {
      await this.#drain();
      if (this.pending > 0) await new Promise((r) => setTimeout(r, Math.min(this.#delay, 200)));
    }
    return this.pending === 0;
  }

  /** Stops re-sending; turns still waiting are reported. */
  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.pending > 0) this.#o.logger?.error({ pending: this.pending }, "turns not stored at shutdown");
  }

  async #write(p: Pending): Promise<void> {
    const { store } = this.#o;
    const { scope, messages, ttlMs } = p.turn;
    const key = historyKey(scope);
    if (!p.historyDone) {
      const landed =
        p.historySent &&
        (await readHistory(store, scope).then((h) =>
          messages.every((m) => h.some((x) => sameMessage(x, { ...m, content: redactText(m.content) }))),
        ));
      if (!landed) {
        p.historySent = true;
        // The turn's events ride in the history's round trip; a failed send keeps them waiting
        // (re-sent with the same ids, which the worker takes once).
        const pipe = queueHistory(store.pipeline(), scope, messages, { ttlMs });
        for (const e of p.events) {
          pipe.xadd(
            keys.events(),
            turnEventFields({ ...e, actorId: scope.actorId, sessionId: scope.sessionId }),
            {
              maxLen: EVENTS_MAX_LEN,
            },
          );
        }
        throwFirstError(await pipe.exec());
        p.unconfirmed.push(...p.events.splice(0));
      }
      await this.#confirm(p, key);
      p.historyDone = true;
    }
    if (p.events.length === 0 && p.unconfirmed.length === 0) return;
    while (p.events.length > 0) {
      const e = p.events[0]!;
      await appendTurnEvent(store, { ...e, actorId: scope.actorId, sessionId: scope.sessionId });
      p.unconfirmed.push(p.events.shift()!);
    }
    try {
      await this.#confirm(p, keys.events());
    } catch (err) {
      // Written again on the next attempt; the worker takes each event id once.
      if (err instanceof NotReplicated) p.events.push(...p.unconfirmed.splice(0));
      throw err;
    }
    p.unconfirmed = [];
  }

  /** Throws NotReplicated while a cluster has not confirmed the writes on `key`'s node (bounded). */
  async #confirm(p: Pending, key: string): Promise<void> {
    const n = await this.#o.store.waitForReplicas(key, 1, REPLICA_WAIT_MS);
    const left = p.checks.get(key) ?? REPLICA_CHECKS;
    if (n !== 0 || left <= 0) return;
    p.checks.set(key, left - 1);
    throw new NotReplicated(`${key}: no replica confirmed the write`);
  }

  #schedule(): void {
    if (this.#timer || this.pending === 0) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#drain().then(() => this.#schedule());
    }, this.#delay);
    this.#timer.unref();
  }

  #drain(): Promise<void> {
    this.#draining ??= this.#drainOnce().finally(() => {
      this.#draining = undefined;
    });
    return this.#draining;
  }

  async #drainOnce(): Promise<void> {
    let failed = false;
    await Promise.all(
      [...this.#queues.entries()].map(async ([key, queue]) => {
        while (queue.length > 0) {
          try {
            await this.#write(queue[0]!);
          } catch (err) {
            failed = true;
            if (!retryLater(err)) {
              this.#o.logger?.error({ err }, "turn dropped: the store refused it");
              queue.shift();
              continue;
            }
            return;
          }
          queue.shift();
          this.#resent++;
        }
        if (this.#queues.get(key) === queue && queue.length === 0) this.#queues.delete(key);
      }),
    );
    const max = this.#o.maxRetryMs ?? 5_000;
    this.#delay = failed ? Math.min(this.#delay * 2, max) : (this.#o.retryMs ?? 200);
  }
}
