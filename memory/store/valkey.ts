/**
 * The production short-term store: iovalkey against Valkey / ElastiCache (standalone or
 * cluster). Commands fail fast while disconnected (no offline queue) so callers can bypass
 * caches instead of hanging; the client keeps reconnecting in the background.
 */
import { createHash } from "node:crypto";
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "iovalkey";
import type { PendingSummary, Pipeline, Script, SetOptions, ShortTermStore, StreamEntry } from "./types.js";

type Client = Redis | Cluster;
type RawEntry = [id: string, fields: string[]];

const toFields = (flat: string[]): Record<string, string> => {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
};
const toEntries = (raw: RawEntry[] | null | undefined): StreamEntry[] =>
  (raw ?? []).filter((e) => e[1] !== null).map(([id, flat]) => ({ id, fields: toFields(flat) }));
const flatten = (fields: Record<string, string>): string[] => Object.entries(fields).flat();

export interface ValkeyStoreOptions {
  url: string;
  cluster?: boolean;
  /** Milliseconds to wait for the first connection. */
  connectTimeoutMs?: number;
}

export class ValkeyStore implements ShortTermStore {
  readonly kind = "valkey" as const;
  #roundTrips = 0;
  readonly #client: Client;
  #blocking: Client | undefined;
  readonly #shas = new Map<string, string>();

  private constructor(client: Client) {
    this.#client = client;
  }

  static async connect(options: ValkeyStoreOptions): Promise<ValkeyStore> {
    const u = new URL(options.url);
    const tls = u.protocol === "rediss:" || u.protocol === "valkeys:" ? {} : undefined;
    const common: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      retryStrategy: (times) => Math.min(50 * 2 ** times, 1_000),
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
      ...(tls ? { tls } : {}),
    };
    const host = u.hostname;
    const port = Number(u.port || 6379);
    let client: Client;
    if (options.cluster) {
      const clusterOptions: ClusterOptions = {
        lazyConnect: true,
        enableOfflineQueue: false,
        redisOptions: common,
        clusterRetryStrategy: (times) => Math.min(50 * 2 ** times, 1_000),
        ...(tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
      };
      client = new Cluster([{ host, port }], clusterOptions);
    } else {
      const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
      client = new Redis({ ...common, host, port, db });
    }
    client.on("error", () => {
      // Connection errors surface on the commands that hit them; reconnects are automatic.
    });
    await client.connect();
    return new ValkeyStore(client);
  }

  get roundTrips(): number {
    return this.#roundTrips;
  }

