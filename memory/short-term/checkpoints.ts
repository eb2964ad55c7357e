/**
 * Workflow checkpoints: one versioned record per session (the orchestrator's workflow record as
 * `plan`, and the steps completed so far with their outputs). Every write is
 * a compare-and-set on the version, atomic on the server (a Lua script that runs the same on
 * Redis 7 and Valkey 7.2 / 8, and in-process): a stale writer gets `CheckpointConflictError`,
 * never a silent overwrite.
 */
import { CheckpointConflictError, FlightlyError } from "../../core/errors.js";
import type { JsonValue } from "../../core/json.js";
import { redactJson } from "../../core/redact.js";
import type { Script, ShortTermStore } from "../store/types.js";
import { type SessionScope, type SessionTtlOptions, sessionKeys, sessionTtlMs } from "./session.js";

export interface CompletedStep {
  /** Step name from the plan, e.g. `book_hotel`. */
  step: string;
  agent?: string;
  output: JsonValue;
  /** ISO timestamp. */
  at: string;
}

export interface CheckpointData {
  /** The current plan, in whatever shape the orchestrator uses. */
  plan: JsonValue;
  steps: CompletedStep[];
}

export interface Checkpoint {
  /** 1 for the first write; each accepted write adds one. */
  version: number;
  data: CheckpointData;
  updatedAt: string;
}

/**
 * KEYS[1] checkpoint hash, KEYS[2] (optional) the session's state hash; ARGV: expected version,
 * data JSON, updatedAt, ttl ms, then state field/value pairs written with the checkpoint.
 * Returns the new version (> 0), or -(current version) - 1 when the expectation is stale (nothing
 * is written then, state included).
 */
const casScript: Script<number> = {
  name: "flightly-checkpoint-cas-state",
  lua: `
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then return -current - 1 end
local nextVersion = current + 1
redis.call('HSET', KEYS[1], 'version', nextVersion, 'data', ARGV[2], 'updated_at', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
if KEYS[2] and #ARGV > 4 then
  redis.call('HSET', KEYS[2], unpack(ARGV, 5))
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
return nextVersion`,
  local: (ops, keys, args) => {
    const key = keys[0]!;
    const current = Number(ops.hget(key, "version") ?? "0");
    if (current !== Number(args[0])) return -current - 1;
    const nextVersion = current + 1;
    ops.hset(key, { version: String(nextVersion), data: args[1]!, updated_at: args[2]! });
    ops.pexpire(key, Number(args[3]));
    if (keys[1] !== undefined && args.length > 4) {
      const fields: Record<string, string> = {};
      for (let i = 4; i + 1 < args.length; i += 2) fields[args[i]!] = args[i + 1]!;
      ops.hset(keys[1], fields);
      ops.pexpire(keys[1], Number(args[3]));
    }
    return nextVersion;
  },
};

/** Decodes a checkpoint hash (as HGETALL returns it); null when absent or unreadable. */
export function parseCheckpoint(hash: unknown): Checkpoint | null {
  if (!hash || typeof hash !== "object") return null;
  const h = hash as Record<string, string>;
  const version = Number(h.version);
  if (!h.data || !Number.isInteger(version) || version < 1) return null;
  try {
    const data = JSON.parse(h.data) as Partial<CheckpointData>;
    if (!data || typeof data !== "object" || !Array.isArray(data.steps)) return null;
    return { version, data: { plan: data.plan ?? null, steps: data.steps }, updatedAt: h.updated_at ?? "" };
  } catch {
    return null;
  }
}

/** The session's checkpoint, or null when none was written (or it expired). */
export async function getCheckpoint(store: ShortTermStore, scope: SessionScope): Promise<Checkpoint | null> {
  return parseCheckpoint(await store.hgetall(sessionKeys(scope).checkpoint));
}

export interface CheckpointWriteOptions extends SessionTtlOptions {
  /**
   * Session state fields written with the checkpoint, in the same atomic step: only when the
   * compare-and-set succeeds, and in the same round trip.
   */
  state?: Readonly<Record<string, string>>;
}

async function compareAndSet(
  store: ShortTermStore,
  scope: SessionScope,
  expectedVersion: number,
  data: CheckpointData,
  options?: CheckpointWriteOptions,
): Promise<Checkpoint> {
  if (!Number.isInteger(expectedVersion) || expectedVersion < 0) {
    throw new FlightlyError("BAD_REQUEST", "expectedVersion must be a non-negative integer");
  }
  const k = sessionKeys(scope);
  // Every string is redacted at the write (a typed card keeps its last four digits only).
  data = redactJson(data);
  const updatedAt = new Date().toISOString();
  const state = options?.state ? Object.entries(redactJson({ ...options.state })) : [];
  const result = await store.runScript(
    casScript,
    state.length > 0 ? [k.checkpoint, k.state] : [k.checkpoint],
    [
      String(expectedVersion),
      JSON.stringify(data),
      updatedAt,
      String(sessionTtlMs(options)),
      ...state.flatMap(([f, v]) => [f, String(v)]),
    ],
  );
  const n = Number(result);
  if (n > 0) return { version: n, data, updatedAt };
  throw new CheckpointConflictError(k.checkpoint, expectedVersion, -n - 1);
}

/**
 * Writes `data` if the checkpoint is still at `expectedVersion` (0: none yet); returns the new
 * version. With `options.state`, those session state fields are written in the same step.
 * @throws CheckpointConflictError when another writer got there first.
 */
export async function writeCheckpoint(
  store: ShortTermStore,
  scope: SessionScope,
  expectedVersion: number,
  data: CheckpointData,
  options?: CheckpointWriteOptions,
): Promise<number> {
  return (await compareAndSet(store, scope, expectedVersion, data, options)).version;
}
