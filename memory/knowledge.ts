/** Writes to the knowledge base (policies, FAQs, guides), re-embedding what changed. */
import type { Sql } from "postgres";
import { toVector } from "./db/vector.js";
import { STOPWORDS } from "./embeddings/local-lexicon.js";
import type { Embedder } from "./embeddings/types.js";
import { contentWordsOf } from "./help-centre.js";
import { FOCUS_POOL, questionFocus } from "./knowledge-focus.js";
import { type WeightedWord, wordAligner } from "./word-alignment.js";

export interface KnowledgeDocumentInput {
  slug: string;
  title: string;
  body: string;
  kind: "policy" | "faq" | "guide";
  topic?: string | null;
  /** General words a customer uses for the subject that the document may not ("cat" for pets). */
  keywords?: readonly string[];
  city?: string | null;
  iata?: string | null;
}

/**
 * The text a document is indexed under: a short descriptor (topic or place, then title). Queries
 * are short questions, and short-to-short similarity ranks far better than question-to-article
 * (10/10 against 8/10 top-3 topic hits on probe questions with the local embedder).
 */
export function indexText(
  doc: Pick<KnowledgeDocumentInput, "title" | "topic" | "city" | "iata" | "kind"> & {
    keywords?: readonly string[] | string;
  },
): string {
  if (doc.kind === "guide") return `${doc.city ?? ""}${doc.iata ? ` (${doc.iata})` : ""}: ${doc.title}`;
  const keywords = keywordText(doc.keywords);
  return `${doc.topic ?? doc.kind}: ${doc.title}${keywords ? `. ${keywords}` : ""}`;
}

/** Keywords as stored: comma-separated. */
function keywordText(keywords: readonly string[] | string | undefined): string {
  return typeof keywords === "string" ? keywords : (keywords ?? []).join(", ");
}

/** Inserts or replaces a document by slug; returns whether anything changed. */
export async function upsertKnowledgeDocument(
  sql: Sql,
  embedder: Embedder,
  doc: KnowledgeDocumentInput,
): Promise<boolean> {
  const keywords = keywordText(doc.keywords);
  const [current] = await sql<{ title: string; body: string; keywords: string }[]>`
    SELECT title, body, keywords FROM knowledge_documents WHERE slug = ${doc.slug}`;
  if (current && current.title === doc.title && current.body === doc.body && current.keywords === keywords)
    return false;
  const [vector] = await embedder.embed([indexText(doc)]);
  await sql`INSERT INTO knowledge_documents (slug, title, body, kind, topic, keywords, city, iata, embedding, updated_at)
    VALUES (${doc.slug}, ${doc.title}, ${doc.body}, ${doc.kind}, ${doc.topic ?? null}, ${keywords},
      ${doc.city ?? null}, ${doc.iata ?? null}, ${toVector(vector!)}::vector, now())
    ON CONFLICT (slug) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body, kind = EXCLUDED.kind,
      topic = EXCLUDED.topic, keywords = EXCLUDED.keywords, city = EXCLUDED.city, iata = EXCLUDED.iata,
      embedding = EXCLUDED.embedding, updated_at = now()`;
  return true;
}

export type KnowledgeKind = KnowledgeDocumentInput["kind"];

export interface KnowledgeSearchOptions {
  kinds: readonly KnowledgeKind[];
  /** Only the guides of this city (name or IATA code, any case). */
  city?: string;
  /** Documents returned (default 4). */
  limit?: number;
  signal?: AbortSignal;
}

export interface KnowledgeHit {
  slug: string;
  title: string;
  kind: KnowledgeKind;
  topic: string | null;
  /** General words for the subject, comma-separated ("" for none). */
  keywords: string;
  city: string | null;
  body: string;
  /** Cosine similarity of the question and the document's descriptor (0-1). */
  similarity: number;
  /** Rank in each list that found it (1 = best); absent when that list did not. */
  vectorRank: number | null;
  textRank: number | null;
  /**
   * How closely the document's words meet the question's (`WordAligner.recall`, 0-1); null when
   * it was not aligned (past the first candidates, or no word vectors).
   */
  alignment: number | null;
  /**
   * The score the hits are ordered by: the reciprocal-rank fusion with the heading's vote, plus
   * `ALIGN_WEIGHT` times the alignment and, for a question asking when, the time focus.
   */
  score: number;
}

/** Candidates taken from each ranking before fusion. */
const CANDIDATES = 20;
/**
 * Reciprocal rank fusion's constant (Cormack et al. 2009): a document's score is the sum over
 * the rankings of weight / (K + rank). The paper's 60 suits long lists; with 20 candidates a small
 * K keeps first place worth clearly more than third.
 */
