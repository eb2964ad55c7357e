/**
 * The help centre's own vocabulary, read from `data/knowledge/policies.json` at first use: the
 * words its documents are written in, how often, and a speller over them. It reads a customer's
 * question in the documents' terms — chat shorthand written out, misspellings corrected to the
 * nearest document word — for the knowledge search, the planner's relevance floor and the scope
 * gate (which also takes the documents' titles as examples of served policy questions).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pluralize from "pluralize";
import { stemmer } from "stemmer";
import { DATA } from "../core/paths.js";
import {
  defaultGazetteer,
  expandChatSpeak,
  extractSlots,
  Speller,
  withoutCalendarDays,
} from "../language/index.js";
import { STOPWORDS } from "./embeddings/local-lexicon.js";
import { loadVocabulary, VOCAB_FILE } from "./embeddings/local-vocabulary.js";

export interface HelpDocument {
  slug: string;
  title: string;
  topic?: string | null;
  /** General words a customer uses for the subject (`keywords` of the document): read as its title. */
  keywords?: readonly string[];
  body: string;
}

/** All a document says, as its vocabulary is read: title, topic, keywords and body. */
export const documentText = (doc: Omit<HelpDocument, "slug">): string =>
  `${doc.title} ${doc.topic ?? ""} ${(doc.keywords ?? []).join(" ")} ${doc.body}`;

const wordsOf = (text: string): string[] => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];

/** Words of nearly every travel question and document: they name no topic of the help centre. */
const GENERIC = new Set(
  `flight flights fly flying flightly travel traveling travelling trip trips airline airlines plane
ticket tickets book booking go going take time day days date dates new one two use help question
find see say look get need want like know year years old much many long`.split(/\s+/),
);

/**
 * A plural English does not form with -s ("people", "children", "feet", "women") read as its
 * singular, from the irregular plurals the `pluralize` package lists: the Porter stemmer leaves
 * such a plural apart from its singular ("people" and "person" share no stem). A word ending in
 * -s is left to the stemmer ("leaves" stays a form of "leave", never "leaf").
 */
export function irregularSingular(word: string): string {
  if (word.endsWith("s") || !/^[a-z]+$/.test(word) || !pluralize.isPlural(word)) return word;
  return pluralize.singular(word);
}

/**
 * "cancelling" → "cancel", "bags" → "bag", "pets" → "pet" (Porter 1980), "people" → "person":
 * one form per word.
 */
const stem = (word: string): string => {
  let one = stems.get(word);
  if (one === undefined) {
    one = stemmer(irregularSingular(word));
    if (stems.size >= 50_000) stems.clear();
    stems.set(word, one);
  }
  return one;
};
/**
 * Each word's form, once: the plural check costs about 1.3 µs a word, nine times the stemmer,
 * and the documents' words and a question's words are read again on every question.
 */
const stems = new Map<string, string>();

/** The content words of a text, each once: letters only, three or more, no stopword. */
export function contentWordsOf(text: string): string[] {
  return [...new Set(wordsOf(text).filter((w) => /^[a-z]{3,}$/.test(w) && !STOPWORDS.has(w)))];
}

/** The topic words of a text: its content words but those every travel text shares. */
export function topicWordsOf(text: string): string[] {
  return contentWordsOf(text).filter((w) => !GENERIC.has(w));
}

/** A word's form for matching against the documents (its Porter stem). */
export const wordForm = stem;

/**
 * What the help centre's own text says for a question: the document sharing the most topic words
 * with it, those words, the distinctive ones among them (rare in general English and written in
 * few documents: "lithium", "etias", "paypal", never "card" or "bank") and the words of that
 * document's title the question shares.
 */
export interface HelpEvidence {
  slug: string;
  shared: string[];
  distinctive: string[];
  inTitle: string[];
  /**
   * Shared words general English does not know at all, written as such in the document's heading:
   * the help centre's own terms ("etias", "klarna"), not a misspelling that shares a stem ("payed").
   */
  coined: string[];
  /**
   * Words of the title the heading writes as such, or as a longer form of the same spelling
   * ("stream" for "streaming"): not words that only meet a heading word's stem by chance
   * ("multiplication" and "multiple").
   */
  written: string[];
}

/** A word is distinctive when general English ranks it past this (0 = most frequent)… */
const RARE_RANK = 3000;
/** …and no more than this many documents use it. */
const FEW_DOCUMENTS = 6;

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });

let countries: Set<string> | undefined;

/** The words of every country's English name ("japan", "zealand"). */
function countryWords(): Set<string> {
  if (!countries) {
    countries = new Set<string>();
    const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (const a of letters)
      for (const b of letters) {
        const name = regionNames.of(`${a}${b}`);
        if (name && name !== `${a}${b}`) for (const w of wordsOf(name)) countries.add(w);
      }
  }
  return countries;
}

/** "Tokyo" → "Japan": the countries of the served places a text names. */
function countriesNamed(text: string): string[] {
  const names = new Set<string>();
  for (const place of defaultGazetteer().findPlaces(text))
    for (const airport of place.airports) names.add(regionNames.of(airport.country) ?? airport.country);
  return [...names];
}

/** Under this age a child is an infant to the help centre ("Lap infants under 2"); to 17, a child. */
const INFANT_UNDER = 2;
const ADULT_FROM = 18;
/** Any fixed day: a child's age reads the same whatever the date. */
const SOME_DAY = new Date(0);

/**
 * "my 6 yr old" → "child", "our 1 year old" → "infant": the help centre's words for the ages of the
 * children a text names in years (the party reading of the language layer), as its documents class
 * them. A child named by a word ("baby", "toddler") is already in the documents' terms: the party
 * reading gives such a child age 0, which adds nothing.
 */
