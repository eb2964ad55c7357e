/**
 * The knowledge base's relevance floor: a help-centre document answers a question only when its
 * heading (title, and topic where the search gives one) shares a topic word with it (the excerpt is
 * cut around the question's words, so it always shares some). Retrieval always returns its
 * nearest documents, however far, and its scores differ by backend (pgvector cosine, Bedrock's
 * score); shared words do not.
 */
import { STOPWORDS, SYNONYMS } from "../../../../memory/embeddings/local-lexicon.js";
import { wordForm } from "../../../../memory/help-centre.js";
import { synonymsOf } from "../../../../memory/synonyms.js";

/** Words every travel question and document shares: they name no topic. */
const GENERIC = new Set(
  `flight flights fly flying flightly travel traveling travelling trip trips airline airlines plane
ticket tickets book booking go going take time day days date dates new one two use help question
find see say look`.split(/\s+/),
);

/** The topic words of a text: no stopwords, no generic travel words, hyphenated words apart. */
function topicWordsOf(text: string): string[] {
  const words =
    text
      .toLowerCase()
      .replace(/[’']/g, "")
      .match(/[a-z][a-z-]*/g) ?? [];
  return words
    .flatMap((w) => (SYNONYMS.has(w) ? [w] : w.split("-")))
    .filter((w) => w.length > 2 && !STOPWORDS.has(w) && !GENERIC.has(w));
}

/** A word's form for matching: its thesaurus word ("luggage" = "bag"), else its Porter stem. */
const canonical = (w: string): string => SYNONYMS.get(w) ?? wordForm(w);

/**
 * Whether a passage (a document's title) shares at least `least` topic words with the question:
 * a passage word counts when a question word has its canonical form, or shares a WordNet synset
 * with it (`synonymsOf`: "pushchair" meets "stroller").
 */
export function relevant(question: string, passage: string, least = 1): boolean {
  const asked = new Set<string>();
  const meant = new Set<string>();
  for (const w of topicWordsOf(question)) {
    asked.add(canonical(w));
    for (const s of synonymsOf(wordForm(w))) meant.add(wordForm(s));
  }
  const shared = new Set<string>();
  for (const w of topicWordsOf(passage)) {
    const form = canonical(w);
    if (GENERIC.has(form) || !(asked.has(form) || meant.has(wordForm(w)))) continue;
    shared.add(form);
    if (shared.size >= least) return true;
  }
  return false;
}
