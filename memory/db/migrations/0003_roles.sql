-- Least-privileged roles. flightly_readonly backs run_query: SELECT on catalogue tables only,
-- never customers, bookings, payments, support history or memories. flightly_app is the
-- application role that row-level security applies to.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'flightly_readonly') THEN
    CREATE ROLE flightly_readonly NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'flightly_app') THEN
    CREATE ROLE flightly_app NOLOGIN;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'cannot create roles here; create flightly_readonly and flightly_app by hand';
END
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA public FROM flightly_readonly;
GRANT USAGE ON SCHEMA public TO flightly_readonly;
GRANT SELECT ON airports, airlines, flights, hotels, knowledge_documents TO flightly_readonly;

GRANT USAGE ON SCHEMA public TO flightly_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON memories TO flightly_app;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO flightly_app;