export function ageClassesNamed(text: string): string[] {
  const ages = extractSlots(expandChatSpeak(text), SOME_DAY).childrenAges ?? [];
  const classes = new Set<string>();
  for (const age of ages) {
    if (age === 0) continue;
    if (age < INFANT_UNDER) classes.add("infant");
    else if (age < ADULT_FROM) classes.add("child");
  }
  return [...classes];
}

/** The singulars of the irregular plurals a text writes ("people" → "person"), each once. */
function singularsOf(text: string): string[] {
  return [
    ...new Set(
      wordsOf(text)
        .map((w) => [w, irregularSingular(w)] as const)
        .filter(([w, one]) => one !== w)
        .map(([, one]) => one),
    ),
  ];
}

export interface HelpCentreOptions {
  /** A word's frequency rank in general English (0 = most frequent), undefined when unknown. */
  rank?: (word: string) => number | undefined;
}

export class HelpCentre {
  readonly #titles: string[];
  readonly #speller: Speller;
  readonly #docs: Array<{ slug: string; words: Set<string>; title: Set<string>; heading: string[] }>;
  readonly #documentsWith = new Map<string, number>();
  readonly #rank: (word: string) => number | undefined;
  /** Whether a general-English word list ranks the words (without one no word is coined). */
  readonly #ranked: boolean;

  constructor(docs: readonly HelpDocument[], options: HelpCentreOptions = {}) {
    const rank = options.rank ?? (() => undefined);
    const known = (w: string): boolean => rank(w) !== undefined;
    const counts = new Map<string, number>();
    for (const doc of docs)
      for (const w of wordsOf(documentText(doc)))
        if (/^[a-z]+$/.test(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
    this.#titles = docs.map((d) => d.title);
    this.#rank = rank;
    this.#ranked = options.rank !== undefined;
    this.#docs = docs.map((d) => {
      const heading = `${d.title} ${(d.keywords ?? []).join(" ")}`;
      return {
        slug: d.slug,
        words: new Set(topicWordsOf(`${heading} ${d.body}`).map(stem)),
        title: new Set(topicWordsOf(heading).map(stem)),
        heading: topicWordsOf(heading),
      };
    });
    for (const d of this.#docs)
      for (const w of d.words) this.#documentsWith.set(w, (this.#documentsWith.get(w) ?? 0) + 1);
    this.#speller = new Speller(counts, { known: (w) => counts.has(w) || known(w) });
  }

  /**
   * The question as the search reads it: in the documents' terms, with the countries of the
   * places it names ("Tokyo" adds "Japan"), which the entry-rule documents are written under, and
   * the age classes of the children it names by age ("my 9 yr old" adds "child"), and the
   * singulars of its irregular plurals ("people" adds "person"), which the search's stemmer keeps apart.
   * Calendar days and spans ("next week", "on the 5th") are left out (`withoutCalendarDays`): they
   * say when the trip is, which the booking reads, never what is asked, yet "next" and "week" meet
   * a document on the "next flight" (with the phrase vote's hypernyms the labelled tune half put 47
   * of 48 first against 46 with them in; alone, no question moved). Durations ("within 24 hours")
   * stay: the policies are written in them.
   * The added words follow as a clause of their own: the search's phrase vote (`phraseVote`) reads
   * a keyword said within one clause, and "on a basic fare" with an added "child" is no "child fare".
   */
  searchText(text: string): string {
    const implied = [
      ...countriesNamed(text).map((c) => c.toLowerCase()),
      ...ageClassesNamed(text),
      ...singularsOf(text),
    ];
    const normalized = withoutCalendarDays(this.normalize(text), SOME_DAY);
    return implied.length > 0 ? `${normalized}; ${implied.join(" ")}` : normalized;
  }

  /** The documents' titles. */
  get titles(): string[] {
    return [...this.#titles];
  }

  /** The help centre's best lexical evidence for `text` (read in its terms first), or undefined. */
  evidence(text: string): HelpEvidence | undefined {
    // Places are the entry-rule documents' subjects, not the question's topic.
    const places = new Set(
      defaultGazetteer()
        .findPlaces(text)
        .flatMap((p) => wordsOf(p.text)),
    );
    const asked = topicWordsOf(`${this.normalize(text)} ${ageClassesNamed(text).join(" ")}`).filter(
      (w) => !places.has(w) && !countryWords().has(w),
    );
    let best: (HelpEvidence & { score: number }) | undefined;
    for (const doc of this.#docs) {
      const shared = asked.filter((w) => doc.words.has(stem(w)));
      if (shared.length === 0) continue;
      const distinctive = shared.filter(
        (w) =>
          (this.#documentsWith.get(stem(w)) ?? 0) <= FEW_DOCUMENTS &&
          (this.#rank(w) ?? Infinity) >= RARE_RANK,
      );
      const inTitle = shared.filter((w) => doc.title.has(stem(w)));
      const coined = this.#ranked
        ? shared.filter((w) => this.#rank(w) === undefined && doc.heading.includes(w))
        : [];
      const written = inTitle.filter((w) =>
        doc.heading.some((h) => h.startsWith(w) || (w.startsWith(h) && w.length - h.length <= 2)),
      );
      const score = 10 * distinctive.length + 3 * inTitle.length + shared.length;
      if (!best || score > best.score)
        best = { slug: doc.slug, shared, distinctive, inTitle, coined, written, score };
    }
    if (!best) return undefined;
    const { score: _, ...evidence } = best;
    return evidence;
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
