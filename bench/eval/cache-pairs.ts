/**
 * The response cache's decision on labelled pairs built from the public data sets (see
 * `../shared/eval/README.md`), without servers: the first text is cached, the second asked, and
 * `cacheDecision` (the rule `SemanticCache.lookup` applies) says whether it is served.
 *
 * - same: ATIS utterances with identical intent and identical slot values;
 * - atis-different: ATIS utterances of one intent and one set of slot names that differ in exactly
 *   one slot value;
 * - clinc-different: CLINC150 utterances (out-of-scope ones left out) of different intents.
 *
 * Both utterances of a pair come from the requested split (`splitOf`, the evaluation's hash);
 * each kind is every such pair or a seeded sample of `perKind` of them.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig } from "../../core/config.js";
import { ROOT } from "../../core/paths.js";
import { createEmbedder } from "../../memory/embeddings/index.js";
import type { Embedder } from "../../memory/embeddings/types.js";
import { cacheDecision, type KeyedRequest, keyForSession } from "../../orchestrator/semantic-cache/cache.js";
import { cosine } from "../../scripts/eval-embeddings.js";
import { type Figure, single } from "../stats.js";
import { splitOf } from "./run.js";

/** The clock the pairs are read against (relative dates resolve alike for both texts). */
const NOW = new Date("2027-01-04T12:00:00.000Z");

export type PairSet = "same" | "atis-different" | "clinc-different";

export interface DataPair {
  a: string;
  b: string;
  set: PairSet;
  /** For a different ATIS pair, the slot whose value differs. */
  slot?: string;
}

interface AtisRow {
  text: string;
  intent: string;
  slots: Record<string, string | string[]>;
}

interface ClincRow {
  text: string;
  intent: string;
}

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as T);
}

/** mulberry32: the same sample on every run. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function sample<T>(xs: readonly T[], n: number, seed: number): T[] {
  if (xs.length <= n) return [...xs];
  const rnd = prng(seed);
  const copy = [...xs];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

/** Gold values compared as meant: a possessive or an airline's "airlines" suffix is no other value. */
const normal = (v: string): string => v.replace(/\s+'s$/, "").replace(/\s+(?:airlines?|air\s+lines)$/, "");
const value = (v: string | string[]): string =>
  Array.isArray(v) ? [...v].map(normal).sort().join(" | ") : normal(v);

/** Every unordered pair of distinct texts in each group. */
function pairsWithin<T extends { text: string }>(
  groups: Iterable<T[]>,
  make: (a: T, b: T) => DataPair | undefined,
) {
  const out: DataPair[] = [];
  for (const g of groups) {
    for (let i = 0; i < g.length; i++)
      for (let j = i + 1; j < g.length; j++) {
        if (g[i]!.text === g[j]!.text) continue;
        const p = make(g[i]!, g[j]!);
        if (p) out.push(p);
      }
  }
  return out;
}

function group<T>(rows: readonly T[], key: (r: T) => string | undefined): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    if (k === undefined) continue;
    const g = m.get(k) ?? [];
    g.push(r);
    m.set(k, g);
  }
  return m;
}

export interface PairOptions {
  atis: string;
  clinc: string;
  split: "tune" | "check";
  perKind: number;
  seed?: number;
}

export function buildPairs(o: PairOptions): DataPair[] {
  const seed = o.seed ?? 15;
  const atis = readJsonl<AtisRow>(o.atis).filter((r) => splitOf(r.text) === o.split);
  const signature = (r: AtisRow, without?: string): string =>
    JSON.stringify([
      r.intent,
      Object.keys(r.slots)
        .filter((k) => k !== without)
        .sort()
        .map((k) => [k, value(r.slots[k]!)]),
      without ?? "",
    ]);
  const same = pairsWithin(group(atis, signature).values(), (a, b) => ({
    a: a.text,
    b: b.text,
    set: "same",
  }));
  const different: DataPair[] = [];
  const slotNames = [...new Set(atis.flatMap((r) => Object.keys(r.slots)))].sort();
  for (const slot of slotNames) {
    const groups = group(atis, (r) => (r.slots[slot] === undefined ? undefined : signature(r, slot)));
    different.push(
      ...pairsWithin(groups.values(), (a, b) =>
        value(a.slots[slot]!) === value(b.slots[slot]!)
          ? undefined
          : { a: a.text, b: b.text, set: "atis-different", slot },
      ),
    );
  }
  const clinc = readJsonl<ClincRow>(o.clinc).filter((r) => r.intent !== "oos" && splitOf(r.text) === o.split);
  const rnd = prng(seed + 1);
  const clincPairs: DataPair[] = [];
  const seen = new Set<string>();
  for (let tries = 0; clincPairs.length < o.perKind && tries < o.perKind * 50; tries++) {
    const a = clinc[Math.floor(rnd() * clinc.length)]!;
    const b = clinc[Math.floor(rnd() * clinc.length)]!;
    if (a.intent === b.intent || seen.has(`${a.text}\u0000${b.text}`)) continue;
    seen.add(`${a.text}\u0000${b.text}`);
    clincPairs.push({ a: a.text, b: b.text, set: "clinc-different" });
  }
  return [...sample(same, o.perKind, seed), ...sample(different, o.perKind, seed + 2), ...clincPairs];
}

