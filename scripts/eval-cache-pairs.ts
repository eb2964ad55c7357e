/**
 * The response cache's decision on labelled pairs, without servers (`cacheDecision`, the rule
 * `SemanticCache.lookup` applies): the first text is cached, the second asked. Reports recall on
 * same-meaning pairs and false hits on different ones, for the project's own paraphrase pairs
 * (reported apart) and for the pairs built from the public data sets (`bench/eval/cache-pairs.ts`).
 *
 *   node dist/scripts/eval-cache-pairs.js [--split check|tune] [--per-kind 1000] [--threshold t]
 *     [--atis path] [--clinc path] [--own pairs.json]
 */
import { join } from "node:path";
import {
  buildPairs,
  type DataPair,
  formatTally,
  SHARED_EVAL,
  tallyPairs,
} from "../bench/eval/cache-pairs.js";
import { loadConfig } from "../core/config.js";
import { DEFAULT_PAIRS_FILE, loadPairs } from "./eval-embeddings.js";

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const threshold = Number(at("--threshold") ?? loadConfig({}).semanticCache.threshold);
  const split = (at("--split") ?? "check") as "tune" | "check";
  const perKind = Number(at("--per-kind") ?? 1000);
  const atis = at("--atis") ?? join(SHARED_EVAL, "atis-train.jsonl");
  const clinc = at("--clinc") ?? join(SHARED_EVAL, "clinc150-dev.jsonl");
  const own = at("--own") ?? DEFAULT_PAIRS_FILE;
  const ownPairs: DataPair[] = loadPairs(own).map((p) => ({
    a: p.a,
    b: p.b,
    set: p.same ? "same" : "atis-different",
    slot: p.kind,
  }));
  const ownTally = await tallyPairs(ownPairs, threshold);
  console.log(`own pairs (${own}), threshold ${threshold}:`);
  console.log(
    `  recall ${ownTally.same.hits}/${ownTally.same.pairs}, false hits ${ownTally["atis-different"].hits}/${ownTally["atis-different"].pairs}`,
  );
  for (const e of ownTally["atis-different"].examples) console.log(`  false hit: ${e}`);
  const pairs = buildPairs({ atis, clinc, split, perKind });
  console.log(`public pairs, ${split} split, up to ${perKind} per kind, threshold ${threshold}:`);
  for (const line of formatTally(await tallyPairs(pairs, threshold))) console.log(`  ${line}`);
}

await main();
