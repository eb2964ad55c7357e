/**
 * The Valkey deployments the store-backed suites run against: the standalone server (6379 or
 * TEST_VALKEY_URL) and a private 3+3 cluster (support/valkey-cluster.ts). Where `redis-server`
 * is missing the cluster target is left out with a printed reason, and fails the run in CI.
 * A suite that uses the cluster target calls `stopSharedCluster` in its `afterAll`.
 */
import { InProcessStore } from "../../memory/store/inprocess.js";
import type { ShortTermStore } from "../../memory/store/types.js";
import { ValkeyStore } from "../../memory/store/valkey.js";
import { TEST_VALKEY_URL } from "./env.js";
import { clusterSkipReason, sharedCluster } from "./valkey-cluster.js";

export { stopSharedCluster } from "./valkey-cluster.js";

export interface ValkeyTarget {
  name: string;
  /** A new connection (call twice for two "processes"). */
  connect(): Promise<ValkeyStore>;
  /** `VALKEY_URL` / `VALKEY_CLUSTER` for a runtime on this target. */
  env(): Promise<Record<string, string>>;
}

const standalone: ValkeyTarget = {
  name: "valkey",
  connect: () => ValkeyStore.connect({ url: TEST_VALKEY_URL }),
  env: async () => ({ VALKEY_URL: TEST_VALKEY_URL, VALKEY_CLUSTER: "false" }),
};

const cluster: ValkeyTarget = {
  name: "valkey-cluster",
  connect: async () => ValkeyStore.connect({ url: (await sharedCluster()).url, cluster: true }),
  env: async () => ({ VALKEY_URL: (await sharedCluster()).url, VALKEY_CLUSTER: "true" }),
};

/** Standalone, and the cluster where it can run. */
export function valkeyTargets(): ValkeyTarget[] {
  return clusterSkipReason() === undefined ? [standalone, cluster] : [standalone];
}

/** `[name, open]` pairs for `describe.each`: every Valkey target and the in-process store. */
export function storeBackends(): Array<[string, () => Promise<ShortTermStore>]> {
  return [
    ...valkeyTargets().map((t): [string, () => Promise<ShortTermStore>] => [t.name, () => t.connect()]),
    ["in-process", async () => new InProcessStore()],
  ];
}
