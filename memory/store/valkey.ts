/**
 * The production short-term store: iovalkey against Valkey / ElastiCache (standalone or
 * cluster). Commands fail fast while disconnected (no offline queue) so callers can bypass
 * caches instead of hanging; the client keeps reconnecting in the background.
 *
 * Faults are mapped here, once: a command that cannot reach the server (disconnected, connection
 * lost mid-command, no answer within `commandTimeoutMs`, a server still loading or failing over)
 * rejects with `FlightlyError` `UNAVAILABLE`; errors the server answered stay as they are. A
 * command whose connection drops before its reply is never sent again after the reconnect (its
 * outcome is unknown, and a resent RPUSH / XADD / compare-and-set would apply twice); it fails.
 * In cluster mode a node that dies is a failover instead: its commands are retried once the slot
 * map names the promoted replica (see `CLUSTER_RETRIES`), and multi-key work is split per slot.
 */
import { createHash } from "node:crypto";
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from "iovalkey";
import type {
  PendingSummary,
  Pipeline,
  Script,
  SetOptions,
  ShortTermStore,
  StreamEntry,
  Subscription,
  SubscriptionHandlers,
} from "./types.js";
import { storeUnavailable, unreachable } from "./valkey-errors.js";
import { defineAppendCapped, groupBySlot, sameSlot, valkeyPipeline } from "./valkey-pipeline.js";

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

const mapError = (err: unknown): unknown => (unreachable(err) ? storeUnavailable(err) : err);

export interface ValkeyStoreOptions {
  url: string;
  cluster?: boolean;
  /** Milliseconds to wait for the first connection. */
  connectTimeoutMs?: number;
  /**
   * A command (or pipeline) without an answer after this long fails with `UNAVAILABLE`, so a
   * server that hangs (partition, stopped process) never hangs a caller. Default 2,000 ms.
   * Blocking reads are exempt (their own connection waits as long as they ask). In cluster mode
   * the default is 6,000 ms: it also bounds the retries that ride out a failover (below).
   */
  commandTimeoutMs?: number;
}

/**
 * Cluster failover: a command whose node died, or that meets MOVED / ASK / TRYAGAIN / CLUSTERDOWN
 * while a replica is promoted, is retried by iovalkey after refreshing the slot map, up to
 * `maxRedirections` times with these pauses (about 6 s in all, a typical promotion takes 2-3 s),
 * and never past `commandTimeoutMs`; then it fails as `UNAVAILABLE` (a 503 with Retry-After).
 */
const CLUSTER_RETRIES: Partial<ClusterOptions> = {
  maxRedirections: 24,
  retryDelayOnMoved: 0,
  retryDelayOnFailover: 250,
  retryDelayOnClusterDown: 250,
  retryDelayOnTryAgain: 100,
  slotsRefreshTimeout: 1_000,
};

export class ValkeyStore implements ShortTermStore {
  readonly kind = "valkey" as const;
  #roundTrips = 0;
  readonly #client: Client;
  #blocking: Client | undefined;
  readonly #subscribers = new Set<Client>();
  readonly #shas = new Map<string, string>();
  readonly #cluster: boolean;

  private constructor(client: Client) {
    this.#client = client;
    this.#cluster = client instanceof Cluster;
  }

  static async connect(options: ValkeyStoreOptions): Promise<ValkeyStore> {
    const u = new URL(options.url);
    const tls = u.protocol === "rediss:" || u.protocol === "valkeys:" ? {} : undefined;
    const auth: RedisOptions = {
      connectTimeout: options.connectTimeoutMs ?? 5_000,
      autoResendUnfulfilledCommands: false,
      ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
      ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
      ...(tls ? { tls } : {}),
    };
    const host = u.hostname;
    const port = Number(u.port || 6379);
    let client: Client;
    if (options.cluster) {
      // Node connections keep iovalkey's cluster defaults (no reconnect of their own, a queue
      // while connecting): a lost node is dropped and its slots re-read, not retried blindly.
      const clusterOptions: ClusterOptions = {
        lazyConnect: true,
        enableOfflineQueue: false,
        redisOptions: { ...auth, commandTimeout: options.commandTimeoutMs ?? 6_000 },
        clusterRetryStrategy: (times) => Math.min(50 * 2 ** times, 1_000),
        ...CLUSTER_RETRIES,
        ...(tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
      };
      client = new Cluster([{ host, port }], clusterOptions);
    } else {
      const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
      client = new Redis({
        ...auth,
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        // Commands issued in one turn of the event loop (concurrent requests' lookups and history
        // appends) share one write and one round trip; one batch is in flight at a time.
        enableAutoPipelining: true,
        commandTimeout: options.commandTimeoutMs ?? 2_000,
        retryStrategy: (times) => Math.min(50 * 2 ** times, 1_000),
        host,
        port,
        db,
      });
    }
    client.on("error", () => {
      // Connection errors surface on the commands that hit them; reconnects are automatic.
    });
    defineAppendCapped(client);
    try {
      await client.connect();
    } catch (err) {
      // Without this the client keeps reconnecting and holds the process open.
      client.disconnect();
      throw err;
    }
    return new ValkeyStore(client);
  }

  get roundTrips(): number {
    return this.#roundTrips;
  }

  #rt<T>(p: Promise<T>): Promise<T> {
    this.#roundTrips++;
    return p.catch((err: unknown) => {
      if (err instanceof Error && err.message === "Command timed out") this.#suspectHung();
      throw mapError(err);
    });
  }

