/**
 * The local embedder's compiled word vectors: the binary format `scripts/build-embeddings.ts`
 * writes, and the reader that maps it without copying.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FlightlyError } from "../../core/errors.js";
import { DATA } from "../../core/paths.js";

/** The compiled word vectors, generated at build time (not committed). */
export const VOCAB_FILE: string = join(DATA, "embeddings", "wink-100d.bin");

/** `FLYEMB` + format version; then a u32 header length, the JSON header, 8-aligned sections. */
export const VOCAB_MAGIC = "FLYEMB01";
/** Bump when the layout or the vocabulary selection changes; a mismatching file is rebuilt. */
export const VOCAB_BUILDER = "wink100d-int8-v1";

export interface VocabSection {
  offset: number;
  length: number;
}

export interface VocabHeader {
  builder: string;
  source: { package: string; version: string; bytes: number };
  dims: number;
  count: number;
  tableSize: number;
  /** Mean word vector (over the most frequent words), removed from sentence vectors. */
  mean: number[];
  /** Leading principal components of the centred word vectors, strongest first. */
  components: number[][];
  sections: {
    vectors: VocabSection;
    scales: VocabSection;
    ranks: VocabSection;
    wordOffsets: VocabSection;
    words: VocabSection;
    table: VocabSection;
  };
}

/** FNV-1a over UTF-16 code units with a murmur finaliser: the vocabulary table's hash. */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Words the tokenizer can produce, hence worth keeping in the vocabulary. */
export const VOCAB_WORD = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export class Vocabulary {
  readonly dims: number;
  readonly count: number;
  readonly mean: Float64Array;
  readonly components: Float64Array[];
  readonly #vectors: Int8Array;
  readonly #scales: Float32Array;
  readonly #ranks: Uint32Array;
  readonly #offsets: Uint32Array;
  readonly #bytes: Uint8Array;
  readonly #table: Uint32Array;
  readonly #mask: number;

  constructor(buf: Buffer) {
    if (buf.toString("latin1", 0, 8) !== VOCAB_MAGIC) throw new Error("not a Flightly vocabulary file");
    const headerLength = buf.readUInt32LE(8);
    const header = JSON.parse(buf.toString("utf8", 12, 12 + headerLength)) as VocabHeader;
    if (header.builder !== VOCAB_BUILDER) {
      throw new Error(`vocabulary built by ${header.builder}, expected ${VOCAB_BUILDER}`);
    }
    // Typed views need aligned offsets; readFileSync buffers usually are, copy when not.
    const bytes = buf.byteOffset % 8 === 0 ? buf : Buffer.from(buf);
    const view = <T>(
      s: VocabSection,
      Ctor: new (b: ArrayBufferLike, o: number, n: number) => T,
      size: number,
    ) => new Ctor(bytes.buffer, bytes.byteOffset + s.offset, s.length / size);
    const sec = header.sections;
    this.dims = header.dims;
    this.count = header.count;
    this.#vectors = view(sec.vectors, Int8Array, 1);
    this.#scales = view(sec.scales, Float32Array, 4);
    this.#ranks = view(sec.ranks, Uint32Array, 4);
    this.#offsets = view(sec.wordOffsets, Uint32Array, 4);
    this.#bytes = view(sec.words, Uint8Array, 1);
    this.#table = view(sec.table, Uint32Array, 4);
    this.#mask = header.tableSize - 1;
    this.mean = Float64Array.from(header.mean);
    this.components = header.components.map((c) => Float64Array.from(c));
    if (this.#vectors.length !== this.count * this.dims || this.#table.length !== header.tableSize) {
      throw new Error("vocabulary file is truncated");
    }
  }

  /** Index of a folded word, or -1. */
  lookup(word: string): number {
    const table = this.#table;
    for (let slot = hashString(word) & this.#mask; ; slot = (slot + 1) & this.#mask) {
      const entry = table[slot]!;
      if (entry === 0) return -1;
      const index = entry - 1;
      const start = this.#offsets[index]!;
      if (this.#offsets[index + 1]! - start !== word.length) continue;
      let i = 0;
      while (i < word.length && this.#bytes[start + i] === word.charCodeAt(i)) i++;
      if (i === word.length) return index;
    }
  }

  /** Corpus frequency rank of the word (0 = most frequent). */
  rank(index: number): number {
    return this.#ranks[index]!;
  }

  /** `out += weight * vector(index)`. */
  addTo(index: number, weight: number, out: Float64Array): void {
    const w = weight * this.#scales[index]!;
    const base = index * this.dims;
    for (let d = 0; d < this.dims; d++) out[d]! += w * this.#vectors[base + d]!;
  }
}

const loaded = new Map<string, Vocabulary>();

export function loadVocabulary(path: string): Vocabulary {
  let vocab = loaded.get(path);
  if (!vocab) {
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch (err) {
      throw new FlightlyError(
        "UNAVAILABLE",
        `local embedder: ${path} is missing; build it with \`node dist/scripts/build-embeddings.js\` (run by \`npm install\`/\`npm run prepare\`)`,
        { cause: err },
      );
    }
    try {
      vocab = new Vocabulary(buf);
    } catch (err) {
      throw new FlightlyError(
        "UNAVAILABLE",
        `local embedder: ${path} is unusable (${(err as Error).message}); rebuild it with \`node dist/scripts/build-embeddings.js\``,
        { cause: err },
      );
    }
    loaded.set(path, vocab);
  }
  return vocab;
}
