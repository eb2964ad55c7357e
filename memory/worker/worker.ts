/**
 * The tiering worker: each conversation turn is appended to a Valkey stream (`events.ts`);
 * a consumer group reads it, stores the turn as an episode, extracts preferences and facts,
 * consolidates them into long-term memory, keeps a session summary and the customer's profile
 * hash current.
 *
 * Delivery is at least once; writes are idempotent on the event id (`memory_events`, written in
 * the same transaction as the memories), so a replay or a redelivery adds nothing. A consumer
 * that dies holding events leaves them pending; another claims them once idle (XAUTOCLAIM). An
 * event that keeps failing goes to the dead-letter stream with its error after `maxDeliveries`
 * deliveries; one that can never succeed (malformed) goes at once.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { FlightlyError } from "../../core/errors.js";
import { redactJson, redactText } from "../../core/redact.js";
import { keys } from "../store/keys.js";
import type { StreamEntry } from "../store/types.js";
import { DELIVERY_TTL_MS, deliveryScript, errorText, isPermanent } from "./delivery.js";
import { parseTurnEvent } from "./events.js";
import type { WorkerOptions, WorkerStats } from "./options.js";
import { tierEvent } from "./tier-event.js";

export type { WorkerOptions, WorkerStats } from "./options.js";

type Outcome = "processed" | "duplicate" | "dead-lettered" | "pending";

const emptyStats = (): WorkerStats => ({
  processed: 0,
  duplicates: 0,
  failures: 0,
  deadLettered: 0,
  added: 0,
  updated: 0,
  skipped: 0,
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class Worker {
  readonly stream: string;
  readonly deadLetterStream: string;
  readonly group: string;
  readonly consumer: string;
  readonly #o: WorkerOptions;
  readonly #batchSize: number;
  readonly #blockMs: number;
  readonly #claimIdleMs: number;
  readonly #maxDeliveries: number;
  readonly #stats = emptyStats();
  #groupReady: Promise<void> | undefined;
  #loop: Promise<void> | undefined;
  #stopping = false;
  #claimCursor = "0-0";

  constructor(options: WorkerOptions) {
    this.#o = options;
    this.stream = options.stream ?? keys.events();
    this.deadLetterStream = options.deadLetterStream ?? keys.deadLetters();
    this.group = options.group ?? "flightly-tiering";
    this.consumer = options.consumer ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`;
    this.#batchSize = options.batchSize ?? 16;
    this.#blockMs = options.blockMs ?? 1_000;
    this.#claimIdleMs = options.claimIdleMs ?? 30_000;
    this.#maxDeliveries = Math.max(1, options.maxDeliveries ?? 5);
  }

  /** Cumulative counters since this worker was created. */
  get stats(): WorkerStats {
    return { ...this.#stats };
  }

  get running(): boolean {
    return this.#loop !== undefined;
  }

  /** Starts consuming in the background; a no-op when already running. */
  start(): void {
    if (this.#loop) return;
    this.#stopping = false;
    this.#loop = this.#run().finally(() => {
      this.#loop = undefined;
    });
  }

  /** Stops after the current batch is finished and acknowledged (waits at most one `blockMs` read). */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#loop;
  }

  /**
   * Processes until every event in the stream is handled (acknowledged or dead-lettered),
   * including pending ones once claimable; returns what this call did.
   * @throws FlightlyError UNAVAILABLE when events are still pending after `timeoutMs`.
   */
  async drain(options: { timeoutMs?: number } = {}): Promise<WorkerStats> {
    const before = this.stats;
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    await this.#ensureGroup();
    const { store } = this.#o;
    for (;;) {
      const fresh = await store.xreadgroup(this.stream, this.group, this.consumer, {
        count: this.#batchSize,
      });
      if (fresh.length > 0) {
        await this.process(fresh);
        continue;
      }
      const claimed = await this.#claim("0-0");
      if (claimed.length > 0) {
        await this.process(claimed, { redelivered: true });
        continue;
      }
      const pending = await store.xpending(this.stream, this.group);
      if (pending.count === 0) break;
      if (Date.now() > deadline) {
        throw new FlightlyError("UNAVAILABLE", `worker drain timed out with ${pending.count} events pending`);
      }
      await sleep(Math.min(50, Math.max(5, this.#claimIdleMs / 4)));
    }
    const after = this.stats;
    return Object.fromEntries(
      Object.entries(after).map(([k, v]) => [k, v - before[k as keyof WorkerStats]]),
    ) as unknown as WorkerStats;
  }

  /**
   * Handles a batch read from the group and acknowledges what is done (processed, duplicate or
   * dead-lettered); failures stay pending for a retry. `redelivered` marks claimed entries,
   * whose delivery count goes up. `ack: false` leaves everything pending (tests use it to
   * simulate a consumer that dies before acknowledging).
   */
  async process(
    entries: readonly StreamEntry[],
    options: { redelivered?: boolean; ack?: boolean } = {},
  ): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (const entry of entries) outcomes.push(await this.#handle(entry, options.redelivered ?? false));
    const done = entries.filter((_, i) => outcomes[i] !== "pending").map((e) => e.id);
    if (done.length > 0 && options.ack !== false) await this.#o.store.xack(this.stream, this.group, ...done);
    return outcomes;
  }

  async #run(): Promise<void> {
    const { store, logger } = this.#o;
    let lastClaim = 0;
    let failures = 0;
    while (!this.#stopping) {
      try {
        await this.#ensureGroup();
        if (Date.now() - lastClaim >= Math.min(this.#claimIdleMs, 10_000)) {
          lastClaim = Date.now();
          const claimed = await this.#claim(this.#claimCursor);
          if (claimed.length > 0) {
            await this.process(claimed, { redelivered: true });
            continue;
          }
        }
        const fresh = await store.xreadgroup(this.stream, this.group, this.consumer, {
          count: this.#batchSize,
          blockMs: this.#blockMs,
        });
        // Entries a read delivered are this consumer's: finish them even when stopping.
        if (fresh.length > 0) await this.process(fresh);
        failures = 0;
      } catch (err) {
        failures++;
        this.#groupReady = undefined;
        logger?.warn({ err: errorText(err), consumer: this.consumer }, "tiering worker loop error; retrying");
        await sleep(Math.min(5_000, 100 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  #ensureGroup(): Promise<void> {
    this.#groupReady ??= this.#o.store.xgroupCreate(this.stream, this.group, "0").catch((err) => {
      this.#groupReady = undefined;
      throw err;
    });
    return this.#groupReady;
  }

  async #claim(start: string): Promise<StreamEntry[]> {
    const res = await this.#o.store.xautoclaim(this.stream, this.group, this.consumer, this.#claimIdleMs, {
      start,
      count: this.#batchSize,
    });
    this.#claimCursor = res.next;
    return res.entries;
  }

  #deliveryKey(entryId: string): string {
    return keys.idempotency(`tiering:${this.group}`, `${this.stream}/${entryId}`);
  }

  async #handle(entry: StreamEntry, redelivered: boolean): Promise<Outcome> {
    const { store, logger } = this.#o;
    const key = this.#deliveryKey(entry.id);
    if (redelivered) {
      const [deliveries, lastError] = await store.runScript(
        deliveryScript,
        [key],
        ["claim", "", String(DELIVERY_TTL_MS)],
      );
      if (deliveries > this.#maxDeliveries) {
        return this.#deadLetter(entry, lastError || "not acknowledged (consumer died?)", deliveries - 1);
      }
    }
    try {
      const outcome = await tierEvent(this.#o, parseTurnEvent(entry.fields), entry.id, this.#stats);
      if (outcome === "processed") this.#stats.processed++;
      else this.#stats.duplicates++;
      if (redelivered) await store.del(key);
      return outcome;
    } catch (err) {
      this.#stats.failures++;
      const message = errorText(err);
      const [deliveries] = await store.runScript(
        deliveryScript,
        [key],
        ["fail", message, String(DELIVERY_TTL_MS)],
      );
      if (isPermanent(err) || deliveries >= this.#maxDeliveries)
        return this.#deadLetter(entry, message, deliveries);
      logger?.warn({ streamId: entry.id, deliveries, err: message }, "tiering event failed; will retry");
      return "pending";
    }
  }

  async #deadLetter(entry: StreamEntry, error: string, deliveries: number): Promise<Outcome> {
    const { store, logger } = this.#o;
    await store.xadd(this.deadLetterStream, {
      ...redactJson(entry.fields),
      stream_id: entry.id,
      error: redactText(error),
      deliveries: String(deliveries),
      group: this.group,
      consumer: this.consumer,
      failed_at: new Date().toISOString(),
    });
    await store.del(this.#deliveryKey(entry.id));
    this.#stats.deadLettered++;
    logger?.error({ streamId: entry.id, deliveries, err: error }, "tiering event dead-lettered");
    return "dead-lettered";
  }
}
