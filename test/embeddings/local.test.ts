/**
 * The local embedder: deterministic unit vectors of a fixed size, and the separation it achieves
 * on the labelled travel-question pairs (figures measured when the tuning was fixed; the
 * assertions keep a margin below them).
 */
import { existsSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { isFlightlyError } from "../../core/errors.js";
import {
  LOCAL_DIMENSIONS,
  LOCAL_MODEL_ID,
  LocalEmbedder,
  VOCAB_FILE,
} from "../../memory/embeddings/local.js";
import { buildEmbeddings } from "../../scripts/build-embeddings.js";
import {
  cosine,
  type EmbedderEvaluation,
  evaluateEmbedder,
  loadPairs,
} from "../../scripts/eval-embeddings.js";

const pairs = loadPairs();
const texts = [...new Set(pairs.flatMap((p) => [p.a, p.b]))];
let embedder: LocalEmbedder;

const norm = (v: Float32Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

beforeAll(() => {
  // The vocabulary is generated at install time; build it here when a fresh checkout has none.
  if (!existsSync(VOCAB_FILE)) buildEmbeddings();
  embedder = new LocalEmbedder().load();
}, 120_000);

describe("labelled pairs fixture", () => {
  it("has enough pairs of every kind", () => {
    expect(pairs.length).toBeGreaterThanOrEqual(160);
    expect(pairs.filter((p) => p.same).length).toBeGreaterThanOrEqual(70);
    expect(pairs.filter((p) => !p.same).length).toBeGreaterThanOrEqual(90);
    for (const p of pairs) {
      expect(p.same).toBe(p.kind === "paraphrase");
      expect(p.a.trim()).not.toBe("");
      expect(p.b.trim()).not.toBe("");
    }
    for (const kind of ["city", "date", "amount", "direction", "negation", "airline", "topic"]) {
      expect(pairs.filter((p) => p.kind === kind).length, kind).toBeGreaterThanOrEqual(10);
    }
  });
});

describe("local embedder", () => {
  it("has a fixed dimension and model id", async () => {
    expect(embedder.dimensions).toBe(LOCAL_DIMENSIONS);
    expect(LOCAL_DIMENSIONS).toBe(384);
    expect(embedder.modelId).toBe(LOCAL_MODEL_ID);
    const [v] = await embedder.embed(["Can I bring my dog in the cabin?"]);
    expect(v).toBeInstanceOf(Float32Array);
    expect(v!.length).toBe(LOCAL_DIMENSIONS);
  });

  it("is deterministic across calls and instances", async () => {
    const a = await embedder.embed(texts);
    const b = await new LocalEmbedder().embed(texts);
    expect(b).toEqual(a);
    expect(await embedder.embed([texts[3]!])).toEqual([a[3]]);
  });

  it("returns unit vectors for every text, including odd input", async () => {
    const odd = [
      "",
      "   ",
      "?!",
      "🙂✈️",
      "São Paulo → Zürich, 1.200,50 € on 2025-07-14 at 9:30pm",
      "qwzxv blorptastic lugage",
      "Flights ".repeat(2000),
      "O'Hare — JFK/LAX; don't won't can't",
    ];
    for (const v of await embedder.embed([...texts, ...odd])) {
      expect(v.every(Number.isFinite)).toBe(true);
      expect(Math.abs(norm(v) - 1)).toBeLessThan(1e-5);
    }
  });

  it("tells apart words of other scripts", async () => {
    const [moscow, paris, moscow2] = await embedder.embed([
      "Рейсы в Москву",
      "Рейсы в Париж",
      "Рейсы в Москву",
    ]);
    expect(cosine(moscow!, moscow2!)).toBeCloseTo(1, 6);
    expect(cosine(moscow!, paris!)).toBeLessThan(0.95);
  });

  it("keeps one order and one vector per input", async () => {
    const [a, b, a2] = await embedder.embed(["weather in Paris", "weather in Rome", "weather in Paris"]);
    expect(a2).toEqual(a);
    expect(cosine(a!, b!)).toBeLessThan(0.9);
    expect(await embedder.embed([])).toEqual([]);
  });

  it("does not read names into Title Case or shouting", async () => {
    const plain = "Can I bring my dog in the cabin on the flight to Rome?";
    const [a, title, shout] = await embedder.embed([
      plain,
      "Can I Bring My Dog In The Cabin On The Flight To Rome?",
      plain.toUpperCase(),
    ]);
    expect(cosine(a!, title!)).toBeGreaterThan(0.99);
    expect(cosine(a!, shout!)).toBeGreaterThan(0.99);
  });

  it("embeds large batches in chunks with the same results", async () => {
    const many = Array.from({ length: 700 }, (_, i) => texts[i % texts.length]!);
    const batch = await embedder.embed(many);
    expect(batch).toHaveLength(700);
    expect(batch[650]).toEqual(embedder.embedSync(many[650]!));
  });

  it("honours an aborted signal", async () => {
    await expect(embedder.embed(["x"], { signal: AbortSignal.abort() })).rejects.toThrow();
  });

  it("marks non-default tuning in the model id", () => {
    expect(new LocalEmbedder({ tuning: { polarityWeight: 0 } }).modelId).toBe(`${LOCAL_MODEL_ID}+tuned`);
    expect(new LocalEmbedder({ tuning: {} }).modelId).toBe(LOCAL_MODEL_ID);
  });

  it("fails with a clear error when the vocabulary file is missing", async () => {
    const missing = new LocalEmbedder({ vocabFile: "/nonexistent/wink-100d.bin" });
    const err = await missing.embed(["x"]).catch((e: unknown) => e);
    expect(isFlightlyError(err) && err.code).toBe("UNAVAILABLE");
    expect(String((err as Error).message)).toContain("build-embeddings");
  });

  it("treats aliases, number words and currencies as the same entity", async () => {
    const sim = async (a: string, b: string): Promise<number> => {
      const [x, y] = await embedder.embed([a, b]);
      return cosine(x!, y!);
    };
    expect(await sim("Flights from NYC to Rome", "Flights from New York to Rome")).toBeGreaterThan(0.95);
    expect(await sim("Hotels under $200", "Hotels under 200 dollars")).toBeGreaterThan(0.95);
    expect(await sim("Seats for two adults", "Seats for 2 adults")).toBeGreaterThan(0.95);
    expect(await sim("Baggage allowance on Wizzair", "baggage allowance on Wizz Air")).toBeGreaterThan(0.95);
    expect(await sim("Flights from London to Paris", "Flights from Paris to London")).toBeLessThan(0.7);
    expect(await sim("Hotels under $200", "Hotels under $300")).toBeLessThan(0.7);
  });
});

describe("separation on the labelled pairs", () => {
  let e: EmbedderEvaluation;
  beforeAll(async () => {
    e = await evaluateEmbedder(embedder, pairs, { latencyRounds: 1 });
  });

  // Measured for flightly-local-v1: same mean 0.853 / median 0.865, different mean 0.615 /
  // median 0.600, separation 0.238, ROC AUC 0.902, recall 33.8% at zero false matches.
  it("scores paraphrases well above different-meaning pairs on average", () => {
    expect(e.separation).toBeGreaterThan(0.2);
    expect(e.same.mean).toBeGreaterThan(e.different.mean);
    expect(e.same.median).toBeGreaterThan(0.8);
    expect(e.different.median).toBeLessThan(0.68);
    expect(e.auc).toBeGreaterThan(0.87);
  });

  it("keeps some recall with no false match at all", () => {
    expect(e.zeroFalseMatch.recall).toBeGreaterThan(0.25);
  });

  it("puts every entity-level difference below the paraphrase median", () => {
    for (const kind of ["city", "date", "amount", "direction", "airline", "negation"]) {
      expect(e.byKind[kind]!.max, kind).toBeLessThan(e.same.median);
      expect(e.byKind[kind]!.mean, kind).toBeLessThan(0.8);
    }
  });

  it("beats plain averaged word vectors by a wide margin", async () => {
    const { plainAverageEmbedder } = await import("../../scripts/eval-embeddings.js");
    const base = await evaluateEmbedder(plainAverageEmbedder(), pairs, { latencyRounds: 0 });
    // Plain averaging ranks different-meaning pairs *above* paraphrases on this set (AUC ≈ 0.25).
    expect(base.auc).toBeLessThan(0.5);
    expect(e.auc - base.auc).toBeGreaterThan(0.4);
  });
});