const RRF_K = 3;
/**
 * The vector ranking's weight in the fusion (the text ranking's is 1). With the local embedder's
 * short descriptors the vector list alone puts the right document first for about a quarter of
 * the labelled questions against about two thirds for full text, and an equal vote pulls the
 * fused list below full text alone; at a quarter it breaks ties and finds what shares no word.
 * With the documents' keywords in their descriptors the vector list is better read: on the tune
 * half 0.4 put 41 of 48 first against 40 at 0.25 and 39 at 0.6.
 */
const VECTOR_WEIGHT = 0.4;
/**
 * The heading's vote: the share of the question's IDF (over its words the documents use) that a
 * document's title, topic or keywords carry, at this weight beside the fused ranks. A document
 * about the subject names it in its heading; a neighbour on the same topic often matches only on
 * passing body words. In the search alone, on the labelled questions' tune half, 0.15 to 0.8 put
 * 44 of 48 first against 43 without it (0.1: 43); through the whole pipeline 0.3 puts 43 first
 * against 41.
 */
const HEADING_WEIGHT = 0.3;
/**
 * BM25F (Robertson and Zaragoza 2009) over the fields of `knowledge_search_text`: a word's
 * frequency counts each occurrence by its field's weight (title, then topic and city, then body),
 * saturates by k1 and is normalised by the document's length against the average by b.
 */
const TITLE_WEIGHT = 3;
const TOPIC_WEIGHT = 2;
const BM25_K1 = 1.2;
const BM25_B = 0.75;
/**
 * Passage retrieval (Callan 1994; Kaszkiel and Zobel 1997): a document is also scored by its best
 * passage — two consecutive sentences of its body, searched with its title and topic — so a
 * question whose words meet in one passage outranks a document that spreads them over its whole
 * body. The text score is this share of the best passage's BM25F plus the rest of the whole
 * document's (same word weights, lengths against the passages' average). On the labelled
 * questions' tune half, 0.7 of the passage put 39 of 48 first against 36 with the document alone.
 */
const PASSAGE_SHARE = 0.7;
/** Where a body's sentences part: whitespace after a full stop, question or exclamation mark. */
const SENTENCE_BREAK = "(?<=[.!?])\\s+";
/** Sentences per passage: overlapping windows, one starting at each sentence. */
const PASSAGE_SENTENCES = 2;

/** Question frames the english configuration keeps ("much", "need", "tell"): no topic of their own. */
const FRAME_WORDS = new Set(["much", "many", "long", "ever", "actually", "like", "still", "anymore", "rn"]);
/**
 * Degree adverbs (intensifiers: "fully refundable", "totally lost"): they say how much, never of
 * what, yet a heading may write one in a set phrase ("fully booked") and pull a question that
 * only grades another word towards that document. On the paraphrase dev set 1 more of 68 first,
 * none fewer on the labelled tune half.
 */
const DEGREE_WORDS = new Set(
  `fully completely totally entirely absolutely utterly really quite fairly rather pretty extremely
highly`.split(/\s+/),
);

/**
 * The question's topic words for full-text search: function words, question frames and degree
 * adverbs out (the local embedder's stopwords, a few frames, the intensifiers), so "how much is
 * the fee to cancel" looks for fees and cancelling, not for a title that says "how much".
 */
