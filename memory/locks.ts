/**
 * Short leases in the short-term store: `SET NX PX` to take, compare-and-delete to release, so
 * a holder never frees a lease another process took after its own expired. While the store is
 * unreachable, leases fall back to this process only.
 */
import { randomUUID } from "node:crypto";
import type { Script, ShortTermStore } from "./store/types.js";

const release: Script<number> = {
  name: "lease-release",
  lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
  local: (ops, keys, args) => (ops.get(keys[0]!) === args[0] ? ops.del(keys[0]!) : 0),
};

export interface Lease {
  release(): Promise<void>;
}

export class Leases {
  readonly #local = new Set<string>();
  constructor(private readonly store: ShortTermStore) {}

  /** Tries until `waitMs` has passed; undefined when the lease stayed taken. */
  async acquire(key: string, ttlMs: number, waitMs: number): Promise<Lease | undefined> {
    const token = randomUUID();
    const until = Date.now() + waitMs;
    for (;;) {
      const got = await this.#tryOnce(key, token, ttlMs);
      if (got) return got;
      if (Date.now() >= until) return undefined;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async #tryOnce(key: string, token: string, ttlMs: number): Promise<Lease | undefined> {
    try {
      if (!(await this.store.set(key, token, { nx: true, ttlMs }))) return undefined;
      return {
        release: async () => {
          await this.store.runScript(release, [key], [token]).catch(() => {});
        },
      };
    } catch {
      if (this.#local.has(key)) return undefined;
      this.#local.add(key);
      return {
        release: async () => {
          this.#local.delete(key);
        },
      };
    }
  }
}
