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
 * KEYS[1] checkpoint hash; ARGV: expected version, data JSON, updatedAt, ttl ms.
 * Returns the new version (> 0), or -(current version) - 1 when the expectation is stale.
 */
const casScript: Script<number> = {
  name: "flightly-checkpoint-cas",
  lua: `
local current = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if current ~= tonumber(ARGV[1]) then return -current - 1 end
local nextVersion = current + 1
redis.call('HSET', KEYS[1], 'version', nextVersion, 'data', ARGV[2], 'updated_at', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return nextVersion`,
  local: (ops, keys, args) => {
    const key = keys[0]!;
    const current = Number(ops.hget(key, "version") ?? "0");
    if (current !== Number(args[0])) return -current - 1;
    const nextVersion = current + 1;
    ops.hset(key, { version: String(nextVersion), data: args[1]!, updated_at: args[2]! });
    ops.pexpire(key, Number(args[3]));
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

async function compareAndSet(
  store: ShortTermStore,
  scope: SessionScope,
  expectedVersion: number,
  data: CheckpointData,
  options?: SessionTtlOptions,
): Promise<Checkpoint> {
  if (!Number.isInteger(expectedVersion) || expectedVersion < 0) {
    throw new FlightlyError("BAD_REQUEST", "expectedVersion must be a non-negative integer");
  }
  const key = sessionKeys(scope).checkpoint;
  // Every string is redacted at the write (a typed card keeps its last four digits only).
  data = redactJson(data);
  const updatedAt = new Date().toISOString();
  const result = await store.runScript(
    casScript,
    [key],
    [String(expectedVersion), JSON.stringify(data), updatedAt, String(sessionTtlMs(options))],
  );
  const n = Number(result);
  if (n > 0) return { version: n, data, updatedAt };
  throw new CheckpointConflictError(key, expectedVersion, -n - 1);
}

/**
 * Writes `data` if the checkpoint is still at `expectedVersion` (0: none yet); returns the new
 * version. @throws CheckpointConflictError when another writer got there first.
 */
export async function writeCheckpoint(
  store: ShortTermStore,
  scope: SessionScope,
  expectedVersion: number,
  data: CheckpointData,
  options?: SessionTtlOptions,
): Promise<number> {
  return (await compareAndSet(store, scope, expectedVersion, data, options)).version;
}
