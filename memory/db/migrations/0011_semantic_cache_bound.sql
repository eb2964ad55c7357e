-- The response cache's table is bounded (SEMANTIC_CACHE_MAX_ENTRIES): the rows nearest to expiry
-- are evicted first, with their exact entries in Valkey, which are found by the row's key hash.
ALTER TABLE semantic_cache ADD COLUMN IF NOT EXISTS hash text;
CREATE INDEX IF NOT EXISTS semantic_cache_expiry ON semantic_cache (expires_at, id);
