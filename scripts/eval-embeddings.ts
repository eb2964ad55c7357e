/**
 * Evaluates an embedder on the labelled travel-question pairs (`test/fixtures/paraphrase-pairs.json`):
 * similarity distributions for same-meaning and different-meaning pairs (per kind), the threshold
 * that admits no false match and the recall it keeps, ROC AUC, and the median embed latency.
 *
 *   node dist/scripts/eval-embeddings.js [--json] [--baseline]
 *
 * `--baseline` also scores plain averaged word vectors for comparison. `evaluateEmbedder` is the
 * function the benchmark calls.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT } from "../core/paths.js";
import { LocalEmbedder } from "../memory/embeddings/local.js";
import type { Embedder } from "../memory/embeddings/types.js";

export type PairKind =
  | "paraphrase"
  | "city"
  | "date"
  | "amount"
  | "direction"
  | "negation"
  | "airline"
  | "topic";

export interface LabelledPair {
  a: string;
  b: string;
  same: boolean;
  kind: PairKind;
}

export interface Distribution {
  n: number;
  min: number;
  median: number;
  mean: number;
  max: number;
}

export interface EmbedderEvaluation {
  modelId: string;
  dimensions: number;
  pairs: number;
  same: Distribution;
  different: Distribution;
  byKind: Record<string, Distribution>;
  /** Mean same-pair similarity minus mean different-pair similarity. */
  separation: number;
  /** Probability that a random same pair scores above a random different pair. */
  auc: number;
  /** The lowest threshold that admits no different pair (just above the highest one). */
  zeroFalseMatch: { threshold: number; recall: number };
  /** The threshold with the best accuracy, and that accuracy. */
  bestAccuracy: { threshold: number; accuracy: number; recall: number; falseMatchRate: number };
  /** Median wall time of embedding one text on its own, in milliseconds. */
  latencyMedianMs: number;
  /** The pairs scored, with their similarity, worst offenders first within each label. */
  scored: Array<LabelledPair & { similarity: number }>;
}

export const DEFAULT_PAIRS_FILE: string = join(ROOT, "test", "fixtures", "paraphrase-pairs.json");

export function loadPairs(file: string = DEFAULT_PAIRS_FILE): LabelledPair[] {
  return JSON.parse(readFileSync(file, "utf8")) as LabelledPair[];
}

function median(sorted: readonly number[]): number {
  if (sorted.length === 0) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function distribution(values: readonly number[]): Distribution {
  const sorted = [...values].sort((x, y) => x - y);
  return {
    n: sorted.length,
    min: sorted[0] ?? Number.NaN,
    median: median(sorted),
    mean: sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length),
    max: sorted.at(-1) ?? Number.NaN,
  };
}

/** Cosine similarity of two vectors (a dot product for unit vectors, but robust to drift). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export interface EvaluateOptions {
  /** Texts timed one at a time for the latency figure (default: every distinct text, 3 rounds). */
  latencyRounds?: number;
}

/** Scores `embedder` on `pairs`; see `EmbedderEvaluation`. */
export async function evaluateEmbedder(
  embedder: Embedder,
  pairs: readonly LabelledPair[],
  options: EvaluateOptions = {},
): Promise<EmbedderEvaluation> {
  const texts = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
  const vectors = await embedder.embed(texts);
  const byText = new Map(texts.map((t, i) => [t, vectors[i]!]));
  const scored = pairs.map((p) => ({ ...p, similarity: cosine(byText.get(p.a)!, byText.get(p.b)!) }));

  const same = scored.filter((p) => p.same).map((p) => p.similarity);
  const diff = scored.filter((p) => !p.same).map((p) => p.similarity);
  const kinds = [...new Set(scored.map((p) => p.kind))];
  const byKind = Object.fromEntries(
    kinds.map((k) => [k, distribution(scored.filter((p) => p.kind === k).map((p) => p.similarity))]),
  );

  let wins = 0;
  for (const s of same) for (const d of diff) wins += s > d ? 1 : s === d ? 0.5 : 0;
  const auc = wins / Math.max(1, same.length * diff.length);

  const maxDiff = Math.max(...diff);
  const zeroThreshold = maxDiff + 1e-6;
  const zeroRecall = same.filter((s) => s >= zeroThreshold).length / Math.max(1, same.length);

  let bestAccuracy = { threshold: 0, accuracy: 0, recall: 0, falseMatchRate: 0 };
  for (const t of [...same, ...diff].sort((x, y) => x - y)) {
    const tp = same.filter((s) => s >= t).length;
    const fp = diff.filter((d) => d >= t).length;
    const accuracy = (tp + diff.length - fp) / scored.length;
    if (accuracy > bestAccuracy.accuracy) {
      bestAccuracy = {
        threshold: t,
        accuracy,
        recall: tp / Math.max(1, same.length),
        falseMatchRate: fp / Math.max(1, diff.length),
      };
    }
  }

  // Latency: each text on its own, after a warm-up pass.
  const rounds = options.latencyRounds ?? 3;
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const t of texts) {
      const t0 = performance.now();
      await embedder.embed([t]);
      times.push(performance.now() - t0);
    }
  }
  times.sort((x, y) => x - y);

  const sameDist = distribution(same);
  const diffDist = distribution(diff);
  scored.sort((x, y) =>
    x.same === y.same
      ? x.same
        ? x.similarity - y.similarity
        : y.similarity - x.similarity
      : x.same
        ? -1
        : 1,
  );
  return {
    modelId: embedder.modelId,
    dimensions: embedder.dimensions,
    pairs: scored.length,
    same: sameDist,
    different: diffDist,
    byKind,
    separation: sameDist.mean - diffDist.mean,
    auc,
    zeroFalseMatch: { threshold: zeroThreshold, recall: zeroRecall },
    bestAccuracy,
    latencyMedianMs: median(times),
    scored,
  };
}

