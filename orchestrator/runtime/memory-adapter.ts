/**
 * `MemoryPort` over the memory tiers: Valkey short-term state (history, session state, profile,
 * checkpoint) in one pipelined read, long-term recall from pgvector in parallel, the customer
 * record from Postgres, and the turn events the tiering worker consumes.
 *
 * While Valkey is unreachable (the store's `UNAVAILABLE`) a turn still runs on what Postgres
 * holds: the context has no history, session state or checkpoint (policy questions, searches and
 * account actions still work; bookings and payments live in Postgres), session-state writes are
 * skipped, and a checkpoint write fails with a 503 while later steps of the workflow remain, so
 * no step runs without a checkpoint to resume from. A workflow whose steps are all done loses
 * only its final checkpoint; its answer is still returned. A finished turn's history and memory
 * events go through the turn outbox: written at once, or re-sent until the store has them.
 */

import type { Sql } from "postgres";
import { FlightlyError } from "../../core/errors.js";
import type { Logger } from "../../core/logger.js";
import { redactText } from "../../core/redact.js";
import type { MemoryFacts } from "../../language/index.js";
import type { Customers } from "../../memory/customers.js";
import type { LongTermMemory } from "../../memory/long-term/index.js";
import { readMemoryRecords } from "../../memory/referents.js";
import {
  type AssembledContext,
  assembleContext,
  type CustomerProfile,
  setSessionState,
  writeCheckpoint,
} from "../../memory/short-term/index.js";
import type { ShortTermStore } from "../../memory/store/types.js";
import type { TurnOutbox } from "../../memory/worker/index.js";
import type { CustomerView, HistoryEntry, MemoryPort, Scope, TurnContext } from "../memory-port.js";
import type { JsonValue } from "../models/types.js";
import type { WorkflowState } from "../workflow-state.js";

export interface MemoryAdapterOptions {
  store: ShortTermStore;
  longTerm: LongTermMemory;
  customers: Customers;
  /** The database the customer's bookings and memories are read from for references. */
  sql: Sql;
  sessionTtlS: number;
  /** Where finished turns are written (and kept while the store is unreachable). */
  outbox: TurnOutbox;
  /** Where degraded operation (Valkey unreachable) is reported. */
  logger?: Logger;
}

/** The short-term store could not be reached (see `ValkeyStore`). */
const storeDown = (err: unknown): boolean => err instanceof FlightlyError && err.code === "UNAVAILABLE";

/** The context of a turn when the short-term tier is unreachable: nothing from Valkey. */
const withoutShortTerm = (): AssembledContext => ({
  profile: {},
  history: [],
  state: {},
  checkpoint: null,
  memories: [],
  degraded: ["short-term"],
  timings: { shortTermMs: 0, recallMs: 0, totalMs: 0 },
});

/** The live profile (learned in conversation) over the stored one, in the stored snake_case shape. */
function mergeProfile(stored: Record<string, unknown>, live: CustomerProfile): Record<string, unknown> {
  const out: Record<string, unknown> = { ...stored };
  const set = (key: string, value: unknown): void => {
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) out[key] = value;
  };
  set("family", live.family);
  set("adults", live.adults);
  set("children_ages", live.childrenAges);
  set("budget_per_night_usd", live.budgetPerNightUsd);
  set("seat", live.seat);
  set("avoid_airlines", live.avoidAirlines);
  set("preferred_airlines", live.preferredAirlines);
  set("home_airport", live.homeAirport);
  set("dietary", live.dietary);
  set("accessibility", live.accessibility);
  return out;
}

export class MemoryAdapter implements MemoryPort {
  constructor(private readonly o: MemoryAdapterOptions) {}

