/**
 * `ValkeyStore.pipeline()` and the cluster-safe multi-key helpers. A Valkey cluster refuses a
 * command or pipeline whose keys hash to different slots, so in cluster mode the store splits the
 * work per slot and sends the parts at the same time: callers may mix keys freely, results come
 * back in the order they were queued.
 */
import calculateSlot from "cluster-key-slot";
import type { ChainableCommander, Cluster, Redis } from "iovalkey";
import type { Pipeline } from "./types.js";
import { unreachable } from "./valkey-errors.js";

/** Items grouped by the hash slot of their key, first-seen order kept within each group. */
export function groupBySlot<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const slot = calculateSlot(key(item));
    const group = groups.get(slot);
    if (group) group.push(item);
    else groups.set(slot, [item]);
  }
  return [...groups.values()];
}

/** Whether every key hashes to one slot (a script's or a transaction's keys must). */
export const sameSlot = (keys: readonly string[]): boolean =>
  keys.length < 2 || keys.every((k) => calculateSlot(k) === calculateSlot(keys[0]!));

/** One queued command, applied to an iovalkey pipeline or to the auto-pipelining client alike. */
type Command =
  | ["get", string]
  | ["set", string, string | Buffer, ...(string | number)[]]
  | ["del", string]
  | ["hgetall", string]
  | ["hset", string, Record<string, string>]
  | ["lrange", string, number, number]
  | ["rpush", string, ...string[]]
  | ["ltrim", string, number, number]
  | ["llen", string]
  | ["pexpire", string, number]
  | ["appendCapped", string, number, number, ...string[]]
  | ["xadd", string, ...(string | number)[]];

/**
 * RPUSH, LTRIM to the newest `cap` and PEXPIRE in one script (`defineAppendCapped`): a history
 * append is one command instead of three. Replies with the length before the trim.
 */
const APPEND_CAPPED = "flightlyAppendCapped";
const APPEND_CAPPED_LUA = `local n = redis.call('RPUSH', KEYS[1], unpack(ARGV, 3))
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[1]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return n`;
type AppendCapped = Record<typeof APPEND_CAPPED, (...args: (string | number)[]) => unknown>;

/**
 * Defines the script command on a client (before any pipeline is made from it). iovalkey sends it
 * as EVALSHA, as EVAL on a connection that has not run it yet, and again after a NOSCRIPT.
 */
export function defineAppendCapped(client: Redis | Cluster): void {
  client.defineCommand(APPEND_CAPPED, { numberOfKeys: 1, lua: APPEND_CAPPED_LUA });
}

/** What both an iovalkey pipeline and a client can be asked (replies differ: queued vs promised). */
type Target = ChainableCommander | Redis;

function apply(t: Target, c: Command): unknown {
  switch (c[0]) {
    case "get":
      return t.get(c[1]);
    case "set":
      return t.call("SET", c[1], c[2], ...c.slice(3));
    case "del":
      return t.del(c[1]);
    case "hgetall":
      return t.hgetall(c[1]);
    case "hset":
      return t.hset(c[1], c[2]);
    case "lrange":
      return t.lrange(c[1], c[2], c[3]);
    case "rpush":
      return t.rpush(c[1], ...c.slice(2));
    case "ltrim":
      return t.ltrim(c[1], c[2], c[3]);
    case "llen":
      return t.llen(c[1]);
    case "pexpire":
      return t.pexpire(c[1], c[2]);
    case "xadd":
      return t.call("XADD", c[1], ...c.slice(2));
    case "appendCapped":
      return (t as unknown as AppendCapped)[APPEND_CAPPED](c[1], c[2], c[3], ...c.slice(4));
  }
}

interface Op {
  key: string;
  /** The raw commands of this op, and which raw reply stands for it. */
  commands: Command[];
  pick: number;
  /** Makes the picked reply the op's result (default: as it came). */
  map?: (reply: unknown) => unknown;
}

type RawReplies = [error: Error | null, result: unknown][] | null;

export interface PipelineDeps {
  /** A fresh iovalkey pipeline. */
  open: () => ChainableCommander;
  /**
   * A standalone client with auto-pipelining on: the commands are sent through it instead, so the
   * pipelines of concurrent requests issued in one turn of the event loop share one write and one
   * round trip (iovalkey's `enableAutoPipelining`). Their commands stay contiguous and in order.
   */
  auto?: Redis | undefined;
  /** Split per slot (cluster mode). */
  cluster: boolean;
  /** Sends one raw pipeline (counts the round trip, maps transport faults). */
  send: (exec: Promise<RawReplies>) => Promise<RawReplies>;
  /** What a failed command's slot holds. */
  mapError: (err: unknown) => unknown;
}