  /**
   * A command went unanswered: the server may hang with the connection open (stopped process,
   * partition). Reconnecting makes every later command fail at once ("not writeable") until the
   * server answers the new connection's ready check, instead of each waiting for its timeout.
   */
  #suspectHung(): void {
    // A cluster drops and re-maps a lost node by itself.
    if (!this.#cluster && this.#client.status === "ready") this.#client.disconnect(true);
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
  /** In cluster mode one DEL per slot, sent together. */
  async del(...keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const groups = this.#cluster ? groupBySlot(keys, (k) => k) : [keys];
    const counts = await Promise.all(groups.map((g) => this.#rt(this.#client.del(...g))));
    return counts.reduce((a, b) => a + b, 0);
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
  async scanKeys(match: string, options: { signal?: AbortSignal } = {}): Promise<string[]> {
    const nodes = this.#client instanceof Cluster ? this.#client.nodes("master") : [this.#client];
    const out: string[] = [];
    for (const node of nodes) {
      let cursor = "0";
      do {
        if (options.signal?.aborted) return out;
        const [next, found] = await this.#rt(node.scan(cursor, "MATCH", match, "COUNT", 1000));
        out.push(...found);
        cursor = next;
      } while (cursor !== "0");
    }
    return out;
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
      // No command timeout (a read may block longer), and a blocking read cut by a reconnect is
      // simply sent again: entries it had delivered stay pending and are claimed later.
      const dup =
        this.#client instanceof Redis
          ? this.#client.duplicate({
              commandTimeout: undefined,
              autoResendUnfulfilledCommands: true,
            } as unknown as Partial<RedisOptions>)
          : this.#client.duplicate([], {
              redisOptions: { ...this.#client.options.redisOptions, commandTimeout: undefined },
            });
      dup.on("error", () => {});
      this.#blocking = dup;
      await dup.connect().catch((err: unknown) => {
        this.#blocking = undefined;
        dup.disconnect();
        throw mapError(err);
      });
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
    if (this.#cluster && !sameSlot(keys)) {
      throw new Error(`script ${script.name}: its keys must share one hash slot (use a hash tag)`);
    }
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

  async waitForReplicas(key: string, replicas: number, timeoutMs: number): Promise<number | null> {
    if (!this.#cluster) return null;
    // Keyless WAIT rides with a read of `key`, so it runs on that key's node connection.
    const res = await this.#rt(this.#client.pipeline().exists(key).call("WAIT", replicas, timeoutMs).exec());
    const [err, n] = res?.[1] ?? [null, 0];
    if (err) throw mapError(err);
    return Number(n);
  }

  pipeline(): Pipeline {
    return valkeyPipeline({
      open: () => this.#client.pipeline(),
      auto: this.#client instanceof Redis ? this.#client : undefined,
      cluster: this.#cluster,
      send: (exec) => this.#rt(exec),
      mapError,
    });
  }

  command(name: string, ...args: (string | Buffer | number)[]): Promise<unknown> {
    return this.#rt(this.#client.call(name, ...args));
  }

  publish(channel: string, message: string): Promise<number> {
    return this.#rt(this.#client.publish(channel, message));
  }

  async subscribe(channel: string, handlers: SubscriptionHandlers): Promise<Subscription> {
    const sub =
      this.#client instanceof Redis
        ? this.#client.duplicate({ enableAutoPipelining: false })
        : this.#client.duplicate();
    sub.on("error", () => {});
    // iovalkey subscribes again after a reconnect; what was published meanwhile is lost.
    sub.on("close", () => handlers.lost());
    sub.on("message", (ch: string, text: string) => {
      if (ch === channel) handlers.message(text);
    });
    try {
      await sub.connect();
      await sub.subscribe(channel);
    } catch (err) {
      sub.disconnect();
      throw mapError(err);
    }
    this.#subscribers.add(sub);
    return {
      close: () => {
        this.#subscribers.delete(sub);
        sub.disconnect();
      },
    };
  }

  async close(): Promise<void> {
    for (const sub of this.#subscribers) sub.disconnect();
    this.#blocking?.disconnect();
    await this.#client.quit().catch(() => this.#client.disconnect());
  }
}
