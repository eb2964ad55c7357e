/**
 * The knowledge base's relevance floor: a help-centre document answers a question only when its
 * heading (title, and topic where the search gives one) shares a topic word with it (the excerpt is
 * cut around the question's words, so it always shares some). Retrieval always returns its
 * nearest documents, however far, and its scores differ by backend (pgvector cosine, Bedrock's
 * score); shared words do not.
 */
import { STOPWORDS, SYNONYMS } from "../../../../memory/embeddings/local-lexicon.js";
import { wordForm } from "../../../../memory/help-centre.js";

/** Words every travel question and document shares: they name no topic. */
const GENERIC = new Set(
  `flight flights fly flying flightly travel traveling travelling trip trips airline airlines plane
ticket tickets book booking go going take time day days date dates new one two use help question
find see say look`.split(/\s+/),
);

/** Porter stems of the topic words of a text, synonyms as one word ("luggage" = "bag"). */
function topicWords(text: string): Set<string> {
  const words =
    text
      .toLowerCase()
      .replace(/[’']/g, "")
      .match(/[a-z][a-z-]*/g) ?? [];
  return new Set(
    words
      .flatMap((w) => (SYNONYMS.has(w) ? [w] : w.split("-")))
      .filter((w) => w.length > 2 && !STOPWORDS.has(w) && !GENERIC.has(w))
      .map((w) => SYNONYMS.get(w) ?? wordForm(w))
      .filter((w) => !GENERIC.has(w)),
  );
}

/** Whether a passage (a document's title) shares at least `least` topic words with the question. */
export function relevant(question: string, passage: string, least = 1): boolean {
  const asked = topicWords(question);
  let shared = 0;
  for (const w of topicWords(passage)) if (asked.has(w) && ++shared >= least) return true;
  return false;
}
