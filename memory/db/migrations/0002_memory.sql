-- Long-term memory, the tiering worker's idempotency ledger, and the pgvector semantic cache.
CREATE TABLE memories (
  id               bigserial PRIMARY KEY,
  actor_id         text NOT NULL,
  namespace        text NOT NULL,
  kind             text NOT NULL CHECK (kind IN ('preference', 'fact', 'summary', 'episode')),
  content          text NOT NULL,
  embedding        vector({{EMBEDDING_DIM}}) NOT NULL,
  history          jsonb NOT NULL DEFAULT '[]',
  source_event_id  text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX memories_actor_namespace ON memories (actor_id, namespace text_pattern_ops);
CREATE INDEX memories_embedding ON memories USING hnsw (embedding vector_cosine_ops);

-- Row-level security keyed on the actor: defence in depth for roles that are not the owner.
ALTER TABLE memories ENABLE ROW LEVEL SECURITY;
CREATE POLICY memories_actor_isolation ON memories
  USING (actor_id = current_setting('flightly.actor_id', true))
  WITH CHECK (actor_id = current_setting('flightly.actor_id', true));

CREATE TABLE memory_events (
  event_id      text PRIMARY KEY,
  actor_id      text NOT NULL,
  processed_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE semantic_cache (
  id            bigserial PRIMARY KEY,
  scope         text NOT NULL,
  prompt        text NOT NULL,
  entities      jsonb NOT NULL,
  category      text NOT NULL,
  response      jsonb NOT NULL,
  sources       text[] NOT NULL DEFAULT '{}',
  embedding     vector({{EMBEDDING_DIM}}) NOT NULL,
  expires_at    timestamptz NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX semantic_cache_scope ON semantic_cache (scope, expires_at);
CREATE INDEX semantic_cache_embedding ON semantic_cache USING hnsw (embedding vector_cosine_ops);