export interface SetTally {
  pairs: number;
  hits: number;
  exactHits: number;
  /** Pairs whose texts were not both keyed (they refer to a session that has nothing). */
  unkeyed: number;
  examples: string[];
}

export type PairTally = Record<PairSet, SetTally>;

/**
 * Each text asked as a guest in a new session: a reference to the session resolves against an
 * empty one, as the pipeline's second lookup does.
 */
export async function tallyPairs(
  pairs: readonly DataPair[],
  threshold: number,
  embedder: Embedder = createEmbedder(loadConfig({})),
): Promise<PairTally> {
  const keyed = new Map<string, KeyedRequest | undefined>();
  for (const p of pairs)
    for (const t of [p.a, p.b]) if (!keyed.has(t)) keyed.set(t, keyForSession(t, NOW, {}));
  const texts = [...keyed.entries()].flatMap(([t, k]) => (k ? [[t, k.text.trim()] as const] : []));
  const vectors = await embedder.embed(texts.map(([, k]) => k));
  const vec = new Map(texts.map(([t], i) => [t, vectors[i]!]));
  const empty = (): SetTally => ({ pairs: 0, hits: 0, exactHits: 0, unkeyed: 0, examples: [] });
  const out: PairTally = { same: empty(), "atis-different": empty(), "clinc-different": empty() };
  for (const p of pairs) {
    const t = out[p.set];
    t.pairs++;
    const [a, b] = [keyed.get(p.a), keyed.get(p.b)];
    if (!a || !b) {
      t.unkeyed++;
      continue;
    }
    const decision = cacheDecision(b, a, cosine(vec.get(p.a)!, vec.get(p.b)!), threshold);
    if (!decision) continue;
    t.hits++;
    if (decision === "exact") t.exactHits++;
    if (p.set !== "same" && t.examples.length < 8) t.examples.push(`${p.slot ?? p.set}: ${p.a} | ${p.b}`);
  }
  return out;
}

export function formatTally(t: PairTally): string[] {
  const pct = (x: SetTally): string => (x.pairs === 0 ? "0" : ((100 * x.hits) / x.pairs).toFixed(1));
  return [
    `same-meaning (ATIS): recall ${t.same.hits}/${t.same.pairs} (${pct(t.same)}%), exact ${t.same.exactHits}, not keyed ${t.same.unkeyed}`,
    `different (ATIS, one slot): false hits ${t["atis-different"].hits}/${t["atis-different"].pairs}`,
    `different (CLINC150 intents): false hits ${t["clinc-different"].hits}/${t["clinc-different"].pairs}`,
    ...[...t["atis-different"].examples, ...t["clinc-different"].examples].map((e) => `  false hit: ${e}`),
  ];
}

/** Where the public data sets are read from (the project's sibling `shared/eval`, as in CI). */
export const SHARED_EVAL = join(ROOT, "..", "shared", "eval");

/**
 * The bench stage: recall and false hits on the *check* pairs, per kind, as figures; nothing
 * (and a note) when the data sets are not on this machine.
 */
export async function benchCachePairs(
  threshold: number,
  embedder: Embedder,
  perKind = 1000,
): Promise<{ figures: Record<string, Figure>; notes: string[] }> {
  const atis = join(SHARED_EVAL, "atis-train.jsonl");
  const clinc = join(SHARED_EVAL, "clinc150-dev.jsonl");
  if (!existsSync(atis) || !existsSync(clinc)) {
    return { figures: {}, notes: [`cache pairs: no data sets at ${SHARED_EVAL}; not measured`] };
  }
  const t = await tallyPairs(buildPairs({ atis, clinc, split: "check", perKind }), threshold, embedder);
  const rate = (x: SetTally): number => (x.pairs === 0 ? 0 : x.hits / x.pairs);
  const how = `check split, threshold ${threshold}`;
  return {
    figures: {
      "cache_pairs.check.same.recall": single(
        rate(t.same),
        "ratio",
        t.same.pairs,
        `ATIS pairs of one intent and identical slot values served from the cache (${how})`,
      ),
      "cache_pairs.check.same.exact": single(
        t.same.exactHits / Math.max(1, t.same.pairs),
        "ratio",
        t.same.pairs,
        "of those pairs, served by the exact (canonical) key",
      ),
      "cache_pairs.check.atis_different.false_hits": single(
        t["atis-different"].hits,
        "count",
        t["atis-different"].pairs,
        `ATIS pairs differing in exactly one slot value that were served (${how})`,
      ),
      "cache_pairs.check.clinc_different.false_hits": single(
        t["clinc-different"].hits,
        "count",
        t["clinc-different"].pairs,
        `CLINC150 pairs of different intents that were served (${how})`,
      ),
    },
    notes: formatTally(t).map((line) => `cache pairs (${how}): ${line.trim()}`),
  };
}
