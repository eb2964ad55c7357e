/** `flightly bench`: see BENCHMARKS.md for the method. */
import type { Config } from "../core/config.js";
import type { Logger } from "../core/logger.js";

export interface BenchOptions {
  config: Config;
  logger: Logger;
  /** CI smoke: fewer iterations, finishes in under two minutes. */
  quick: boolean;
}

export async function runBench(_options: BenchOptions): Promise<void> {
  throw new Error("benchmarks are being written");
}
