-- contrib/web-role.sql: the database role of `dunghen web` (docs/WEB.md, "The database role").
--
--   psql -v ON_ERROR_STOP=1 -d ONESTOP_DATABASE -f contrib/web-role.sql
--
-- Run it as the owner of schema dunghen (the daemon's role) or a superuser, after
-- `dunghen migrate`, and again after every later migration: GRANT ... ON ALL TABLES covers the
-- tables that exist when it runs. It is safe to run twice.
--
-- The web view reads dunghen's tables and the adapter's views (dunghen.dossier_source and
-- dunghen.dossier_pause_source, which run with their owner's rights unless a deployment made
-- them security_invoker: then grant SELECT on the tables under them too, docs/ADAPTER.md),
-- and writes only its sessions, failed sign-ins and audit trail. It cannot change a dossier's
-- clock, an escalation or a letter.
--
-- The role logs in without a password here: give it one (ALTER ROLE dunghen_web PASSWORD ...)
-- or map the web service's system user to it in pg_ident.conf (docs/WEB.md).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'dunghen_web') THEN
    CREATE ROLE dunghen_web LOGIN;
  END IF;
END
$$;

REVOKE ALL ON ALL TABLES IN SCHEMA dunghen FROM dunghen_web;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA dunghen FROM dunghen_web;
GRANT USAGE ON SCHEMA dunghen TO dunghen_web;
GRANT SELECT ON ALL TABLES IN SCHEMA dunghen TO dunghen_web;
GRANT INSERT, UPDATE, DELETE
  ON dunghen.web_session, dunghen.web_signin_failure, dunghen.web_audit TO dunghen_web;
