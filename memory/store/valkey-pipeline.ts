/**
 * `ValkeyStore.pipeline()` and the cluster-safe multi-key helpers. A Valkey cluster refuses a
 * command or pipeline whose keys hash to different slots, so in cluster mode the store splits the
 * work per slot and sends the parts at the same time: callers may mix keys freely, results come
 * back in the order they were queued.
 */
import calculateSlot from "cluster-key-slot";
import type { ChainableCommander } from "iovalkey";
import type { Pipeline } from "./types.js";

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

interface Op {
  key: string;
  /** Raw commands queued for this op, and which raw reply stands for it. */
  n: number;
  pick: number;
  queue: (pipe: ChainableCommander) => void;
}

type RawReplies = [error: Error | null, result: unknown][] | null;

export interface PipelineDeps {
  /** A fresh iovalkey pipeline. */
  open: () => ChainableCommander;
  /** Split per slot (cluster mode). */
  cluster: boolean;
  /** Sends one raw pipeline (counts the round trip, maps transport faults). */
  send: (exec: Promise<RawReplies>) => Promise<RawReplies>;
  /** What a failed command's slot holds. */
  mapError: (err: unknown) => unknown;
}

const px = (ms: number): number => Math.max(1, Math.round(ms));

export function valkeyPipeline(deps: PipelineDeps): Pipeline {
  const ops: Op[] = [];
  const one = (key: string, queue: Op["queue"]): Pipeline => {
    ops.push({ key, n: 1, pick: 0, queue });
    return p;
  };
  const p: Pipeline = {
    get: (k) => one(k, (q) => q.get(k)),
    set: (k, v, o) =>
      one(k, (q) => {
        const args: (string | number)[] = [];
        if (o?.ttlMs !== undefined) args.push("PX", px(o.ttlMs));
        if (o?.nx) args.push("NX");
        q.call("SET", k, v, ...args);
      }),
    del: (k) => one(k, (q) => q.del(k)),
    hgetall: (k) => one(k, (q) => q.hgetall(k)),
    hset: (k, f) => one(k, (q) => q.hset(k, f)),
    lrange: (k, s, e) => one(k, (q) => q.lrange(k, s, e)),
    rpushCapped: (k, v, c) => {
      ops.push({
        key: k,
        n: 3,
        pick: 2,
        queue: (q) =>
          q
            .rpush(k, ...v)
            .ltrim(k, -c, -1)
            .llen(k),
      });
      return p;
    },
    pexpire: (k, t) => one(k, (q) => q.pexpire(k, px(t))),
    exec: async () => {
      if (ops.length === 0) return [];
      const index = new Map(ops.map((op, i) => [op, i]));
      const groups = deps.cluster ? groupBySlot(ops, (op) => op.key) : [ops];
      const out: unknown[] = new Array(ops.length);
      await Promise.all(
        groups.map(async (group) => {
          const pipe = deps.open();
          for (const op of group) op.queue(pipe);
          const raw = (await deps.send(pipe.exec())) ?? [];
          let i = 0;
          for (const op of group) {
            const replies = raw.slice(i, i + op.n);
            i += op.n;
            const failed = replies.find(([err]) => err);
            out[index.get(op)!] = failed ? deps.mapError(failed[0]) : replies[op.pick]?.[1];
          }
        }),
      );
      return out;
    },
  };
  return p;
}
