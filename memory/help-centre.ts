/**
 * The help centre's own vocabulary, read from `data/knowledge/policies.json` at first use: the
 * words its documents are written in, how many documents use each, and a speller over them. It
 * reads a customer's question in the documents' terms — chat shorthand written out, misspellings
 * corrected to the nearest document word — and says how strongly the question's topic words
 * point at one document (the summed inverse document frequency of the words it shares with the
 * best one), which the scope gate and the planner use to tell a help-centre question from
 * something else.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DATA } from "../core/paths.js";
import { expandChatSpeak } from "../language/chat-speak.js";
import { Speller } from "../language/spelling.js";
import { STOPWORDS } from "./embeddings/local-lexicon.js";
import { loadVocabulary, VOCAB_FILE } from "./embeddings/local-vocabulary.js";

export interface HelpDocument {
  slug: string;
  title: string;
  topic?: string | null;
  body: string;
}

export interface HelpCentreMatch {
  slug: string;
  title: string;
  /** Summed inverse document frequency of the question's topic words the document contains. */
  weight: number;
  /** The question's topic words found in the document (stems). */
  shared: string[];
}

/** "cancelling" → "cancel", "bags" → "bag", "refunded" → "refund" (light suffix stripping). */
export function stemWord(word: string): string {
  let w = word;
  if (w.length > 5 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith("ed")) w = w.slice(0, -2);
  else if (w.length > 4 && w.endsWith("ies")) w = `${w.slice(0, -3)}y`;
  else if (w.length > 3 && w.endsWith("es") && /(?:ss|sh|ch|x)es$/.test(w)) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("s") && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.length > 3 && w.at(-1) === w.at(-2)) w = w.slice(0, -1);
  if (w.length > 4 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}

const wordsOf = (text: string): string[] => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

/** Topic stems of a text: function words out. */
function topicStems(text: string): string[] {
  return wordsOf(text)
    .filter((w) => w.length > 1 && !STOPWORDS.has(w) && !/^\d+$/.test(w))
    .map(stemWord);
}

export class HelpCentre {
  readonly #docs: Array<{ doc: HelpDocument; stems: Set<string> }>;
  readonly #idf = new Map<string, number>();
  readonly #speller: Speller;

  /**
   * `rank`: a word's frequency rank in general English (0 = most frequent), undefined for a word
   * the dictionary lacks; by default every word is unknown.
   */
  constructor(docs: readonly HelpDocument[], rank: (word: string) => number | undefined = () => undefined) {
    const known = (w: string): boolean => rank(w) !== undefined;
    const counts = new Map<string, number>();
    this.#docs = docs.map((doc) => {
      const text = `${doc.title} ${doc.topic ?? ""} ${doc.body}`;
      for (const w of wordsOf(text)) if (/^[a-z]+$/.test(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
      return { doc, stems: new Set(topicStems(text)) };
    });
    const df = new Map<string, number>();
    for (const d of this.#docs) for (const s of d.stems) df.set(s, (df.get(s) ?? 0) + 1);
    const n = this.#docs.length;
    for (const [s, f] of df) this.#idf.set(s, Math.log(1 + (n - f + 0.5) / (f + 0.5)));
    this.#speller = new Speller(counts, { known: (w) => counts.has(w) || known(w) });
  }

  /** The documents' titles. */
  get titles(): string[] {
    return this.#docs.map((d) => d.doc.title);
  }

  /** The question in the documents' terms: shorthand written out, misspellings corrected. */
  normalize(text: string): string {
    return this.#speller.correctText(expandChatSpeak(text));
  }

  /** The inverse document frequency of a stem (0 when no document uses it). */
  idf(stem: string): number {
    return this.#idf.get(stem) ?? 0;
  }

  /** The document sharing the most weight of topic words with the question, if any. */
  bestMatch(text: string): HelpCentreMatch | undefined {
    const asked = [...new Set(topicStems(this.normalize(text)))];
    let best: HelpCentreMatch | undefined;
    for (const { doc, stems } of this.#docs) {
      const shared = asked.filter((s) => stems.has(s));
      const weight = shared.reduce((sum, s) => sum + this.idf(s), 0);
      if (weight > (best?.weight ?? 0)) best = { slug: doc.slug, title: doc.title, weight, shared };
    }
    return best;
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
    let rank: (word: string) => number | undefined = () => undefined;
    try {
      const vocab = loadVocabulary(VOCAB_FILE);
      rank = (w) => {
        const i = vocab.lookup(w);
        return i >= 0 ? vocab.rank(i) : undefined;
      };
    } catch {
      // Without the word list every word outside the documents is a candidate for correction.
    }
    shipped = new HelpCentre(docs, rank);
  }
  return shipped;
}