  async assemble(scope: Scope, query: string): Promise<TurnContext> {
    // The session's last turn may still be on its way: a cache hit takes no session lease, so a
    // concurrent request of the session can arrive before that hit's write lands.
    const writing = this.o.outbox.written(scope);
    if (writing) await writing;
    const customerRead = this.o.customers.get(scope.actorId);
    // Only customers have long-term memory: a guest's turn makes no recall query (the lookup is
    // cached, and for an id that cannot be a customer it is decided without I/O).
    const recaller = {
      recall: async (r: Parameters<LongTermMemory["recall"]>[0]) =>
        (await customerRead) ? this.o.longTerm.recall(r) : [],
    };
    const [ctx, customer] = await Promise.all([
      assembleContext(this.o.store, recaller, {
        scope,
        query,
        historyLimit: 24,
        recallK: 5,
        minSimilarity: 0.3,
      }).catch((err: unknown) => {
        if (!storeDown(err)) throw err;
        this.o.logger?.warn({ err }, "session store unreachable: answering without history or checkpoint");
        return withoutShortTerm();
      }),
      customerRead,
    ]);
    const view: CustomerView | null = customer
      ? { ...customer, profile: mergeProfile(customer.profile, ctx.profile) }
      : null;
    const plan = ctx.checkpoint?.data.plan as unknown as WorkflowState | null | undefined;
    return {
      customer: view,
      history: ctx.history
        .filter((h) => h.role === "user" || h.role === "assistant")
        .map((h) => ({
          role: h.role as "user" | "assistant",
          text: h.content,
          at: h.at,
          ...(h.agent ? { agent: h.agent } : {}),
        })),
      state: ctx.state,
      checkpoint: {
        version: ctx.checkpoint?.version ?? 0,
        workflow: plan && typeof plan === "object" ? plan : null,
      },
      memories: customer ? ctx.memories.map((m) => ({ kind: m.kind, content: m.content })) : [],
      timings: ctx.timings,
    };
  }

  recordTurn(scope: Scope, given: HistoryEntry[]): Promise<void> {
    const record = (customer: unknown): Promise<void> =>
      this.o.outbox
        .record({
          scope,
          // Nothing typed into a prompt is kept at rest in full if it looks like a card or a secret.
          messages: given.map((e) => ({
            role: e.role,
            content: redactText(e.text),
            at: e.at,
            ...(e.agent ? { agent: e.agent } : {}),
          })),
          // Only customers accumulate long-term memory.
          events: customer !== null,
          ttlMs: this.o.sessionTtlS * 1000,
        })
        .then(() => undefined);
    // The actor was looked up at the start of the turn: the write is issued before this returns.
    try {
      const known = this.o.customers.cached(scope.actorId);
      return known !== undefined ? record(known) : this.o.customers.get(scope.actorId).then(record);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async setState(scope: Scope, fields: Record<string, string>): Promise<void> {
    try {
      await setSessionState(this.o.store, scope, fields, { ttlMs: this.o.sessionTtlS * 1000 });
    } catch (err) {
      // Session state only helps the next turn ("hotels there?"); losing it must not fail this one.
      if (!storeDown(err)) throw err;
      this.o.logger?.warn({ err }, "session store unreachable: session state not saved");
    }
  }

  async writeWorkflow(
    scope: Scope,
    expectedVersion: number,
    workflow: WorkflowState,
    state?: Record<string, string>,
  ): Promise<number> {
    try {
      return await this.#writeWorkflow(scope, expectedVersion, workflow, state);
    } catch (err) {
      if (!storeDown(err)) throw err;
      if (workflow.status === "done" || workflow.step >= workflow.plan.length) {
        this.o.logger?.warn(
          { err, workflow: workflow.id },
          "session store unreachable: final checkpoint not saved",
        );
        return expectedVersion;
      }
      throw new FlightlyError(
        "UNAVAILABLE",
        "the session store is unreachable, so the rest of this request was not started; retry with the same idempotency_key",
        { cause: err, retryAfterS: 2 },
      );
    }
  }

  #writeWorkflow(
    scope: Scope,
    expectedVersion: number,
    workflow: WorkflowState,
    state: Record<string, string> | undefined,
  ): Promise<number> {
    return writeCheckpoint(
      this.o.store,
      scope,
      expectedVersion,
      {
        plan: workflow as unknown as JsonValue,
        steps: workflow.trail.map((t, i) => ({
          step: `${i}:${t.agent}`,
          agent: t.agent,
          output: (workflow.outputs[t.agent] ?? {}) as JsonValue,
          at: new Date().toISOString(),
        })),
      },
      { ttlMs: this.o.sessionTtlS * 1000, ...(state && Object.keys(state).length > 0 ? { state } : {}) },
    );
  }

  async remembered(actorId: string): Promise<MemoryFacts> {
    // Only customers have long-term memory; a guest id is never looked up.
    if (!(await this.o.customers.get(actorId))) return { records: [] };
    return { records: await readMemoryRecords(this.o.sql, actorId) };
  }

  async recall(
    actorId: string,
    query: string,
    k: number,
  ): Promise<{ kind: string; content: string; similarity: number }[]> {
    if (!(await this.o.customers.get(actorId))) return [];
    const found = await this.o.longTerm.recall({ actorId, query, k });
    return found.map((m) => ({
      kind: m.kind,
      content: m.content,
      similarity: Math.round(m.similarity * 1000) / 1000,
    }));
  }
}