  #rt<T>(p: Promise<T>): Promise<T> {
    this.#roundTrips++;
    return p;
  }

  async ping(): Promise<void> {
    await this.#rt(this.#client.ping());
  }
  get(key: string): Promise<string | null> {
    return this.#rt(this.#client.get(key));
  }
  getBuffer(key: string): Promise<Buffer | null> {
    return this.#rt(this.#client.getBuffer(key));
  }
  async set(key: string, value: string | Buffer, options?: SetOptions): Promise<boolean> {
    const args: (string | number)[] = [];
    if (options?.ttlMs !== undefined) args.push("PX", Math.max(1, Math.round(options.ttlMs)));
    if (options?.nx) args.push("NX");
    const res = await this.#rt(this.#client.call("SET", key, value, ...args));
    return res === "OK";
  }
  del(...keys: string[]): Promise<number> {
    return keys.length === 0 ? Promise.resolve(0) : this.#rt(this.#client.del(...keys));
  }
  async pexpire(key: string, ttlMs: number): Promise<boolean> {
    return (await this.#rt(this.#client.pexpire(key, Math.max(1, Math.round(ttlMs))))) === 1;
  }
  pttl(key: string): Promise<number> {
    return this.#rt(this.#client.pttl(key));
  }
  incr(key: string): Promise<number> {
    return this.#rt(this.#client.incr(key));
  }
  async hset(key: string, fields: Record<string, string>): Promise<void> {
    if (Object.keys(fields).length > 0) await this.#rt(this.#client.hset(key, fields));
  }
  hget(key: string, field: string): Promise<string | null> {
    return this.#rt(this.#client.hget(key, field));
  }
  hgetall(key: string): Promise<Record<string, string>> {
    return this.#rt(this.#client.hgetall(key));
  }
  hdel(key: string, ...fields: string[]): Promise<number> {
    return this.#rt(this.#client.hdel(key, ...fields));
  }
  async rpushCapped(key: string, values: readonly string[], cap: number): Promise<number> {
    const res = await this.#rt(
      this.#client
        .multi()
        .rpush(key, ...values)
        .ltrim(key, -cap, -1)
        .llen(key)
        .exec(),
    );
    return Number(res?.[2]?.[1] ?? 0);
  }
  lrange(key: string, start: number, stop: number): Promise<string[]> {
    return this.#rt(this.#client.lrange(key, start, stop));
  }
  sadd(key: string, ...members: string[]): Promise<number> {
    return this.#rt(this.#client.sadd(key, ...members));
  }
  smembers(key: string): Promise<string[]> {
    return this.#rt(this.#client.smembers(key));
  }

  async xadd(
    stream: string,
    fields: Record<string, string>,
    options?: { maxLen?: number; id?: string },
  ): Promise<string> {
    const args: (string | number)[] = [stream];
    if (options?.maxLen !== undefined) args.push("MAXLEN", "~", options.maxLen);
    args.push(options?.id ?? "*", ...flatten(fields));
    return (await this.#rt(this.#client.call("XADD", ...args))) as string;
  }
  async xgroupCreate(stream: string, group: string, startId = "0"): Promise<void> {
    try {
      await this.#rt(this.#client.xgroup("CREATE", stream, group, startId, "MKSTREAM"));
    } catch (err) {
      if (!String((err as Error).message).includes("BUSYGROUP")) throw err;
    }
  }
  async xreadgroup(
    stream: string,
    group: string,
    consumer: string,
    options?: { count?: number; blockMs?: number },
  ): Promise<StreamEntry[]> {
    const args: (string | number)[] = ["GROUP", group, consumer, "COUNT", options?.count ?? 10];
    let client = this.#client;
    if (options?.blockMs) {
      args.push("BLOCK", options.blockMs);
      client = await this.#blockingClient();
    }
    args.push("STREAMS", stream, ">");
    const res = (await this.#rt(client.call("XREADGROUP", ...args))) as [string, RawEntry[]][] | null;
    return toEntries(res?.[0]?.[1]);
  }
  /** Blocking reads get their own connection so they never stall other commands. */
  async #blockingClient(): Promise<Client> {
    if (!this.#blocking) {
      const dup = this.#client.duplicate();
      dup.on("error", () => {});
      this.#blocking = dup;
      await dup.connect();
    }
    return this.#blocking;
  }

  xack(stream: string, group: string, ...ids: string[]): Promise<number> {
    return ids.length === 0 ? Promise.resolve(0) : this.#rt(this.#client.xack(stream, group, ...ids));
  }
  async xautoclaim(
    stream: string,
    group: string,
    consumer: string,
    minIdleMs: number,
    options?: { start?: string; count?: number },
  ): Promise<{ next: string; entries: StreamEntry[] }> {
    const res = (await this.#rt(
      this.#client.call(
        "XAUTOCLAIM",
        stream,
        group,
        consumer,
        minIdleMs,
        options?.start ?? "0-0",
        "COUNT",
        options?.count ?? 100,
      ),
    )) as [string, RawEntry[]];
    return { next: res[0], entries: toEntries(res[1]) };
  }
  async xpending(stream: string, group: string): Promise<PendingSummary> {
    const res = (await this.#rt(this.#client.xpending(stream, group))) as [
      number,
      string | null,
      string | null,
      [string, string][] | null,
    ];
    const consumers: Record<string, number> = {};
    for (const [name, n] of res[3] ?? []) consumers[name] = Number(n);
    return { count: Number(res[0]), consumers };
  }
  xlen(stream: string): Promise<number> {
    return this.#rt(this.#client.xlen(stream));
  }
  async xrange(stream: string, start = "-", end = "+", count?: number): Promise<StreamEntry[]> {
    const res = (await this.#rt(
      count === undefined
        ? this.#client.xrange(stream, start, end)
        : this.#client.xrange(stream, start, end, "COUNT", count),
    )) as RawEntry[];
    return toEntries(res);
  }

  async runScript<R>(script: Script<R>, keys: readonly string[], args: readonly string[]): Promise<R> {
    let sha = this.#shas.get(script.name);
    if (!sha) {
      sha = createHash("sha1").update(script.lua).digest("hex");
      this.#shas.set(script.name, sha);
    }
    try {
      return (await this.#rt(this.#client.evalsha(sha, keys.length, ...keys, ...args))) as R;
    } catch (err) {
      if (!String((err as Error).message).includes("NOSCRIPT")) throw err;
      return (await this.#rt(this.#client.eval(script.lua, keys.length, ...keys, ...args))) as R;
    }
  }

  pipeline(): Pipeline {
    const pipe = this.#client.pipeline();
    // Raw commands per logical op, and which raw reply stands for it.
    const shape: Array<{ n: number; pick: number }> = [];
    const one = (queue?: unknown): Pipeline => {
      void queue;
      shape.push({ n: 1, pick: 0 });
      return p;
    };
    const p: Pipeline = {
      get: (k) => one(pipe.get(k)),
      set: (k, v, o) => {
        const args: (string | number)[] = [];
        if (o?.ttlMs !== undefined) args.push("PX", Math.max(1, Math.round(o.ttlMs)));
        if (o?.nx) args.push("NX");
        pipe.call("SET", k, v, ...args);
        return one();
      },
      del: (k) => one(pipe.del(k)),
      hgetall: (k) => one(pipe.hgetall(k)),
      hset: (k, f) => one(pipe.hset(k, f)),
      lrange: (k, s, e) => one(pipe.lrange(k, s, e)),
      rpushCapped: (k, v, c) => {
        pipe
          .rpush(k, ...v)
          .ltrim(k, -c, -1)
          .llen(k);
        shape.push({ n: 3, pick: 2 });
        return p;
      },
      pexpire: (k, t) => one(pipe.pexpire(k, Math.max(1, Math.round(t)))),
      exec: async () => {
        const raw = (await this.#rt(pipe.exec())) ?? [];
        const out: unknown[] = [];
        let i = 0;
        for (const { n, pick } of shape) {
          const group = raw.slice(i, i + n);
          i += n;
          const failed = group.find(([err]) => err);
          out.push(failed ? failed[0] : group[pick]?.[1]);
        }
        return out;
      },
    };
    return p;
  }

  command(name: string, ...args: (string | Buffer | number)[]): Promise<unknown> {
    return this.#rt(this.#client.call(name, ...args));
  }

  async close(): Promise<void> {
    this.#blocking?.disconnect();
    await this.#client.quit().catch(() => this.#client.disconnect());
  }
}