function topicQuery(query: string): string {
  const words = query.toLowerCase().match(/[a-z0-9][a-z0-9'-]*/g) ?? [];
  return words.filter((w) => !STOPWORDS.has(w) && !FRAME_WORDS.has(w) && !DEGREE_WORDS.has(w)).join(" ");
}

/**
 * Hybrid search: pgvector cosine over the documents' embeddings and PostgreSQL full-text search
 * (`knowledge_search_text`: title over topic and keywords over body) ranked separately, then fused by
 * reciprocal rank. The question's words are stemmed by the same `english` configuration and
 * OR-ed, so a casual question matches on any word it shares with a document and ranks by how
 * many and where (title first). One statement, the same on PGlite and PostgreSQL. The first
 * fused candidates are then reordered by how closely each document's words meet the question's
 * (`alignDocuments`), and a question asking when by the headings that give a time.
 */
export async function searchKnowledge(
  sql: Sql,
  embedder: Embedder,
  query: string,
  options: KnowledgeSearchOptions,
): Promise<KnowledgeHit[]> {
  const limit = options.limit ?? 4;
  const pool = await fusedSearch(sql, embedder, query, options, Math.max(limit, FOCUS_POOL));
  const focus = questionFocus(query);
  const focused = pool.map((hit) => {
    const boost = focus(hit);
    return boost > 0 ? { ...hit, score: hit.score + boost } : hit;
  });
  return alignDocuments(focused.sort(byScore), pool[0]?.wordWeights ?? [])
    .sort(byScore)
    .slice(0, limit)
    .map(({ wordWeights: _, ...hit }) => hit);
}

/** A fused hit with the question's content words and their weights (the same on every hit). */
type Candidate = KnowledgeHit & { wordWeights: WeightedWord[] };

const byScore = (a: KnowledgeHit, b: KnowledgeHit): number =>
  b.score - a.score || b.similarity - a.similarity;

/**
 * The soft alignment's share beside the fused score, and the candidates it may reorder: each of
 * the first `ALIGN_POOL` gets this much of its alignment with the question (`WordAligner.recall`:
 * every content word of the question met by its nearest word of the document's heading and body,
 * weighted by IDF). It meets words full text misses ("violin" for a document on cellos) and
 * settles near ties by the words that meet best. Search alone: 45 of the labelled tune half's 48
 * first against 44, 54 of the paraphrase dev set's 68 against 53, alike from 0.5 to 0.8 and for
 * any pool of 3 to 8 (0.3: no gain); the same IDF-weighted share with word forms only, without
 * the vectors, put 44 and 51 first. Through the pipeline: tune 45/48 (44), dev 55/68 (52).
 */
export const ALIGN_WEIGHT = 0.5;
const ALIGN_POOL = 5;

/** `hits` (best first) with the first `ALIGN_POOL` scored up by their alignment with the question's words. */
function alignDocuments(hits: Candidate[], words: readonly WeightedWord[]): Candidate[] {
  const aligner = wordAligner();
  if (!aligner || words.length === 0) return hits;
  return hits.map((hit, i) => {
    if (i >= ALIGN_POOL) return hit;
    const text = aligner.text(hit.slug, `${hit.title} ${hit.topic ?? ""} ${hit.keywords} ${hit.body}`);
    const alignment = aligner.recall(words, text);
    return { ...hit, alignment, score: hit.score + ALIGN_WEIGHT * alignment };
  });
}

/** The fused ranking of `searchKnowledge`, best `limit` first. */
async function fusedSearch(
  sql: Sql,
  embedder: Embedder,
  query: string,
  options: KnowledgeSearchOptions,
  limit: number,
): Promise<Candidate[]> {
  const [vector] = await embedder.embed([query], options.signal ? { signal: options.signal } : undefined);
  const v = toVector(vector!);
  const kinds = [...options.kinds];
  const city = options.city?.toLowerCase();
  const scope = sql`kind = ANY(${kinds}::text[])
    ${city ? sql`AND (lower(city) = ${city} OR lower(iata) = ${city})` : sql``}`;
  const bm25 = (tf: ReturnType<Sql>, len: ReturnType<Sql>, avglen: ReturnType<Sql>) =>
    sql`${tf} * (${BM25_K1}::float8 + 1) / (${tf} + ${BM25_K1}::float8 * (1 - ${BM25_B}::float8 + ${BM25_B}::float8 * ${len} / ${avglen}))`;
  const topic = topicQuery(query);
  const fieldTf = sql`(SELECT sum(CASE w WHEN 'A' THEN ${TITLE_WEIGHT}::float8 WHEN 'B' THEN ${TOPIC_WEIGHT}::float8 ELSE 1.0 END)
         FROM unnest(u.weights) AS w)`;
  return await sql<Candidate[]>`
    WITH terms AS (
      SELECT DISTINCT lexeme FROM unnest(to_tsvector('english', ${topic}))
    ),
    docs AS (
      SELECT id, knowledge_search_text(title, topic, city, keywords, body) AS tsv
      FROM knowledge_documents WHERE ${scope}
    ),
    corpus AS (
      SELECT count(*)::float8 AS n, greatest(avg(length(tsv)), 1)::float8 AS avglen FROM docs
    ),
    postings AS (
      SELECT d.id, u.lexeme, length(d.tsv)::float8 AS len, ${fieldTf} AS tf,
        ('A' = ANY(u.weights) OR 'B' = ANY(u.weights)) AS heading
      FROM docs d CROSS JOIN LATERAL unnest(d.tsv) AS u
      WHERE u.lexeme IN (SELECT lexeme FROM terms)
    ),
    idf AS (
      SELECT lexeme, ln(1 + ((SELECT n FROM corpus) - count(*) + 0.5) / (count(*) + 0.5)) AS w
      FROM postings GROUP BY lexeme
    ),
    doc_score AS (
      SELECT p.id, sum(i.w * ${bm25(sql`p.tf`, sql`p.len`, sql`c.avglen`)}) AS s
      FROM postings p JOIN idf i USING (lexeme) CROSS JOIN corpus c
      GROUP BY p.id
    ),
    heading_score AS (
      SELECT p.id, sum(i.w) / nullif((SELECT sum(w) FROM idf), 0) AS s
      FROM postings p JOIN idf i USING (lexeme) WHERE p.heading GROUP BY p.id
    ),
    sentences AS (
      SELECT d.id, d.title, d.topic, d.city, d.keywords, s.n,
        string_agg(s.text, ' ') OVER (PARTITION BY d.id ORDER BY s.n
          ROWS BETWEEN CURRENT ROW AND ${PASSAGE_SENTENCES - 1} FOLLOWING) AS text,
        count(*) OVER (PARTITION BY d.id) AS of
      FROM knowledge_documents d
      CROSS JOIN LATERAL regexp_split_to_table(d.body, ${SENTENCE_BREAK}) WITH ORDINALITY AS s(text, n)
      WHERE d.id IN (SELECT id FROM doc_score)
    ),
    passages AS (
      SELECT id, n, knowledge_search_text(title, topic, city, keywords, text) AS tsv
      FROM sentences WHERE n + ${PASSAGE_SENTENCES - 1} <= greatest(of, ${PASSAGE_SENTENCES})
    ),
    passage_corpus AS (
      SELECT greatest(avg(length(tsv)), 1)::float8 AS avglen FROM passages
    ),
    passage_score AS (
      SELECT id, max(s) AS s FROM (
        SELECT p.id, p.n, sum(i.w * ${bm25(sql`p.tf`, sql`p.len`, sql`c.avglen`)}) AS s
        FROM (
          SELECT q.id, q.n, u.lexeme, length(q.tsv)::float8 AS len, ${fieldTf} AS tf
          FROM passages q CROSS JOIN LATERAL unnest(q.tsv) AS u
          WHERE u.lexeme IN (SELECT lexeme FROM terms)
        ) p JOIN idf i USING (lexeme) CROSS JOIN passage_corpus c
        GROUP BY p.id, p.n
      ) best GROUP BY id
    ),
    by_vector AS (
      SELECT id, row_number() OVER (ORDER BY embedding <=> ${v}::vector, id) AS rank
      FROM knowledge_documents WHERE ${scope}
      ORDER BY embedding <=> ${v}::vector, id
      LIMIT ${CANDIDATES}
    ),
    by_text AS (
      SELECT id, row_number() OVER (ORDER BY
          (1 - ${PASSAGE_SHARE}::float8) * d.s + ${PASSAGE_SHARE}::float8 * coalesce(p.s, 0) DESC, id) AS rank
      FROM doc_score d LEFT JOIN passage_score p USING (id)
      ORDER BY rank
      LIMIT ${CANDIDATES}
    ),
    aligned_words AS (
      SELECT q.word, bool_or(u.lexeme IS NOT NULL) AS indexed, max(i.w) AS w
      FROM unnest(${contentWordsOf(topic)}::text[]) AS q(word)
      LEFT JOIN LATERAL unnest(to_tsvector('english', q.word)) AS u ON true
      LEFT JOIN idf i ON i.lexeme = u.lexeme
      GROUP BY q.word
    ),
    fused AS (
      SELECT id, by_vector.rank AS vector_rank, by_text.rank AS text_rank,
        coalesce(${VECTOR_WEIGHT}::float8 / (${RRF_K}::float8 + by_vector.rank), 0) + coalesce(1.0 / (${RRF_K}::float8 + by_text.rank), 0)
          + ${HEADING_WEIGHT}::float8 * coalesce(h.s, 0) AS score
      FROM by_vector FULL JOIN by_text USING (id) LEFT JOIN heading_score h USING (id)
    )
    SELECT d.slug, d.title, d.kind, d.topic, d.keywords, d.city, d.body,
      (1 - (d.embedding <=> ${v}::vector))::float8 AS similarity,
      f.vector_rank::int AS "vectorRank", f.text_rank::int AS "textRank", NULL::float8 AS alignment,
      f.score::float8 AS score,
      (SELECT coalesce(json_agg(json_build_object('word', word, 'weight',
          CASE WHEN indexed THEN coalesce(w, ln(1 + ((SELECT n FROM corpus) + 0.5) / 0.5)) ELSE 0 END)), '[]')
        FROM aligned_words) AS "wordWeights"
    FROM fused f JOIN knowledge_documents d USING (id)
    ORDER BY f.score DESC, similarity DESC, d.id
    LIMIT ${limit}`;
}
