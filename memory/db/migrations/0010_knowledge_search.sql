-- Full-text search over the knowledge base, fused with the embeddings' ranking by
-- `searchKnowledge` (memory/knowledge.ts). The text a document is searched under is one
-- function, weighted title (A) over topic and city (B) over body (C), indexed by expression
-- (GIN) rather than stored as a column, so run_query's `SELECT *` shows no tsvector. The text
-- search configuration is named, which keeps the function immutable on every server.
CREATE FUNCTION knowledge_search_text(title text, topic text, city text, body text)
RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(topic, '') || ' ' || coalesce(city, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'C')
$$;

CREATE INDEX knowledge_documents_search ON knowledge_documents
  USING gin (knowledge_search_text(title, topic, city, body));

COMMENT ON FUNCTION knowledge_search_text(text, text, text, text) IS
  'The weighted text-search vector a knowledge document is found under (title A, topic and city B, body C).';
