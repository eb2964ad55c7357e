/**
 * The embedded short-term store: the same contract as Valkey, held in this process. Used when
 * `VALKEY_URL` is unset; not shared between processes and gone on restart.
 */
import { EventEmitter } from "node:events";
import {
  ack,
  appendEntry,
  autoclaim,
  createGroup,
  deliverNew,
  emptyStream,
  groupOf,
  isStream,
  pendingSummary,
  range,
  type Stream,
} from "./inprocess-stream.js";
import type {
  PendingSummary,
  Pipeline,
  Script,
  SetOptions,
  ShortTermStore,
  StreamEntry,
  Subscription,
  SubscriptionHandlers,
  SyncOps,
} from "./types.js";
import { UnsupportedCommandError } from "./types.js";

type Value = string | Buffer | Map<string, string> | string[] | Set<string> | Stream;
interface Entry {
  value: Value;
  expiresAt: number | undefined;
}

class WrongTypeError extends Error {
  constructor() {
    super("WRONGTYPE Operation against a key holding the wrong kind of value");
  }
}

export class InProcessStore implements ShortTermStore {
  readonly kind = "in-process" as const;
  #roundTrips = 0;
  readonly #data = new Map<string, Entry>();
  readonly #streamWake = new EventEmitter().setMaxListeners(0);
  readonly #channels = new EventEmitter().setMaxListeners(0);

  get roundTrips(): number {
    return this.#roundTrips;
  }

