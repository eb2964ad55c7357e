import type { Config } from "../../core/config.js";
import { InProcessStore } from "./inprocess.js";
import type { ShortTermStore } from "./types.js";
import { ValkeyStore } from "./valkey.js";

export { InProcessStore } from "./inprocess.js";
export type { ShortTermStore } from "./types.js";

/** Valkey when `VALKEY_URL` is set, otherwise the in-process store. */
export async function openShortTermStore(config: Config): Promise<ShortTermStore> {
  if (!config.valkey.url) return new InProcessStore();
  return ValkeyStore.connect({ url: config.valkey.url, cluster: config.valkey.cluster });
}
