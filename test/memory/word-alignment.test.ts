/**
 * Soft lexical alignment (`WordAligner`): a question's words met by their nearest words of a
 * document under the shipped word vectors, weighted, as BERTScore's recall.
 */
import { describe, expect, it } from "vitest";
import { contentWordsOf } from "../../memory/help-centre.js";
import { wordAligner } from "../../memory/word-alignment.js";

const aligner = wordAligner()!;

describe("soft lexical alignment (WordAligner)", () => {
  it("loads the shipped word vectors", () => {
    expect(aligner).toBeDefined();
  });

  it("reads content words once each: no stopword, nothing under three letters", () => {
    expect(contentWordsOf("Can I bring my cello, my cello and a harp on it?")).toEqual([
      "bring",
      "cello",
      "harp",
    ]);
  });

  it("meets a word's own form fully, in any inflection", () => {
    const text = aligner.text("t-kayaks", "Kayaks travel as oversized bags.");
    expect(aligner.match("kayak", text)).toBe(1);
    expect(aligner.match("travelling", text)).toBe(1);
  });

  it("meets a word the text never uses by its nearest word in meaning", () => {
    const music = aligner.text("t-music", "A cello or a guitar flies in the cabin in its case.");
    const sport = aligner.text("t-sport", "Golf clubs and skis fly as checked bags.");
    const violin = aligner.match("violin", music);
    expect(violin).toBeGreaterThan(0.5);
    expect(violin).toBeLessThan(1);
    expect(aligner.match("violin", sport)).toBeLessThan(violin - 0.3);
  });

  it("meets a word the documents never write by a WordNet synonym the text writes", () => {
    const fares = aligner.text("t-fares", "A child under twelve flies at a reduced fare.");
    const bags = aligner.text("t-bags", "Golf clubs fly as checked bags.");
    // The word vectors put "youngster" far from "child" (about 0.27); WordNet has them in one synset.
    expect(aligner.match("youngster", fares)).toBeGreaterThanOrEqual(0.8);
    expect(aligner.match("youngster", bags)).toBeLessThan(0.5);
    // A word without a vector meets its synonym all the same.
    const strollers = aligner.text("t-strollers", "Strollers are checked free at the gate.");
    expect(aligner.match("perambulator", strollers)).toBeGreaterThanOrEqual(0.8);
  });

  it("never goes below 0, and a word the vocabulary lacks meets only its own form or a synonym", () => {
    const text = aligner.text("t-golf", "Golf clubs fly as checked bags.");
    expect(aligner.match("qzxvbnq", text)).toBe(0);
    expect(aligner.match("xylophone", aligner.text("t-empty", ""))).toBe(0);
  });

  it("averages the matches under the words' weights", () => {
    const text = aligner.text("t-canoe", "Canoes go as oversized bags.");
    const canoe = aligner.match("canoe", text);
    const mortgage = aligner.match("mortgage", text);
    expect(canoe).toBe(1);
    const recall = aligner.recall(
      [
        { word: "canoe", weight: 3 },
        { word: "mortgage", weight: 1 },
        { word: "anything", weight: 0 },
      ],
      text,
    );
    expect(recall).toBeCloseTo((3 * canoe + mortgage) / 4, 6);
    expect(aligner.recall([], text)).toBe(0);
  });

  it("keeps each word's best cosine in a text, and works it out again for a changed text", () => {
    const text = aligner.text("t-memo", "A cello flies in the cabin.");
    const violin = aligner.match("violin", text);
    expect(text.best.get("violin")).toBe(violin);
    expect(aligner.match("violin", text)).toBe(violin);
    const changed = aligner.text("t-memo", "Golf clubs fly as checked bags.");
    expect(changed.best.size).toBe(0);
    expect(aligner.match("violin", changed)).toBeLessThan(violin);
  });

  it("reads a document again when its text changes", () => {
    const before = aligner.text("t-doc", "Skis fly free.");
    expect(aligner.text("t-doc", "Skis fly free.")).toBe(before);
    const after = aligner.text("t-doc", "Snowboards fly free.");
    expect(aligner.match("snowboard", after)).toBe(1);
    expect(aligner.match("skis", after)).toBeLessThan(1);
  });
});
