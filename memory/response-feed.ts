/**
 * The response cache's drop feed: every process of one namespace hears, on a Valkey pub/sub
 * channel, which exact entries went (by key, or every entry built from a source), so it may keep
 * exact entries in process memory and serve them without a round trip, and never serve one that
 * another process dropped.
 *
 * Correct across processes, not just eventually:
 * - A process serves from memory only while the feed is healthy: subscribed since its last
 *   connection loss, and one of its own heartbeats, published less than `healthyMs` ago by its
 *   own clock, has come back. Messages on one channel arrive in the order the server took them,
 *   so a process that has not yet applied a drop has seen no heartbeat published after it, and
 *   stops serving from memory within `healthyMs` of the drop.
 * - A drop that must hold when its writer returns (an invalidation) waits until every subscriber
 *   acknowledged it (each acknowledges after applying it), or `healthyMs` after the server took
 *   it, whichever comes first: by then a subscriber that has not applied it no longer serves from
 *   memory.
 * - An entry read from Valkey is kept only when the feed was healthy before the read and no drop
 *   or connection loss came between the read and its reply (`epoch`).
 * A lost connection clears what was kept (drops published meanwhile are lost).
 */
import { randomUUID } from "node:crypto";
import type { Logger } from "../core/logger.js";
import { keys } from "./store/keys.js";
import type { ShortTermStore, Subscription } from "./store/types.js";

/** What a drop removes: exact entries by key, or every entry built from a source. */
export type Drop = { keys: readonly string[] } | { source: string };

type Message =
  | { op: "beat"; from: string; at: number }
  | { op: "drop"; from: string; id: string; drop: Drop; ack: boolean }
  | { op: "ack"; from: string; id: string };

export interface ResponseFeedOptions {
  store: ShortTermStore;
  namespace: string;
  logger?: Logger;
  /** Heartbeat period (default 200 ms). */
  beatMs?: number;
  /** How recent the last heartbeat back must be for memory to answer (default 1,000 ms). */
  healthyMs?: number;
}

interface Waiting {
  need: number;
  acks: Set<string>;
  done: () => void;
}

export class ResponseFeed {
  readonly #o: ResponseFeedOptions;
  readonly #channel: string;
  /** This process's id on the channel. */
  readonly #self = randomUUID();
  readonly #listeners = new Set<(drop: Drop | "all") => void>();
  readonly #waiting = new Map<string, Waiting>();
  /** Subscribers heard beating lately, by id, with when (local clock). */
  readonly #peers = new Map<string, number>();
  #sub: Subscription | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** When the last own heartbeat that came back was published (`performance.now()`), 0: none since a loss. */
  #beatAt = 0;
  #lostAt = 0;
  #epoch = 0;
  #up = false;

  constructor(options: ResponseFeedOptions) {
    this.#o = options;
    this.#channel = keys.responseDrops(options.namespace);
  }

