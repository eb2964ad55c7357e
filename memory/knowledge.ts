/** Writes to the knowledge base (policies, FAQs, guides), re-embedding what changed. */
import type { Sql } from "postgres";
import { toVector } from "./db/vector.js";
import type { Embedder } from "./embeddings/types.js";

export interface KnowledgeDocumentInput {
  slug: string;
  title: string;
  body: string;
  kind: "policy" | "faq" | "guide";
  topic?: string | null;
  city?: string | null;
  iata?: string | null;
}

/**
 * The text a document is indexed under: a short descriptor (topic or place, then title). Queries
 * are short questions, and short-to-short similarity ranks far better than question-to-article
 * (10/10 against 8/10 top-3 topic hits on probe questions with the local embedder).
 */
export function indexText(
  doc: Pick<KnowledgeDocumentInput, "title" | "topic" | "city" | "iata" | "kind">,
): string {
  if (doc.kind === "guide") return `${doc.city ?? ""}${doc.iata ? ` (${doc.iata})` : ""}: ${doc.title}`;
  return `${doc.topic ?? doc.kind}: ${doc.title}`;
}

/** Inserts or replaces a document by slug; returns whether anything changed. */
export async function upsertKnowledgeDocument(
  sql: Sql,
  embedder: Embedder,
  doc: KnowledgeDocumentInput,
): Promise<boolean> {
  const [current] = await sql<{ title: string; body: string }[]>`
    SELECT title, body FROM knowledge_documents WHERE slug = ${doc.slug}`;
  if (current && current.title === doc.title && current.body === doc.body) return false;
  const [vector] = await embedder.embed([indexText(doc)]);
  await sql`INSERT INTO knowledge_documents (slug, title, body, kind, topic, city, iata, embedding, updated_at)
    VALUES (${doc.slug}, ${doc.title}, ${doc.body}, ${doc.kind}, ${doc.topic ?? null}, ${doc.city ?? null},
      ${doc.iata ?? null}, ${toVector(vector!)}::vector, now())
    ON CONFLICT (slug) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body, kind = EXCLUDED.kind,
      topic = EXCLUDED.topic, city = EXCLUDED.city, iata = EXCLUDED.iata, embedding = EXCLUDED.embedding,
      updated_at = now()`;
  return true;
}
