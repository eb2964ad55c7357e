-- Memory tiers: metadata on memories (the consolidation topic; an episode turn's role and time),
-- at most one summary per session and one episode row per event, and row-level security on the
-- tiering worker's idempotency ledger so the application role works under it too.
ALTER TABLE memories ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}';
CREATE UNIQUE INDEX memories_one_summary_per_session ON memories (actor_id, namespace) WHERE kind = 'summary';
CREATE UNIQUE INDEX memories_one_episode_turn_per_event ON memories (actor_id, source_event_id)
  WHERE kind = 'episode';

ALTER TABLE memory_events ADD COLUMN session_id text;
ALTER TABLE memory_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY memory_events_actor_isolation ON memory_events
  USING (actor_id = current_setting('flightly.actor_id', true))
  WITH CHECK (actor_id = current_setting('flightly.actor_id', true));
GRANT SELECT, INSERT ON memory_events TO flightly_app;