  get #healthyMs(): number {
    return this.#o.healthyMs ?? 1_000;
  }

  /** Subscribes and starts beating; resolves once the first heartbeat came back (or after `healthyMs`). */
  async start(): Promise<void> {
    try {
      this.#sub = await this.#o.store.subscribe(this.#channel, {
        message: (text) => this.#receive(text),
        lost: () => this.#lose(),
      });
    } catch (err) {
      // Never healthy: every lookup asks Valkey, as without the feed.
      this.#o.logger?.warn({ err }, "response feed: cannot subscribe; exact answers are not kept in memory");
      return;
    }
    const first = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (this.healthy || !this.#sub) {
          clearInterval(check);
          resolve();
        }
      }, 5);
      setTimeout(() => {
        clearInterval(check);
        resolve();
      }, this.#healthyMs).unref();
    });
    this.#beat();
    await first;
  }

  /**
   * Whether entries kept in memory may be served now. Turning unhealthy clears them: drops may
   * have been missed.
   */
  get healthy(): boolean {
    const ok = this.#beatAt > this.#lostAt && performance.now() - this.#beatAt < this.#healthyMs;
    if (this.#up && !ok) this.#down();
    this.#up = ok;
    return ok;
  }

  /** Changes on every drop applied and every loss: a read is kept only if it did not change meanwhile. */
  get epoch(): number {
    return this.#epoch;
  }

  /** Called with each drop (`"all"`: forget everything kept). */
  onDrop(listener: (drop: Drop | "all") => void): void {
    this.#listeners.add(listener);
  }

  /**
   * Tells every process (this one at once) that entries went. With `wait`, resolves once every
   * subscriber applied the drop or can no longer serve from memory without it.
   */
  async announce(drop: Drop, wait: boolean): Promise<void> {
    this.#apply(drop);
    const id = randomUUID();
    const message: Message = { op: "drop", from: this.#self, id, drop, ack: wait };
    if (!wait) {
      await this.#o.store.publish(this.#channel, JSON.stringify(message));
      return;
    }
    const w: Waiting = { need: Number.POSITIVE_INFINITY, acks: new Set(), done: () => {} };
    const settled = new Promise<void>((resolve) => {
      w.done = resolve;
    });
    this.#waiting.set(id, w);
    try {
      w.need = await this.#o.store.publish(this.#channel, JSON.stringify(message));
      this.#settle(id);
      const timer = setTimeout(w.done, this.#healthyMs);
      await settled;
      clearTimeout(timer);
    } finally {
      this.#waiting.delete(id);
    }
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#sub?.close();
    this.#sub = undefined;
    this.#lose();
    for (const w of this.#waiting.values()) w.done();
  }

  #beat(): void {
    if (!this.#sub) return;
    const message: Message = { op: "beat", from: this.#self, at: performance.now() };
    this.#o.store.publish(this.#channel, JSON.stringify(message)).catch((err: unknown) => {
      this.#o.logger?.debug({ err }, "response feed: heartbeat not published");
    });
    this.#timer = setTimeout(() => this.#beat(), this.#o.beatMs ?? 200);
    this.#timer.unref();
  }

  #receive(text: string): void {
    let m: Message;
    try {
      m = JSON.parse(text) as Message;
    } catch {
      return;
    }
    if (m.op === "beat") {
      if (m.from === this.#self) {
        if (m.at > this.#lostAt) this.#beatAt = Math.max(this.#beatAt, m.at);
      } else this.#peers.set(m.from, Date.now());
    } else if (m.op === "drop") {
      if (m.from === this.#self) {
        // Applied when announced; its coming back is this process's acknowledgement.
        this.#waiting.get(m.id)?.acks.add(this.#self);
        this.#settle(m.id);
        return;
      }
      this.#apply(m.drop);
      if (m.ack) {
        const ack: Message = { op: "ack", from: this.#self, id: m.id };
        this.#o.store.publish(this.#channel, JSON.stringify(ack)).catch(() => {
          // The writer stops waiting after `healthyMs` anyway.
        });
      }
    } else if (m.op === "ack") {
      const w = this.#waiting.get(m.id);
      if (!w) return;
      w.acks.add(m.from);
      this.#settle(m.id);
    }
  }

  /**
   * Done when as many subscribers acknowledged as the server counted, and every peer heard beating
   * lately among them (a cluster counts only the subscribers of one node).
   */
  #settle(id: string): void {
    const w = this.#waiting.get(id);
    if (!w || w.acks.size < w.need) return;
    const since = Date.now() - 2 * this.#healthyMs;
    for (const [peer, at] of this.#peers) {
      if (at < since) this.#peers.delete(peer);
      else if (!w.acks.has(peer)) return;
    }
    w.done();
  }

  #apply(drop: Drop | "all"): void {
    this.#epoch++;
    for (const l of this.#listeners) l(drop);
  }

  #lose(): void {
    this.#lostAt = performance.now();
    this.#beatAt = 0;
    this.#down();
  }

  #down(): void {
    this.#up = false;
    this.#apply("all");
  }
}

/** When a read from Valkey was sent: whether the feed was healthy, and its epoch then. */
export interface ReadMark {
  readonly healthy: boolean;
  readonly epoch: number;
}

/** How long an entry known absent is remembered as absent (a put anywhere drops the mark at once). */
const ABSENT_MS = 60_000;

/**
 * Exact entries kept in process memory under their Valkey keys, and keys known to hold nothing
 * (`null`), served while `feed` is healthy, dropped as the feed says (by key, by source, or all).
 * At most `max` (oldest kept first out).
 */
export class KeptEntries<T extends { readonly sources: readonly string[] }> {
  readonly #feed: ResponseFeed;
  readonly #max: number;
  readonly #kept = new Map<string, { value: T | null; expiresAt: number }>();
  /** Lookups answered from memory. */
  served = 0;

  constructor(feed: ResponseFeed, max = 20_000) {
    this.#feed = feed;
    this.#max = max;
    feed.onDrop((drop) => {
      if (drop === "all") this.#kept.clear();
      else if ("keys" in drop) for (const k of drop.keys) this.#kept.delete(k);
      else {
        for (const [k, e] of this.#kept) if (e.value?.sources.includes(drop.source)) this.#kept.delete(k);
      }
    });
  }

  get size(): number {
    return this.#kept.size;
  }

  /**
   * What `key` holds, when memory may answer: the entry, or null when it is known to hold
   * nothing; undefined when only Valkey can say.
   */
  get(key: string): T | null | undefined {
    const e = this.#kept.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= Date.now()) {
      this.#kept.delete(key);
      return undefined;
    }
    if (!this.#feed.healthy) return undefined;
    return e.value;
  }

  /** Taken just before a read is sent to Valkey. */
  mark(): ReadMark {
    return { healthy: this.#feed.healthy, epoch: this.#feed.epoch };
  }

  /**
   * Keeps what a read returned (null: nothing), unless a drop or a loss may have come between the
   * read and now. `expiresAt` is the entry's (epoch ms).
   */
  keep(mark: ReadMark, key: string, value: T | null, expiresAt?: number): void {
    if (!mark.healthy || mark.epoch !== this.#feed.epoch) return;
    const until = value === null ? Date.now() + ABSENT_MS : expiresAt;
    if (until === undefined || until <= Date.now()) return;
    if (this.#kept.size >= this.#max && !this.#kept.has(key)) {
      this.#kept.delete(this.#kept.keys().next().value as string);
    }
    this.#kept.set(key, { value, expiresAt: until });
  }
}
