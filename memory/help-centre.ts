/**
 * The help centre's own vocabulary, read from `data/knowledge/policies.json` at first use: the
 * words its documents are written in, how often, and a speller over them. It reads a customer's
 * question in the documents' terms — chat shorthand written out, misspellings corrected to the
 * nearest document word — for the knowledge search, the planner's relevance floor and the scope
 * gate (which also takes the documents' titles as examples of served policy questions).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DATA } from "../core/paths.js";
import { defaultGazetteer, expandChatSpeak, Speller } from "../language/index.js";
import { loadVocabulary, VOCAB_FILE } from "./embeddings/local-vocabulary.js";

export interface HelpDocument {
  slug: string;
  title: string;
  topic?: string | null;
  body: string;
}

const wordsOf = (text: string): string[] => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });

/** "Tokyo" → "Japan": the countries of the served places a text names. */
function countriesNamed(text: string): string[] {
  const names = new Set<string>();
  for (const place of defaultGazetteer().findPlaces(text))
    for (const airport of place.airports) names.add(regionNames.of(airport.country) ?? airport.country);
  return [...names];
}

export interface HelpCentreOptions {
  /** A word's frequency rank in general English (0 = most frequent), undefined when unknown. */
  rank?: (word: string) => number | undefined;
}

export class HelpCentre {
  readonly #titles: string[];
  readonly #speller: Speller;

  constructor(docs: readonly HelpDocument[], options: HelpCentreOptions = {}) {
    const rank = options.rank ?? (() => undefined);
    const known = (w: string): boolean => rank(w) !== undefined;
    const counts = new Map<string, number>();
    for (const doc of docs)
      for (const w of wordsOf(`${doc.title} ${doc.topic ?? ""} ${doc.body}`))
        if (/^[a-z]+$/.test(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
    this.#titles = docs.map((d) => d.title);
    this.#speller = new Speller(counts, { known: (w) => counts.has(w) || known(w) });
  }

  /**
   * The question as the search reads it: in the documents' terms, with the countries of the
   * places it names ("Tokyo" adds "Japan"), which the entry-rule documents are written under.
   */
  searchText(text: string): string {
    const countries = countriesNamed(text).map((c) => c.toLowerCase());
    const normalized = this.normalize(text);
    return countries.length > 0 ? `${normalized} ${countries.join(" ")}` : normalized;
  }

  /** The documents' titles. */
  get titles(): string[] {
    return [...this.#titles];
  }

  /** The question in the documents' terms: shorthand written out, misspellings corrected. */
  normalize(text: string): string {
    return this.#speller.correctText(expandChatSpeak(text));
  }
}

let shipped: HelpCentre | undefined;

/** The help centre of the shipped knowledge documents (policies and FAQs), built once. */
export function helpCentre(): HelpCentre {
  if (!shipped) {
    const docs = (
      JSON.parse(readFileSync(join(DATA, "knowledge", "policies.json"), "utf8")) as Array<
        HelpDocument & { kind?: string }
      >
    ).filter((d) => d.kind === undefined || d.kind === "policy" || d.kind === "faq");
    let options: HelpCentreOptions = {};
    try {
      const vocab = loadVocabulary(VOCAB_FILE);
      options = {
        rank: (w) => {
          const i = vocab.lookup(w);
          return i >= 0 ? vocab.rank(i) : undefined;
        },
      };
    } catch {
      // Without the word list every word outside the documents is a candidate for correction.
    }
    shipped = new HelpCentre(docs, options);
  }
  return shipped;
}
