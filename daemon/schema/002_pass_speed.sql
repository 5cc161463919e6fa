-- Migration 2: cheaper passes and metrics (bench/RESULTS.md, "Daemon passes").

-- extract(epoch FROM timestamptz) is STABLE, so the IMMUTABLE declaration of migration 1 kept
-- PostgreSQL from inlining the function: every call ran as a nested SQL statement (executor
-- set-up per row and column). STABLE is what the body is; the planner now inlines it.
CREATE OR REPLACE FUNCTION dunghen.epoch(value timestamptz) RETURNS bigint
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN isfinite(value) THEN floor(extract(epoch FROM value))::bigint END $$;

-- What /metrics counts (dossiers by state, escalations by level, letters by state), kept as
-- deltas that statement triggers append in the writing transaction: appending takes no lock
-- that two daemons could wait on, and a reader sums a table of a few rows instead of counting
-- a million. dunghen.metric_compact() folds the deltas into one row per (kind, name).
CREATE TABLE dunghen.metric_delta (
  kind text NOT NULL CHECK (kind IN ('state', 'level', 'letter')),
  name text NOT NULL,
  delta bigint NOT NULL
);

INSERT INTO dunghen.metric_delta (kind, name, delta)
  SELECT 'state', state, count(*) FROM dunghen.clock GROUP BY state
  UNION ALL SELECT 'level', level, count(*) FROM dunghen.escalation_log GROUP BY level
  UNION ALL SELECT 'letter', state, count(*) FROM dunghen.letter_log GROUP BY state;

-- Statement triggers: the transition tables hold the rows of the whole statement, so a bulk
-- write costs one aggregate, not one trigger call per row. Static SQL, so plpgsql keeps the plans.
CREATE FUNCTION dunghen.count_clock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO dunghen.metric_delta (kind, name, delta)
      SELECT 'state', state, count(*) FROM new_rows GROUP BY state;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO dunghen.metric_delta (kind, name, delta)
      SELECT 'state', state, -count(*) FROM old_rows GROUP BY state;
  ELSE
    INSERT INTO dunghen.metric_delta (kind, name, delta)
      SELECT 'state', name, sum(delta) FROM
        (SELECT state AS name, 1 AS delta FROM new_rows
         UNION ALL SELECT state, -1 FROM old_rows) d
      GROUP BY name HAVING sum(delta) <> 0;
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION dunghen.count_escalations() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO dunghen.metric_delta (kind, name, delta)
      SELECT 'level', level, count(*) FROM new_rows GROUP BY level;
  ELSE
    INSERT INTO dunghen.metric_delta (kind, name, delta)
      SELECT 'level', level, -count(*) FROM old_rows GROUP BY level;
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION dunghen.count_letters() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO dunghen.metric_delta (kind, name, delta)
      SELECT 'letter', state, count(*) FROM new_rows GROUP BY state;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO dunghen.metric_delta (kind, name, delta)
      SELECT 'letter', state, -count(*) FROM old_rows GROUP BY state;
  ELSE
    INSERT INTO dunghen.metric_delta (kind, name, delta)
      SELECT 'letter', name, sum(delta) FROM
        (SELECT state AS name, 1 AS delta FROM new_rows
         UNION ALL SELECT state, -1 FROM old_rows) d
      GROUP BY name HAVING sum(delta) <> 0;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER clock_count_insert AFTER INSERT ON dunghen.clock
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dunghen.count_clock();
CREATE TRIGGER clock_count_update AFTER UPDATE ON dunghen.clock
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dunghen.count_clock();
CREATE TRIGGER clock_count_delete AFTER DELETE ON dunghen.clock
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION dunghen.count_clock();
CREATE TRIGGER escalation_log_count_insert AFTER INSERT ON dunghen.escalation_log
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dunghen.count_escalations();
CREATE TRIGGER escalation_log_count_delete AFTER DELETE ON dunghen.escalation_log
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dunghen.count_escalations();
CREATE TRIGGER letter_log_count_insert AFTER INSERT ON dunghen.letter_log
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION dunghen.count_letters();
CREATE TRIGGER letter_log_count_update AFTER UPDATE ON dunghen.letter_log
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dunghen.count_letters();
CREATE TRIGGER letter_log_count_delete AFTER DELETE ON dunghen.letter_log
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION dunghen.count_letters();

-- TRUNCATE fires no row or statement trigger above: it forgets the counts of that kind.
CREATE FUNCTION dunghen.forget_counts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM dunghen.metric_delta WHERE kind = TG_ARGV[0];
  RETURN NULL;
END
$$;
CREATE TRIGGER clock_count_truncate AFTER TRUNCATE ON dunghen.clock
  FOR EACH STATEMENT EXECUTE FUNCTION dunghen.forget_counts('state');
CREATE TRIGGER escalation_log_count_truncate AFTER TRUNCATE ON dunghen.escalation_log
  FOR EACH STATEMENT EXECUTE FUNCTION dunghen.forget_counts('level');
CREATE TRIGGER letter_log_count_truncate AFTER TRUNCATE ON dunghen.letter_log
  FOR EACH STATEMENT EXECUTE FUNCTION dunghen.forget_counts('letter');

-- Folds the deltas into one row per (kind, name) once more than `threshold` have piled up.
-- One caller at a time (a transaction advisory lock, "dunghen" + 1; a second caller skips), so
-- two daemons never wait on each other's row locks; a row deleted here is summed here.
CREATE FUNCTION dunghen.metric_compact(threshold integer) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT count(*) FROM (SELECT 1 FROM dunghen.metric_delta LIMIT threshold + 1) d)
       > threshold
     AND pg_try_advisory_xact_lock(28276614712812911) THEN
    WITH gone AS (DELETE FROM dunghen.metric_delta RETURNING kind, name, delta)
    INSERT INTO dunghen.metric_delta (kind, name, delta)
      SELECT kind, name, sum(delta) FROM gone GROUP BY kind, name HAVING sum(delta) <> 0;
  END IF;
END
$$;

-- The letter's link to its escalation was a foreign key, checked per row by a trigger that also
-- locked the escalation row (SELECT ... FOR KEY SHARE: a heap write and WAL per letter), which
-- made queueing a letter cost as much as raising three escalations. The passes write a letter
-- only in the statement that inserts its escalation, with the id that insert returned, and
-- never delete an escalation, so the key guards nothing they could break.
ALTER TABLE dunghen.letter_log DROP CONSTRAINT letter_log_escalation_id_fkey;
