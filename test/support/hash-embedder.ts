/**
 * A small deterministic embedder for tests: hashed bag of words (plus light character trigrams),
 * signed feature hashing, unit length. Texts that share words land close; nothing to download.
 */
import type { Embedder } from "../../memory/embeddings/types.js";

const STOP = new Set(
  "a an and are as at be by do for from how i in is it me my of on or our the to was we what when where which with you your".split(
    " ",
  ),
);

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function hashEmbed(text: string, dimensions: number): Float32Array {
  const v = new Float32Array(dimensions);
  const add = (feature: string, weight: number): void => {
    const h = fnv1a(feature);
    v[h % dimensions]! += h & 0x80000000 ? -weight : weight;
  };
  const words = (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => !STOP.has(w));
  for (const w of words) {
    const stem = w.length > 4 ? w.replace(/(ing|es|s|ed)$/, "") : w;
    add(`w:${stem}`, 1);
    const padded = `^${stem}$`;
    for (let i = 0; i + 3 <= padded.length; i++) add(`t:${padded.slice(i, i + 3)}`, 0.2);
  }
  if (words.length === 0) v[0] = 1;
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < dimensions; i++) v[i]! /= norm;
  return v;
}

export class HashEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimensions: number;
  /** Texts embedded so far (a test can count calls). */
  calls = 0;

  constructor(dimensions = 64) {
    this.dimensions = dimensions;
    this.modelId = `test-hash-bow-${dimensions}`;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    this.calls += texts.length;
    return texts.map((t) => hashEmbed(t, this.dimensions));
  }
}