/** The local embedder reduced to plain averaged word vectors: the baseline the tuning beats. */
export function plainAverageEmbedder(): LocalEmbedder {
  return new LocalEmbedder({
    tuning: {
      sifA: 1e9,
      removeComponents: 0,
      semanticWeight: 1,
      lexicalWeight: 0,
      entityWeight: 0,
      signatureWeight: 0,
      polarityWeight: 0,
      entityInSemantic: 1,
      oovWeight: 0,
    },
  });
}

const f3 = (x: number): string => x.toFixed(3);

export function formatEvaluation(e: EmbedderEvaluation, worst = 5): string {
  const lines: string[] = [];
  const row = (name: string, d: Distribution): string =>
    `  ${name.padEnd(12)} n=${String(d.n).padStart(3)}  min ${f3(d.min)}  median ${f3(d.median)}  mean ${f3(d.mean)}  max ${f3(d.max)}`;
  lines.push(`${e.modelId} (${e.dimensions} dims), ${e.pairs} pairs`);
  lines.push(row("same", e.same));
  lines.push(row("different", e.different));
  for (const [k, d] of Object.entries(e.byKind)) lines.push(row(k, d));
  lines.push(`  separation (mean same - mean different): ${f3(e.separation)}   ROC AUC: ${f3(e.auc)}`);
  lines.push(
    `  zero false matches: threshold ${f3(e.zeroFalseMatch.threshold)}, recall ${(e.zeroFalseMatch.recall * 100).toFixed(1)}%`,
  );
  lines.push(
    `  best accuracy: threshold ${f3(e.bestAccuracy.threshold)}, accuracy ${(e.bestAccuracy.accuracy * 100).toFixed(1)}%` +
      ` (recall ${(e.bestAccuracy.recall * 100).toFixed(1)}%, false matches ${(e.bestAccuracy.falseMatchRate * 100).toFixed(1)}%)`,
  );
  lines.push(`  embed latency, one text: median ${(e.latencyMedianMs * 1000).toFixed(1)} µs`);
  if (worst > 0) {
    lines.push("  lowest same-meaning pairs:");
    for (const p of e.scored.filter((s) => s.same).slice(0, worst))
      lines.push(`    ${f3(p.similarity)}  ${p.a} | ${p.b}`);
    lines.push("  highest different-meaning pairs:");
    for (const p of e.scored.filter((s) => !s.same).slice(0, worst)) {
      lines.push(`    ${f3(p.similarity)}  [${p.kind}] ${p.a} | ${p.b}`);
    }
  }
  return lines.join("\n");
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const pairs = loadPairs();
  const results = [await evaluateEmbedder(new LocalEmbedder(), pairs)];
  if (args.includes("--baseline")) results.push(await evaluateEmbedder(plainAverageEmbedder(), pairs));
  if (args.includes("--json")) {
    console.log(
      JSON.stringify(
        results.map(({ scored: _, ...rest }) => rest),
        null,
        2,
      ),
    );
  } else {
    for (const r of results) console.log(`${formatEvaluation(r, r === results[0] ? 8 : 3)}\n`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