  #live(key: string): Entry | undefined {
    const e = this.#data.get(key);
    if (e?.expiresAt !== undefined && e.expiresAt <= Date.now()) {
      this.#data.delete(key);
      return undefined;
    }
    return e;
  }

  #typed<T extends Value>(key: string, guard: (v: Value) => v is T, create?: () => T): T | undefined {
    const e = this.#live(key);
    if (!e) {
      if (!create) return undefined;
      const value = create();
      this.#data.set(key, { value, expiresAt: undefined });
      return value;
    }
    if (!guard(e.value)) throw new WrongTypeError();
    return e.value;
  }

  #hash(key: string, create = false): Map<string, string> | undefined {
    return this.#typed(
      key,
      (v): v is Map<string, string> => v instanceof Map,
      create ? () => new Map() : undefined,
    );
  }
  #list(key: string, create = false): string[] | undefined {
    return this.#typed(key, (v): v is string[] => Array.isArray(v), create ? () => [] : undefined);
  }
  #stream(key: string, create = false): Stream | undefined {
    return this.#typed<Stream>(key, isStream, create ? emptyStream : undefined);
  }

  // Synchronous primitives shared by the async API, pipelines and scripts.
  readonly #ops: SyncOps = {
    get: (key) => {
      const v = this.#live(key)?.value;
      if (v === undefined) return null;
      if (typeof v === "string") return v;
      if (Buffer.isBuffer(v)) return v.toString();
      throw new WrongTypeError();
    },
    set: (key, value, ttlMs) => {
      this.#data.set(key, { value, expiresAt: ttlMs === undefined ? undefined : Date.now() + ttlMs });
    },
    del: (key) => (this.#live(key) && this.#data.delete(key) ? 1 : 0),
    rpushCapped: (key, values, cap) => this.#rpushCappedSync(key, values, cap),
    pttl: (key) => {
      const e = this.#live(key);
      if (!e) return -2;
      return e.expiresAt === undefined ? -1 : Math.max(0, e.expiresAt - Date.now());
    },
    pexpire: (key, ttlMs) => {
      const e = this.#live(key);
      if (e) e.expiresAt = Date.now() + ttlMs;
    },
    hgetall: (key) => Object.fromEntries(this.#hash(key) ?? []),
    hset: (key, fields) => {
      const h = this.#hash(key, true)!;
      for (const [f, v] of Object.entries(fields)) h.set(f, v);
    },
    hget: (key, field) => this.#hash(key)?.get(field) ?? null,
  };

  #setSync(key: string, value: string | Buffer, options?: SetOptions): boolean {
    if (options?.nx && this.#live(key)) return false;
    this.#data.set(key, {
      value: Buffer.isBuffer(value) ? Buffer.from(value) : value,
      expiresAt: options?.ttlMs === undefined ? undefined : Date.now() + options.ttlMs,
    });
    return true;
  }

  #rpushCappedSync(key: string, values: readonly string[], cap: number): number {
    const l = this.#list(key, true)!;
    l.push(...values);
    if (l.length > cap) l.splice(0, l.length - cap);
    return l.length;
  }

  #lrangeSync(key: string, start: number, stop: number): string[] {
    const l = this.#list(key) ?? [];
    const n = l.length;
    const s = start < 0 ? Math.max(0, n + start) : start;
    const e = stop < 0 ? n + stop : Math.min(stop, n - 1);
    return s > e ? [] : l.slice(s, e + 1);
  }

  async #call<T>(fn: () => T): Promise<T> {
    this.#roundTrips++;
    return fn();
  }

  ping(): Promise<void> {
    return this.#call(() => undefined);
  }
  get(key: string): Promise<string | null> {
    return this.#call(() => this.#ops.get(key));
  }
  getBuffer(key: string): Promise<Buffer | null> {
    return this.#call(() => {
      const v = this.#live(key)?.value;
      if (v === undefined) return null;
      if (Buffer.isBuffer(v)) return Buffer.from(v);
      if (typeof v === "string") return Buffer.from(v);
      throw new WrongTypeError();
    });
  }
  set(key: string, value: string | Buffer, options?: SetOptions): Promise<boolean> {
    return this.#call(() => this.#setSync(key, value, options));
  }
  del(...keys: string[]): Promise<number> {
    return this.#call(() => keys.reduce((n, k) => n + this.#ops.del(k), 0));
  }
  pexpire(key: string, ttlMs: number): Promise<boolean> {
    return this.#call(() => {
      if (!this.#live(key)) return false;
      this.#ops.pexpire(key, ttlMs);
      return true;
    });
  }
  pttl(key: string): Promise<number> {
    return this.#call(() => this.#ops.pttl(key));
  }
  incr(key: string): Promise<number> {
    return this.#call(() => {
      const e = this.#live(key);
      const n = Number(this.#ops.get(key) ?? "0") + 1;
      this.#data.set(key, { value: String(n), expiresAt: e?.expiresAt });
      return n;
    });
  }
  hset(key: string, fields: Record<string, string>): Promise<void> {
    return this.#call(() => this.#ops.hset(key, fields));
  }
  hget(key: string, field: string): Promise<string | null> {
    return this.#call(() => this.#ops.hget(key, field));
  }
  hgetall(key: string): Promise<Record<string, string>> {
    return this.#call(() => this.#ops.hgetall(key));
  }
  hdel(key: string, ...fields: string[]): Promise<number> {
    return this.#call(() => {
      const h = this.#hash(key);
      if (!h) return 0;
      const n = fields.reduce((c, f) => c + (h.delete(f) ? 1 : 0), 0);
      if (h.size === 0) this.#data.delete(key);
      return n;
    });
  }
  rpushCapped(key: string, values: readonly string[], cap: number): Promise<number> {
    return this.#call(() => this.#rpushCappedSync(key, values, cap));
  }
  lrange(key: string, start: number, stop: number): Promise<string[]> {
    return this.#call(() => this.#lrangeSync(key, start, stop));
  }
  async scanKeys(match: string, options: { signal?: AbortSignal } = {}): Promise<string[]> {
    if (options.signal?.aborted) return [];
    const glob = match
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".");
    const re = new RegExp(`^${glob}$`, "s");
    return [...this.#data.keys()].filter((k) => re.test(k) && this.#live(k) !== undefined);
  }
  sadd(key: string, ...members: string[]): Promise<number> {
    return this.#call(() => {
      const s = this.#typed(
        key,
        (v): v is Set<string> => v instanceof Set,
        () => new Set<string>(),
      )!;
      const before = s.size;
      for (const m of members) s.add(m);
      return s.size - before;
    });
  }
  smembers(key: string): Promise<string[]> {
    return this.#call(() => [...(this.#typed(key, (v): v is Set<string> => v instanceof Set) ?? [])]);
  }

  xadd(
    stream: string,
    fields: Record<string, string>,
    options?: { maxLen?: number; id?: string },
  ): Promise<string> {
    return this.#call(() => {
      const id = appendEntry(this.#stream(stream, true)!, fields, options);
      this.#streamWake.emit(stream);
      return id;
    });
  }
  xgroupCreate(stream: string, group: string, startId = "0"): Promise<void> {
    return this.#call(() => createGroup(this.#stream(stream, true)!, group, startId));
  }
  #deliverNew(stream: string, group: string, consumer: string, count: number): StreamEntry[] {
    const { s, g } = groupOf(this.#stream(stream), stream, group);
    return deliverNew(s, g, consumer, count);
  }
  async xreadgroup(
    stream: string,
    group: string,
    consumer: string,
    options?: { count?: number; blockMs?: number },
  ): Promise<StreamEntry[]> {
    const count = options?.count ?? 10;
    const first = await this.#call(() => this.#deliverNew(stream, group, consumer, count));
    if (first.length > 0 || !options?.blockMs) return first;
    return new Promise((resolve, reject) => {
      const onWake = (): void => {
        try {
          const got = this.#deliverNew(stream, group, consumer, count);
          if (got.length > 0) {
            clearTimeout(timer);
            this.#streamWake.off(stream, onWake);
            resolve(got);
          }
        } catch (err) {
          clearTimeout(timer);
          this.#streamWake.off(stream, onWake);
          reject(err);
        }
      };
      const timer = setTimeout(() => {
        this.#streamWake.off(stream, onWake);
        resolve([]);
      }, options.blockMs);
      this.#streamWake.on(stream, onWake);
    });
  }
  xack(stream: string, group: string, ...ids: string[]): Promise<number> {
    return this.#call(() => ack(groupOf(this.#stream(stream), stream, group).g, ids));
  }
  xautoclaim(
    stream: string,
    group: string,
    consumer: string,
    minIdleMs: number,
    options?: { start?: string; count?: number },
  ): Promise<{ next: string; entries: StreamEntry[] }> {
    return this.#call(() => {
      const { s, g } = groupOf(this.#stream(stream), stream, group);
      return autoclaim(s, g, consumer, minIdleMs, options);
    });
  }
  xpending(stream: string, group: string): Promise<PendingSummary> {
    return this.#call(() => pendingSummary(groupOf(this.#stream(stream), stream, group).g));
  }
  xlen(stream: string): Promise<number> {
    return this.#call(() => this.#stream(stream)?.entries.length ?? 0);
  }
  xrange(stream: string, start = "-", end = "+", count?: number): Promise<StreamEntry[]> {
    return this.#call(() => range(this.#stream(stream), start, end, count));
  }

  runScript<R>(script: Script<R>, keys: readonly string[], args: readonly string[]): Promise<R> {
    return this.#call(() => script.local(this.#ops, keys, args));
  }

  async waitForReplicas(): Promise<null> {
    return null;
  }

  pipeline(): Pipeline {
    const queued: Array<() => unknown> = [];
    const q = (fn: () => unknown): Pipeline => {
      queued.push(fn);
      return p;
    };
    const p: Pipeline = {
      get: (k) => q(() => this.#ops.get(k)),
      set: (k, v, o) => q(() => this.#setSync(k, v, o)),
      del: (k) => q(() => this.#ops.del(k)),
      hgetall: (k) => q(() => this.#ops.hgetall(k)),
      hset: (k, f) => q(() => this.#ops.hset(k, f)),
      lrange: (k, s, e) => q(() => this.#lrangeSync(k, s, e)),
      rpushCapped: (k, v, c) => q(() => this.#rpushCappedSync(k, v, c)),
      pexpire: (k, t) => q(() => this.#ops.pexpire(k, t)),
      appendCapped: (k, v, c, t) =>
        q(() => {
          const n = this.#rpushCappedSync(k, v, c);
          this.#ops.pexpire(k, t);
          return n;
        }),
      xadd: (k, f, o) =>
        q(() => {
          const id = appendEntry(this.#stream(k, true)!, f, o);
          this.#streamWake.emit(k);
          return id;
        }),
      exec: () =>
        this.#call(() =>
          queued.map((fn) => {
            try {
              return fn();
            } catch (err) {
              return err;
            }
          }),
        ),
    };
    return p;
  }

  command(name: string): Promise<unknown> {
    return Promise.reject(new UnsupportedCommandError(name));
  }

  async publish(channel: string, message: string): Promise<number> {
    this.#roundTrips++;
    const listeners = this.#channels.listeners(channel) as ((m: string) => void)[];
    // Delivered after the publisher resumes, as from a server, in publishing order.
    for (const l of listeners) queueMicrotask(() => l(message));
    return listeners.length;
  }

  async subscribe(channel: string, handlers: SubscriptionHandlers): Promise<Subscription> {
    const listener = (m: string): void => handlers.message(m);
    this.#channels.on(channel, listener);
    return { close: () => this.#channels.off(channel, listener) };
  }

  async close(): Promise<void> {
    this.#channels.removeAllListeners();
    this.#data.clear();
    this.#streamWake.removeAllListeners();
  }
}
