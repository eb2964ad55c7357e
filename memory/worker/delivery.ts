/**
 * The tiering worker's delivery accounting: how often a stream entry was delivered and why it
 * last failed (kept beside the entry), and which failures are worth retrying.
 */
import { FlightlyError } from "../../core/errors.js";
import type { Script } from "../store/types.js";

/**
 * Per-entry delivery record, a hash {deliveries, error}. KEYS[1] record; ARGV: mode (`claim`
 * counts one more delivery, `fail` records the error), error text, ttl ms. A first delivery has
 * no record and counts as 1. Returns {deliveries, last error}.
 */
export const deliveryScript: Script<[number, string]> = {
  name: "flightly-worker-delivery",
  lua: `
local n = tonumber(redis.call('HGET', KEYS[1], 'deliveries') or '1')
if ARGV[1] == 'claim' then n = n + 1 end
redis.call('HSET', KEYS[1], 'deliveries', n)
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'error', ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {n, redis.call('HGET', KEYS[1], 'error') or ''}`,
  local: (ops, keys, args) => {
    const key = keys[0]!;
    let n = Number(ops.hget(key, "deliveries") ?? "1");
    if (args[0] === "claim") n += 1;
    ops.hset(key, { deliveries: String(n) });
    if (args[1]) ops.hset(key, { error: args[1] });
    ops.pexpire(key, Number(args[2]));
    return [n, ops.hget(key, "error") ?? ""];
  },
};

export const DELIVERY_TTL_MS = 7 * 86_400_000;

export const errorText = (err: unknown): string => {
  const e = err as { code?: unknown; message?: unknown };
  const text = `${typeof e?.code === "string" ? `${e.code}: ` : ""}${String(e?.message ?? err)}`;
  return text.slice(0, 500);
};

export const isPermanent = (err: unknown): boolean =>
  err instanceof FlightlyError && (err.code === "BAD_REQUEST" || err.code === "FORBIDDEN");
