-- Row-level security binds the table owner too: a login that owns the database but is not a
-- superuser sees and writes only the rows of the actor in `flightly.actor_id`, on every table
-- keyed by actor. (Superusers bypass row-level security whatever the table says.)
ALTER TABLE memories FORCE ROW LEVEL SECURITY;
ALTER TABLE memory_events FORCE ROW LEVEL SECURITY;
