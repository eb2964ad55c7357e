-- Keywords of a knowledge document: the general words a customer uses for its subject and the
-- document itself may not (synonyms, broader and narrower terms: "cat", "puppy" for pets; card
-- brands for payment methods), curated with the document. The text-search vector takes them
-- beside the topic, between the title and the body.
ALTER TABLE knowledge_documents ADD COLUMN keywords text NOT NULL DEFAULT '';

COMMENT ON COLUMN knowledge_documents.keywords IS
  'Comma-separated words a customer may use for the document''s subject (synonyms, broader and narrower terms).';

DROP INDEX knowledge_documents_search;
DROP FUNCTION knowledge_search_text(text, text, text, text);

CREATE FUNCTION knowledge_search_text(title text, topic text, city text, keywords text, body text)
RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig,
         coalesce(topic, '') || ' ' || coalesce(city, '') || ' ' || coalesce(keywords, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, coalesce(body, '')), 'C')
$$;

CREATE INDEX knowledge_documents_search ON knowledge_documents
  USING gin (knowledge_search_text(title, topic, city, keywords, body));

COMMENT ON FUNCTION knowledge_search_text(text, text, text, text, text) IS
  'The weighted text-search vector a knowledge document is found under (title A, topic, city and keywords B, body C).';