const px = (ms: number): number => Math.max(1, Math.round(ms));

/** The commands of `ops` on the auto-pipelining client, replies in the raw pipeline shape. */
async function viaAuto(client: Redis, ops: readonly Op[]): Promise<RawReplies> {
  const sent: Promise<unknown>[] = [];
  for (const op of ops) for (const c of op.commands) sent.push(apply(client, c) as Promise<unknown>);
  const settled = await Promise.allSettled(sent);
  // A command the server never answered (not connected, timed out) fails the whole exec, as an
  // unanswered pipeline does; an error the server replied stays in its command's slot.
  const lost = settled.find(
    (s) => s.status === "rejected" && (s.reason as Error)?.name !== "ReplyError" && unreachable(s.reason),
  );
  if (lost) throw (lost as PromiseRejectedResult).reason;
  return settled.map((s) =>
    s.status === "fulfilled"
      ? [null, s.value]
      : [s.reason instanceof Error ? s.reason : new Error(String(s.reason)), null],
  );
}

/** Each op's result from the raw replies of its commands (`put(i, result)` for the i-th op of `group`). */
function readReplies(
  group: readonly Op[],
  raw: NonNullable<RawReplies>,
  mapError: (err: unknown) => unknown,
  put: (i: number, result: unknown) => void,
): void {
  let at = 0;
  for (let i = 0; i < group.length; i++) {
    const op = group[i]!;
    let failed: Error | null = null;
    for (let j = at; j < at + op.commands.length && !failed; j++) failed = raw[j]?.[0] ?? null;
    const reply = raw[at + op.pick]?.[1];
    at += op.commands.length;
    put(i, failed ? mapError(failed) : op.map ? op.map(reply) : reply);
  }
}

export function valkeyPipeline(deps: PipelineDeps): Pipeline {
  const ops: Op[] = [];
  const one = (key: string, command: Command): Pipeline => {
    ops.push({ key, commands: [command], pick: 0 });
    return p;
  };
  const p: Pipeline = {
    get: (k) => one(k, ["get", k]),
    set: (k, v, o) => {
      const args: (string | number)[] = [];
      if (o?.ttlMs !== undefined) args.push("PX", px(o.ttlMs));
      if (o?.nx) args.push("NX");
      return one(k, ["set", k, v, ...args]);
    },
    del: (k) => one(k, ["del", k]),
    hgetall: (k) => one(k, ["hgetall", k]),
    hset: (k, f) => one(k, ["hset", k, f]),
    lrange: (k, s, e) => one(k, ["lrange", k, s, e]),
    rpushCapped: (k, v, c) => {
      ops.push({
        key: k,
        // The push's reply is the length before the trim: the list then holds at most `c`.
        commands: [
          ["rpush", k, ...v],
          ["ltrim", k, -c, -1],
        ],
        pick: 0,
        map: (n) => Math.min(Number(n), c),
      });
      return p;
    },
    pexpire: (k, t) => one(k, ["pexpire", k, px(t)]),
    appendCapped: (k, v, c, t) => {
      ops.push({
        key: k,
        commands: [["appendCapped", k, c, px(t), ...v]],
        pick: 0,
        map: (n) => Math.min(Number(n), c),
      });
      return p;
    },
    xadd: (k, f, o) => {
      const args: (string | number)[] = o?.maxLen !== undefined ? ["MAXLEN", "~", o.maxLen] : [];
      args.push("*", ...Object.entries(f).flat());
      return one(k, ["xadd", k, ...args]);
    },
    exec: async () => {
      if (ops.length === 0) return [];
      const out: unknown[] = new Array(ops.length);
      // One connection, one group: replies come back in the order the ops were queued.
      if (!deps.cluster) {
        readReplies(ops, (await deps.send(send(ops))) ?? [], deps.mapError, (i, v) => {
          out[i] = v;
        });
        return out;
      }
      const index = new Map(ops.map((op, i) => [op, i]));
      await Promise.all(
        groupBySlot(ops, (op) => op.key).map(async (group) => {
          readReplies(group, (await deps.send(send(group))) ?? [], deps.mapError, (i, v) => {
            out[index.get(group[i]!)!] = v;
          });
        }),
      );
      return out;
    },
  };
  const send = (group: readonly Op[]): Promise<RawReplies> => {
    if (deps.auto) return viaAuto(deps.auto, group);
    const pipe = deps.open();
    for (const op of group) for (const c of op.commands) apply(pipe, c);
    return pipe.exec();
  };
  return p;
}
