/**
 * Short leases in the short-term store: `SET NX PX` to take, compare-and-delete to release, so
 * a holder never frees a lease another process took after its own expired. While the store is
 * unreachable, leases fall back to this process only.
 *
 * A lease is taken for a short slice (`sliceMs`, at most the requested TTL) and renewed while its
 * holder lives, up to the requested TTL: a holder that crashes (SIGKILL, OOM, a lost host) frees
 * the key within one slice instead of blocking it for the whole TTL.
 */
import { randomUUID } from "node:crypto";
import type { Script, ShortTermStore } from "./store/types.js";

const release: Script<number> = {
  name: "lease-release",
  lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
  local: (ops, keys, args) => (ops.get(keys[0]!) === args[0] ? ops.del(keys[0]!) : 0),
};

/** Extends the lease only while it still holds our token. */
const renew: Script<number> = {
  name: "lease-renew",
  lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`,
  local: (ops, keys, args) => {
    if (ops.get(keys[0]!) !== args[0]) return 0;
    ops.pexpire(keys[0]!, Number(args[1]));
    return 1;
  },
};

export interface Lease {
  release(): Promise<void>;
  /** Attempts it took to take the lease (1: it was free at once). */
  readonly tries: number;
}

export interface LeaseOptions {
  /**
   * How long a lease outlives a holder that died, milliseconds (default 5,000). Live holders
   * renew it every third of a slice.
   */
  sliceMs?: number;
}

export class Leases {
  readonly #local = new Set<string>();
  readonly #sliceMs: number;
  constructor(
    private readonly store: ShortTermStore,
    options: LeaseOptions = {},
  ) {
    this.#sliceMs = Math.max(30, options.sliceMs ?? 5_000);
  }

  /**
   * Tries until `waitMs` has passed; undefined when the lease stayed taken. The lease lasts until
   * released, or `ttlMs` at most (a crashed holder's lease lapses after one slice).
   */
  async acquire(key: string, ttlMs: number, waitMs: number): Promise<Lease | undefined> {
    const token = randomUUID();
    const until = Date.now() + waitMs;
    for (let tries = 1; ; tries++) {
      const got = await this.#tryOnce(key, token, ttlMs);
      if (got) return { release: got.release, tries };
      if (Date.now() >= until) return undefined;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async #tryOnce(key: string, token: string, ttlMs: number): Promise<Pick<Lease, "release"> | undefined> {
    const slice = Math.max(1, Math.min(ttlMs, this.#sliceMs));
    const expiresAt = Date.now() + ttlMs;
    try {
      if (!(await this.store.set(key, token, { nx: true, ttlMs: slice }))) return undefined;
    } catch {
      if (this.#local.has(key)) return undefined;
      this.#local.add(key);
      return {
        release: async () => {
          this.#local.delete(key);
        },
      };
    }
    let timer: NodeJS.Timeout | undefined;
    if (slice < ttlMs) {
      timer = setInterval(
        () => {
          const left = Math.min(slice, expiresAt - Date.now());
          if (left <= 0) {
            clearInterval(timer);
            return;
          }
          this.store.runScript(renew, [key], [token, String(left)]).then(
            (held) => {
              if (Number(held) !== 1) clearInterval(timer); // lost (expired and taken): stop
            },
            () => {}, // the store is unreachable: try again at the next tick
          );
        },
        Math.max(10, Math.floor(slice / 3)),
      );
      timer.unref();
    }
    return {
      release: async () => {
        clearInterval(timer);
        await this.store.runScript(release, [key], [token]).catch(() => {});
      },
    };
  }
}
