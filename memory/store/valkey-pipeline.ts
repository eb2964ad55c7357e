/**
 * `ValkeyStore.pipeline()` and the cluster-safe multi-key helpers. A Valkey cluster refuses a
 * command or pipeline whose keys hash to different slots, so in cluster mode the store splits the
 * work per slot and sends the parts at the same time: callers may mix keys freely, results come
 * back in the order they were queued.
 */
import calculateSlot from "cluster-key-slot";
import type { ChainableCommander, Redis } from "iovalkey";
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
  | ["xadd", string, ...(string | number)[]];

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
  const sent = ops.flatMap((op) => op.commands.map((c) => apply(client, c) as Promise<unknown>));
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
    xadd: (k, f, o) => {
      const args: (string | number)[] = o?.maxLen !== undefined ? ["MAXLEN", "~", o.maxLen] : [];
      args.push("*", ...Object.entries(f).flat());
      return one(k, ["xadd", k, ...args]);
    },
    exec: async () => {
      if (ops.length === 0) return [];
      const index = new Map(ops.map((op, i) => [op, i]));
      const groups = deps.cluster ? groupBySlot(ops, (op) => op.key) : [ops];
      const out: unknown[] = new Array(ops.length);
      await Promise.all(
        groups.map(async (group) => {
          let sending: Promise<RawReplies>;
          if (deps.auto) sending = viaAuto(deps.auto, group);
          else {
            const pipe = deps.open();
            for (const op of group) for (const c of op.commands) apply(pipe, c);
            sending = pipe.exec();
          }
          const raw = (await deps.send(sending)) ?? [];
          let i = 0;
          for (const op of group) {
            const replies = raw.slice(i, i + op.commands.length);
            i += op.commands.length;
            const failed = replies.find(([err]) => err);
            const reply = replies[op.pick]?.[1];
            out[index.get(op)!] = failed ? deps.mapError(failed[0]) : op.map ? op.map(reply) : reply;
          }
        }),
      );
      return out;
    },
  };
  return p;
}
