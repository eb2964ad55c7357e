/**
 * The short-term store: the subset of Valkey that Flightly uses, behind one small interface.
 * Two implementations pass the same contract suite: `ValkeyStore` (iovalkey, standalone or
 * cluster) and `InProcessStore` (the embedded default when `VALKEY_URL` is unset).
 *
 * Keys are built with `keys.ts`; every multi-key call must stay in one hash slot.
 */

export interface SetOptions {
  /** Expiry in milliseconds. */
  ttlMs?: number;
  /** Only set when the key does not exist (a lock). */
  nx?: boolean;
}

export interface StreamEntry {
  id: string;
  fields: Record<string, string>;
}

export interface PendingSummary {
  count: number;
  /** Consumers with pending entries, and how many each holds. */
  consumers: Record<string, number>;
}

/**
 * A server-side script. Valkey runs `lua` atomically; the in-process store runs `local` against
 * its own data, equally atomically (it is synchronous and single-threaded). Both must agree.
 */
export interface Script<R> {
  readonly name: string;
  readonly lua: string;
  readonly local: (ops: SyncOps, keys: readonly string[], args: readonly string[]) => R;
}

/** Synchronous data operations available to a script's in-process implementation. */
export interface SyncOps {
  get(key: string): string | null;
  set(key: string, value: string, ttlMs?: number): void;
  del(key: string): number;
  /** Appends and trims to the newest `cap`; returns the list length. */
  rpushCapped(key: string, values: readonly string[], cap: number): number;
  pttl(key: string): number;
  pexpire(key: string, ttlMs: number): void;
  hgetall(key: string): Record<string, string>;
  hset(key: string, fields: Record<string, string>): void;
  hget(key: string, field: string): string | null;
}

/** Commands queued by `pipeline()`; `exec()` sends them in one round trip. */
export interface Pipeline {
  get(key: string): Pipeline;
  set(key: string, value: string | Buffer, options?: SetOptions): Pipeline;
  del(key: string): Pipeline;
  hgetall(key: string): Pipeline;
  hset(key: string, fields: Record<string, string>): Pipeline;
  lrange(key: string, start: number, stop: number): Pipeline;
  /** Append to a list, trim it to its last `cap` entries. */
  rpushCapped(key: string, values: readonly string[], cap: number): Pipeline;
  pexpire(key: string, ttlMs: number): Pipeline;
  /**
   * `rpushCapped` and `pexpire` as one command (one reply, one timer, one slot in the results):
   * the slot holds the list's length, at most `cap`.
   */
  appendCapped(key: string, values: readonly string[], cap: number, ttlMs: number): Pipeline;
  /** Appends to a stream (as `ShortTermStore.xadd`); its slot holds the entry id. */
  xadd(stream: string, fields: Record<string, string>, options?: { maxLen?: number }): Pipeline;
  /** Results in order; a failed command's slot holds its Error. */
  exec(): Promise<unknown[]>;
}

/** A channel subscription on a connection of its own (see `ShortTermStore.subscribe`). */
export interface Subscription {
  close(): void;
}

export interface SubscriptionHandlers {
  /** Each message, in the order the server took them. */
  message(text: string): void;
  /** The connection dropped: messages published until it is back are lost. */
  lost(): void;
}

export interface ShortTermStore {
  readonly kind: "valkey" | "in-process";
  /** Network round trips made so far (a pipeline counts once). */
  readonly roundTrips: number;

  ping(): Promise<void>;
  get(key: string): Promise<string | null>;
  getBuffer(key: string): Promise<Buffer | null>;
  /** Returns false when `nx` was set and the key existed. */
  set(key: string, value: string | Buffer, options?: SetOptions): Promise<boolean>;
  del(...keys: string[]): Promise<number>;
  pexpire(key: string, ttlMs: number): Promise<boolean>;
  pttl(key: string): Promise<number>;
  incr(key: string): Promise<number>;

  hset(key: string, fields: Record<string, string>): Promise<void>;
  hget(key: string, field: string): Promise<string | null>;
  hgetall(key: string): Promise<Record<string, string>>;
  hdel(key: string, ...fields: string[]): Promise<number>;

  /** Appends and trims to the newest `cap` entries; returns the list length. */
  rpushCapped(key: string, values: readonly string[], cap: number): Promise<number>;
  lrange(key: string, start: number, stop: number): Promise<string[]>;

  /**
   * Every key matching the glob `match` (`*` and `?`), on every master of a cluster (SCAN). An
   * aborted `signal` ends the scan after the page in flight: the keys found so far come back.
   */
  scanKeys(match: string, options?: { signal?: AbortSignal }): Promise<string[]>;

  sadd(key: string, ...members: string[]): Promise<number>;
  smembers(key: string): Promise<string[]>;

  xadd(
    stream: string,
    fields: Record<string, string>,
    options?: { maxLen?: number; id?: string },
  ): Promise<string>;
  /** Creates the group (and the stream); a no-op when it exists. */
  xgroupCreate(stream: string, group: string, startId?: string): Promise<void>;
  xreadgroup(
    stream: string,
    group: string,
    consumer: string,
    options?: { count?: number; blockMs?: number },
  ): Promise<StreamEntry[]>;
  xack(stream: string, group: string, ...ids: string[]): Promise<number>;
  xautoclaim(
    stream: string,
    group: string,
    consumer: string,
    minIdleMs: number,
    options?: { start?: string; count?: number },
  ): Promise<{ next: string; entries: StreamEntry[] }>;
  xpending(stream: string, group: string): Promise<PendingSummary>;
  xlen(stream: string): Promise<number>;
  xrange(stream: string, start?: string, end?: string, count?: number): Promise<StreamEntry[]>;

  runScript<R>(script: Script<R>, keys: readonly string[], args: readonly string[]): Promise<R>;
  /**
   * Cluster: waits (WAIT) until `replicas` replicas hold the writes made so far on the node that
   * serves `key`, at most `timeoutMs`; returns how many do. A write a replica holds survives a
   * failover. Standalone and in-process: null at once (nothing is replicated to wait for).
   */
  waitForReplicas(key: string, replicas: number, timeoutMs: number): Promise<number | null>;
  pipeline(): Pipeline;

  /**
   * A raw command for server features the in-process store lacks (e.g. `FT.SEARCH`).
   * The in-process store throws `UnsupportedCommandError`.
   */
  command(name: string, ...args: (string | Buffer | number)[]): Promise<unknown>;

  /**
   * Publishes on `channel`; returns how many subscribers received it (standalone and in-process:
   * all of them; a cluster counts only those connected to the node that took it).
   */
  publish(channel: string, message: string): Promise<number>;
  /** Subscribes to `channel` on a connection of its own (subscribed again after a reconnect). */
  subscribe(channel: string, handlers: SubscriptionHandlers): Promise<Subscription>;

  close(): Promise<void>;
}

export class UnsupportedCommandError extends Error {
  constructor(name: string) {
    super(`${name} is not supported by the in-process store`);
    this.name = "UnsupportedCommandError";
  }
}
