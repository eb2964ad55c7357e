/**
 * The response cache's decision on labelled pairs, without servers: the first text is cached, the
 * second asked; a hit is an equal exact key, or a similarity at or above the threshold with equal
 * entities (the rule `SemanticCache.lookup` applies). Reports hits on same-meaning pairs (recall)
 * and on different-meaning pairs (false hits) per file, and on a seeded sample of CLINC150
 * same-intent and different-intent pairs when that file is given.
 *
 *   node dist/scripts/eval-cache-pairs.js [pairs.json ...] [--clinc path] [--threshold 0.92]
 */
import { readFileSync } from "node:fs";
import { loadConfig } from "../core/config.js";
import { readRequest, resolveRequest, sameEntities } from "../language/index.js";
import { createEmbedder } from "../memory/embeddings/index.js";
import { type KeyedRequest, keyedFromText, requestHash } from "../orchestrator/semantic-cache/cache.js";
import { cosine, DEFAULT_PAIRS_FILE, type LabelledPair, loadPairs } from "./eval-embeddings.js";

const NOW = new Date("2026-03-02T12:00:00Z");

interface Tally {
  same: number;
  sameHits: number;
  different: number;
  falseHits: number;
  unkeyed: number;
  falseExamples: string[];
}

async function tally(pairs: readonly LabelledPair[], threshold: number): Promise<Tally> {
  const embedder = createEmbedder(loadConfig({}));
  const keyed = new Map<string, KeyedRequest | undefined>();
  // Each text asked in a new session: a reference to the session resolves against an empty one.
  const key = (t: string): KeyedRequest | undefined => {
    const r = resolveRequest(readRequest(t, NOW), NOW, {});
    return r.resolved ? { text: r.text, entities: r.entities } : keyedFromText(t, NOW);
  };
  for (const p of pairs) for (const t of [p.a, p.b]) if (!keyed.has(t)) keyed.set(t, key(t));
  const texts = [...keyed.entries()].filter(([, k]) => k).map(([t, k]) => [t, k!.text.trim()] as const);
  const vectors = await embedder.embed(texts.map(([, k]) => k));
  const vec = new Map(texts.map(([t], i) => [t, vectors[i]!]));
  const out: Tally = { same: 0, sameHits: 0, different: 0, falseHits: 0, unkeyed: 0, falseExamples: [] };
  for (const p of pairs) {
    const [a, b] = [keyed.get(p.a), keyed.get(p.b)];
    if (p.same) out.same++;
    else out.different++;
    if (!a || !b) {
      out.unkeyed++;
      continue;
    }
    const hit =
      requestHash(a) === requestHash(b) ||
      (cosine(vec.get(p.a)!, vec.get(p.b)!) >= threshold && sameEntities(a.entities, b.entities));
    if (hit && p.same) out.sameHits++;
    if (hit && !p.same) {
      out.falseHits++;
      if (out.falseExamples.length < 5) out.falseExamples.push(`${p.a} | ${p.b}`);
    }
  }
  return out;
}

/** A deterministic sample of CLINC150 pairs: `n` same-intent and `n` different-intent. */
function clincPairs(file: string, n: number): LabelledPair[] {
  const rows = readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { text: string; intent: string });
  let seed = 42;
  const rand = (k: number): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed % k;
  };
  const same: LabelledPair[] = [];
  const diff: LabelledPair[] = [];
  while (same.length < n || diff.length < n) {
    const a = rows[rand(rows.length)]!;
    const b = rows[rand(rows.length)]!;
    if (a.text === b.text || a.intent === "oos" || b.intent === "oos") continue;
    const pair = { a: a.text, b: b.text, same: a.intent === b.intent, kind: "topic" as const };
    if (pair.same && same.length < n) same.push(pair);
    else if (!pair.same && diff.length < n) diff.push(pair);
    if (same.length < n && a.intent !== b.intent) {
      const mate = rows.filter((r) => r.intent === a.intent && r.text !== a.text);
      const m = mate[rand(mate.length)];
      if (m) same.push({ a: a.text, b: m.text, same: true, kind: "paraphrase" });
    }
  }
  return [...same, ...diff];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const threshold = Number(at("--threshold") ?? loadConfig({}).semanticCache.threshold);
  const clinc = at("--clinc");
  const files = args.length > 0 ? args : [DEFAULT_PAIRS_FILE];
  const report = (name: string, t: Tally): void => {
    console.log(
      `${name}: recall ${t.sameHits}/${t.same}, false hits ${t.falseHits}/${t.different}, not keyed ${t.unkeyed}`,
    );
    for (const e of t.falseExamples) console.log(`  false hit: ${e}`);
  };
  for (const f of files) report(f, await tally(loadPairs(f), threshold));
  if (clinc)
    report(`${clinc} (500 same-intent, 500 other-intent)`, await tally(clincPairs(clinc, 500), threshold));
}

await main();
