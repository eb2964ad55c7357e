-- Earlier versions cached answers to prompts that carried card numbers, passwords and tokens.
-- The cache is rebuilt on demand, so every row it held goes; memories are redacted in the same
-- transaction by the data step for this version (`migrate.ts`, with the shared redactor).
DELETE FROM semantic_cache;
