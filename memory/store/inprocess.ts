/**
 * The embedded short-term store: the same contract as Valkey, held in this process. Used when
 * `VALKEY_URL` is unset; not shared between processes and gone on restart.
 */
import { EventEmitter } from "node:events";
import type {
  PendingSummary,
  Pipeline,
  Script,
  SetOptions,
  ShortTermStore,
  StreamEntry,
  SyncOps,
} from "./types.js";
import { UnsupportedCommandError } from "./types.js";

interface Stream {
  entries: StreamEntry[];
  lastId: [number, number];
  groups: Map<string, Group>;
}
interface Group {
  lastDelivered: string;
  pending: Map<string, { consumer: string; deliveredAt: number; count: number }>;
}
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

const cmpId = (a: string, b: string): number => {
  const [am = 0, as = 0] = a.split("-").map(Number);
  const [bm = 0, bs = 0] = b.split("-").map(Number);
  return am - bm || as - bs;
};

export class InProcessStore implements ShortTermStore {
  readonly kind = "in-process" as const;
  #roundTrips = 0;
  readonly #data = new Map<string, Entry>();
  readonly #streamWake = new EventEmitter().setMaxListeners(0);

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
    return this.#typed<Stream>(
      key,
      (v): v is Stream => typeof v === "object" && v !== null && "entries" in v,
      create ? () => ({ entries: [], lastId: [0, 0], groups: new Map() }) : undefined,
    );
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
      const s = this.#stream(stream, true)!;
      const now = Date.now();
      const [lm, ls] = s.lastId;
      const id: [number, number] = now > lm ? [now, 0] : [lm, ls + 1];
      if (options?.id && options.id !== "*") {
        const [m = 0, q = 0] = options.id.split("-").map(Number);
        if (cmpId(`${m}-${q}`, `${lm}-${ls}`) <= 0) {
          throw new Error("ERR The ID specified in XADD is equal or smaller than the target stream top item");
        }
        id[0] = m;
        id[1] = q;
      }
      s.lastId = id;
      const entry = { id: `${id[0]}-${id[1]}`, fields: { ...fields } };
      s.entries.push(entry);
      if (options?.maxLen !== undefined && s.entries.length > options.maxLen) {
        s.entries.splice(0, s.entries.length - options.maxLen);
      }
      this.#streamWake.emit(stream);
      return entry.id;
    });
  }
  xgroupCreate(stream: string, group: string, startId = "0"): Promise<void> {
    return this.#call(() => {
      const s = this.#stream(stream, true)!;
      if (s.groups.has(group)) return;
      const last = startId === "$" ? `${s.lastId[0]}-${s.lastId[1]}` : startId === "0" ? "0-0" : startId;
      s.groups.set(group, { lastDelivered: last, pending: new Map() });
    });
  }
  #groupOf(stream: string, group: string): { s: Stream; g: Group } {
    const s = this.#stream(stream);
    const g = s?.groups.get(group);
    if (!s || !g) throw new Error(`NOGROUP No such key '${stream}' or consumer group '${group}'`);
    return { s, g };
  }
  #deliverNew(stream: string, group: string, consumer: string, count: number): StreamEntry[] {
    const { s, g } = this.#groupOf(stream, group);
    const fresh = s.entries.filter((e) => cmpId(e.id, g.lastDelivered) > 0).slice(0, count);
    const now = Date.now();
    for (const e of fresh) {
      g.pending.set(e.id, { consumer, deliveredAt: now, count: 1 });
      g.lastDelivered = e.id;
    }
    return fresh.map((e) => ({ id: e.id, fields: { ...e.fields } }));
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
    return this.#call(() => {
      const { g } = this.#groupOf(stream, group);
      return ids.reduce((n, id) => n + (g.pending.delete(id) ? 1 : 0), 0);
    });
  }
  xautoclaim(
    stream: string,
    group: string,
    consumer: string,
    minIdleMs: number,
    options?: { start?: string; count?: number },
  ): Promise<{ next: string; entries: StreamEntry[] }> {
    return this.#call(() => {
      const { s, g } = this.#groupOf(stream, group);
      const start = options?.start ?? "0-0";
      const count = options?.count ?? 100;
      const now = Date.now();
      const ids = [...g.pending.keys()].filter((id) => cmpId(id, start) >= 0).sort(cmpId);
      const entries: StreamEntry[] = [];
      let next = "0-0";
      for (const id of ids) {
        if (entries.length >= count) {
          next = id;
          break;
        }
        const p = g.pending.get(id)!;
        if (now - p.deliveredAt < minIdleMs) continue;
        const e = s.entries.find((x) => x.id === id);
        if (!e) {
          g.pending.delete(id);
          continue;
        }
        g.pending.set(id, { consumer, deliveredAt: now, count: p.count + 1 });
        entries.push({ id, fields: { ...e.fields } });
      }
      return { next, entries };
    });
  }
  xpending(stream: string, group: string): Promise<PendingSummary> {
    return this.#call(() => {
      const { g } = this.#groupOf(stream, group);
      const consumers: Record<string, number> = {};
      for (const p of g.pending.values()) consumers[p.consumer] = (consumers[p.consumer] ?? 0) + 1;
      return { count: g.pending.size, consumers };
    });
  }
  xlen(stream: string): Promise<number> {
    return this.#call(() => this.#stream(stream)?.entries.length ?? 0);
  }
  xrange(stream: string, start = "-", end = "+", count?: number): Promise<StreamEntry[]> {
    return this.#call(() => {
      const all = (this.#stream(stream)?.entries ?? []).filter(
        (e) => (start === "-" || cmpId(e.id, start) >= 0) && (end === "+" || cmpId(e.id, end) <= 0),
      );
      return (count === undefined ? all : all.slice(0, count)).map((e) => ({
        id: e.id,
        fields: { ...e.fields },
      }));
    });
  }

  runScript<R>(script: Script<R>, keys: readonly string[], args: readonly string[]): Promise<R> {
    return this.#call(() => script.local(this.#ops, keys, args));
  }

  async waitForReplicas(): Promise<number> {
    return 0;
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

  async close(): Promise<void> {
    this.#data.clear();
    this.#streamWake.removeAllListeners();
  }
}
