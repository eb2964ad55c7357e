-- run_query's role bounded by the database itself, whatever a client of its login sends.
-- Each step needs a privilege the migrating login may lack; a step it cannot take is skipped
-- with a notice, and the README's production section gives the SQL for a superuser.

-- Limits of the flightly_readonly login (DATABASE_READONLY_URL): a statement timeout, lock and
-- idle timeouts, memory per sort or hash, and a connection limit. Needs CREATEROLE.
DO $$
BEGIN
  ALTER ROLE flightly_readonly CONNECTION LIMIT 8;
  ALTER ROLE flightly_readonly SET statement_timeout = '5s';
  ALTER ROLE flightly_readonly SET lock_timeout = '1s';
  ALTER ROLE flightly_readonly SET idle_in_transaction_session_timeout = '10s';
  ALTER ROLE flightly_readonly SET work_mem = '4MB';
  ALTER ROLE flightly_readonly SET default_transaction_read_only = on;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'cannot limit flightly_readonly here; see the README production section';
END
$$;

-- Temporary files are a superuser setting.
DO $$
BEGIN
  ALTER ROLE flightly_readonly SET temp_file_limit = '64MB';
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'cannot set temp_file_limit for flightly_readonly here; see the README production section';
END
$$;

-- Functions that sleep, take session locks, run SQL text, change settings or signal other
-- sessions: EXECUTE only for the roles that need them (the application role keeps set_config for
-- row-level security). The built-ins belong to the bootstrap superuser, so only a superuser can.
DO $$
DECLARE
  fn regprocedure;
BEGIN
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    RAISE NOTICE 'not a superuser: EXECUTE on dangerous built-ins stays as it is; see the README production section';
    RETURN;
  END IF;
  FOR fn IN
    SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'pg_catalog'
       AND (p.proname IN ('pg_sleep', 'pg_sleep_for', 'pg_sleep_until', 'pg_advisory_lock',
              'pg_advisory_lock_shared', 'pg_try_advisory_lock', 'pg_try_advisory_lock_shared',
              'ts_stat', 'set_config', 'setseed', 'pg_terminate_backend', 'pg_cancel_backend',
              'pg_notify', 'pg_reload_conf')
            OR p.proname ~ '^(query|cursor|table|schema|database)_to_xml')
  LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', fn);
  END LOOP;
  FOR fn IN
    SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'pg_catalog' AND p.proname = 'set_config'
  LOOP
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO flightly_app', fn);
  END LOOP;
END
$$;

-- Temporary tables: only the owner (and roles it grants TEMP to) may create them.
DO $$
BEGIN
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'cannot revoke TEMPORARY on this database here; see the README production section';
END
$$;
