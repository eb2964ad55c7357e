-- The response cache's similarity lookups run on the in-process index (memory/response-index.ts);
-- the table answers them only while that index loads, for a few scopes at a time, which the
-- (scope, expires_at) index narrows before an exact distance sort. The HNSW graph served no
-- lookup but cost every stored answer a graph insert on the database: on the embedded database, a
-- 200 sessions x 20 turns conversation load spent 4.3-4.9 s of the host's CPU with it and
-- 2.3-2.5 s without it.
DROP INDEX IF EXISTS semantic_cache_embedding;
