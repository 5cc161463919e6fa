-- Migration 5: per-agency counts for /metrics (open dossiers, overdue dossiers, letters
-- pending), kept as deltas by statement triggers like the counts of migration 2, so a scrape
-- still sums a table of a few hundred rows instead of counting a million clocks.
--
-- open:    the clock is running or stopped by a pause (on_track, due_soon, overdue,
--          rescheduled, overdue_again, paused); finished, closed and flagged dossiers are not.
-- overdue: overdue or overdue_again.
-- Rows without an agency code (a flagged source row) are not counted per agency.
ALTER TABLE dunghen.metric_delta DROP CONSTRAINT metric_delta_kind_check;
ALTER TABLE dunghen.metric_delta ADD CONSTRAINT metric_delta_kind_check
  CHECK (kind IN ('state', 'level', 'letter', 'agency_open', 'agency_overdue',
                  'agency_letters_pending'));

-- A row written by metric_compact() is `folded`: with per-agency counters there are always
-- more counters than the threshold, so the threshold now counts only the deltas appended since.
ALTER TABLE dunghen.metric_delta ADD COLUMN folded boolean NOT NULL DEFAULT false;

-- Which per-agency counter a clock state counts in (a view: the planner inlines its VALUES).
CREATE VIEW dunghen.metric_agency_state (kind, state) AS VALUES
  ('agency_open', 'on_track'), ('agency_open', 'due_soon'), ('agency_open', 'overdue'),
  ('agency_open', 'rescheduled'), ('agency_open', 'overdue_again'), ('agency_open', 'paused'),
  ('agency_overdue', 'overdue'), ('agency_overdue', 'overdue_again');

CREATE FUNCTION dunghen.count_clock_agencies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO dunghen.metric_delta (kind, name, delta)
      SELECT k.kind, r.agency_code, count(*)
      FROM new_rows r JOIN dunghen.metric_agency_state k ON k.state = r.state
      WHERE r.agency_code IS NOT NULL GROUP BY 1, 2;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO dunghen.metric_delta (kind, name, delta)
      SELECT k.kind, r.agency_code, -count(*)
      FROM old_rows r JOIN dunghen.metric_agency_state k ON k.state = r.state
      WHERE r.agency_code IS NOT NULL GROUP BY 1, 2;
  ELSE
    INSERT INTO dunghen.metric_delta (kind, name, delta)
      SELECT k.kind, d.agency_code, sum(d.delta)
      FROM (SELECT agency_code, state, 1 AS delta FROM new_rows
            UNION ALL SELECT agency_code, state, -1 FROM old_rows) d
      JOIN dunghen.metric_agency_state k ON k.state = d.state
      WHERE d.agency_code IS NOT NULL GROUP BY 1, 2 HAVING sum(d.delta) <> 0;
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION dunghen.count_letter_agencies() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO dunghen.metric_delta (kind, name, delta)
      SELECT 'agency_letters_pending', agency_code, count(*) FROM new_rows
      WHERE state = 'pending' GROUP BY agency_code;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO dunghen.metric_delta (kind, name, delta)
      SELECT 'agency_letters_pending', agency_code, -count(*) FROM old_rows
      WHERE state = 'pending' GROUP BY agency_code;
  ELSE
    INSERT INTO dunghen.metric_delta (kind, name, delta)
      SELECT 'agency_letters_pending', agency_code, sum(delta) FROM
        (SELECT agency_code, 1 AS delta FROM new_rows WHERE state = 'pending'
         UNION ALL SELECT agency_code, -1 FROM old_rows WHERE state = 'pending') d
      GROUP BY agency_code HAVING sum(delta) <> 0;
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER clock_agency_count_insert AFTER INSERT ON dunghen.clock
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dunghen.count_clock_agencies();
CREATE TRIGGER clock_agency_count_update AFTER UPDATE ON dunghen.clock
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dunghen.count_clock_agencies();
CREATE TRIGGER clock_agency_count_delete AFTER DELETE ON dunghen.clock
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dunghen.count_clock_agencies();
CREATE TRIGGER letter_log_agency_count_insert AFTER INSERT ON dunghen.letter_log
  REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dunghen.count_letter_agencies();
CREATE TRIGGER letter_log_agency_count_update AFTER UPDATE ON dunghen.letter_log
  REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dunghen.count_letter_agencies();
CREATE TRIGGER letter_log_agency_count_delete AFTER DELETE ON dunghen.letter_log
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION dunghen.count_letter_agencies();
CREATE TRIGGER clock_agency_open_truncate AFTER TRUNCATE ON dunghen.clock
  FOR EACH STATEMENT EXECUTE FUNCTION dunghen.forget_counts('agency_open');
CREATE TRIGGER clock_agency_overdue_truncate AFTER TRUNCATE ON dunghen.clock
  FOR EACH STATEMENT EXECUTE FUNCTION dunghen.forget_counts('agency_overdue');
CREATE TRIGGER letter_log_agency_count_truncate AFTER TRUNCATE ON dunghen.letter_log
  FOR EACH STATEMENT EXECUTE FUNCTION dunghen.forget_counts('agency_letters_pending');

-- The counts so far (the migration holds its lock: no pass writes meanwhile).
INSERT INTO dunghen.metric_delta (kind, name, delta, folded)
  SELECT k.kind, c.agency_code, count(*), true
  FROM dunghen.clock c JOIN dunghen.metric_agency_state k ON k.state = c.state
  WHERE c.agency_code IS NOT NULL GROUP BY 1, 2
  UNION ALL SELECT 'agency_letters_pending', agency_code, count(*), true FROM dunghen.letter_log
  WHERE state = 'pending' GROUP BY agency_code;

-- As in migration 2, but `threshold` counts the deltas appended since the last fold.
CREATE OR REPLACE FUNCTION dunghen.metric_compact(threshold integer) RETURNS void
  LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT count(*) FROM
        (SELECT 1 FROM dunghen.metric_delta WHERE NOT folded LIMIT threshold + 1) d) > threshold
     AND pg_try_advisory_xact_lock(28276614712812911) THEN
    WITH gone AS (DELETE FROM dunghen.metric_delta RETURNING kind, name, delta)
    INSERT INTO dunghen.metric_delta (kind, name, delta, folded)
      SELECT kind, name, sum(delta), true FROM gone GROUP BY kind, name HAVING sum(delta) <> 0;
  END IF;
END
$$;
