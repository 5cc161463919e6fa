-- The national view: a reporting database that reads several provinces' dunghen schemas
-- through postgres_fdw, so `dunghen report --db REPORTING` runs across provinces
-- (docs/NATIONAL.md). Tested by tests/e2e/test_national.py with two private clusters.
--
-- Run once in the reporting database, as a role that may create extensions, servers and
-- schemas:
--   psql -d reporting -v ON_ERROR_STOP=1 -f contrib/national-view.sql
-- then once per province (the role and password of a read-only role in that province; a
-- superuser of the reporting database may pass NULL as the password):
--   SELECT national.add_province('daklak', 'db.daklak.example', '5432', 'onestop',
--                                'dunghen_report', 'secret');
-- Adding a province rebuilds the views; after a province migrated, run
--   SELECT national.rebuild(); Nothing is copied: every report reads the provinces' tables at that moment.
--
-- What the reporting database holds, in schema `dunghen` (the names the report reads):
--   dunghen.clock, dunghen.letter_log  UNION ALL of every province's table, with a leading
--                                      column `province`; the dossier code (clock.code,
--                                      letter_log.dossier_code) becomes 'PROVINCE/CODE', since
--                                      two provinces may use the same dossier code
--   dunghen.schema_version             the lowest schema version of the provinces, so the
--                                      report refuses to run while one province lags behind
-- and, per province, schema `province_NAME` with its foreign tables.

CREATE EXTENSION IF NOT EXISTS postgres_fdw;
CREATE SCHEMA IF NOT EXISTS national;
CREATE SCHEMA IF NOT EXISTS dunghen;

CREATE TABLE IF NOT EXISTS national.province (
  name text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{0,40}$')
);

-- Each province's foreign tables imported again, then the union views over the columns every
-- province has (a column a later migration adds appears once all provinces have migrated).
CREATE OR REPLACE FUNCTION national.rebuild() RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  source text;
  code_column text;
  names text[];
  branches text;
BEGIN
  DROP VIEW IF EXISTS dunghen.clock, dunghen.letter_log, dunghen.schema_version;
  IF NOT EXISTS (SELECT 1 FROM national.province) THEN
    RETURN;
  END IF;
  -- Imported again each time: a migration of a province may have added columns.
  FOR source IN SELECT 'province_' || p.name FROM national.province p LOOP
    EXECUTE format('DROP SCHEMA IF EXISTS %I CASCADE', source);
    EXECUTE format('CREATE SCHEMA %I', source);
    EXECUTE format('IMPORT FOREIGN SCHEMA dunghen LIMIT TO (clock, letter_log, schema_version) '
                   'FROM SERVER %I INTO %I', source, source);
  END LOOP;
  FOREACH source IN ARRAY ARRAY['clock', 'letter_log'] LOOP
    code_column := CASE source WHEN 'clock' THEN 'code' ELSE 'dossier_code' END;
    -- The columns every province has, in the order of the first.
    SELECT array_agg(column_name ORDER BY place) INTO names
    FROM (SELECT c.column_name::text, min(c.ordinal_position) AS place
          FROM information_schema.columns c JOIN national.province p
            ON c.table_schema = 'province_' || p.name
          WHERE c.table_name = source AND c.column_name <> 'province'
          GROUP BY c.column_name
          HAVING count(*) = (SELECT count(*) FROM national.province)) AS shared;
    SELECT string_agg(format('SELECT %L::text AS province, %s FROM %I.%I', p.name,
                             (SELECT string_agg(CASE WHEN n = code_column
                                                  THEN format('%L || ''/'' || %I AS %I', p.name,
                                                              n, n)
                                                  ELSE quote_ident(n) END, ', ' ORDER BY i)
                              FROM unnest(names) WITH ORDINALITY AS u(n, i)),
                             'province_' || p.name, source),
                      ' UNION ALL ' ORDER BY p.name) INTO branches
    FROM national.province p;
    EXECUTE format('CREATE VIEW dunghen.%I AS %s', source, branches);
  END LOOP;
  SELECT string_agg(format('SELECT max(version) AS version FROM %I.schema_version',
                           'province_' || name), ' UNION ALL ')
    INTO branches FROM national.province;
  EXECUTE format('CREATE VIEW dunghen.schema_version AS SELECT min(version) AS version FROM (%s) '
                 'AS provinces', branches);
END $$;

-- A province: its foreign server, the user mapping of the current role, its schema of foreign
-- tables, then the views again.
CREATE OR REPLACE FUNCTION national.add_province(name text, host text, port text, dbname text,
                                                 username text, password text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  server text := 'province_' || name;
BEGIN
  INSERT INTO national.province (name) VALUES (add_province.name);
  EXECUTE format('CREATE SERVER %I FOREIGN DATA WRAPPER postgres_fdw '
                 'OPTIONS (host %L, port %L, dbname %L, application_name %L)',
                 server, host, port, dbname, 'dunghen-national');
  IF password IS NULL THEN
    EXECUTE format('CREATE USER MAPPING FOR CURRENT_USER SERVER %I OPTIONS (user %L)', server,
                   username);
  ELSE
    EXECUTE format('CREATE USER MAPPING FOR CURRENT_USER SERVER %I '
                   'OPTIONS (user %L, password %L)', server, username, password);
  END IF;
  PERFORM national.rebuild();
END $$;
