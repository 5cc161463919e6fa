-- Migration 1: the daemon's own schema `dunghen` (ARCHITECTURE.md, "Data flow" and "Contracts").
-- Applied by `dunghen migrate` inside one transaction that holds the migration advisory lock;
-- dunghen.schema_version records it. Never edit an applied migration: add the next number.

-- Unix seconds of a timestamp, NULL for NULL or +/-infinity (the daemon flags those rows).
CREATE FUNCTION dunghen.epoch(value timestamptz) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT CASE WHEN isfinite(value) THEN floor(extract(epoch FROM value))::bigint END $$;

-- Every dossier the daemon has seen: its clock, as of the last pass that examined it.
CREATE TABLE dunghen.clock (
  code text PRIMARY KEY,
  procedure_code text,
  agency_code text,
  source_updated_at timestamptz,   -- the source row's updated_at when last examined
  received_at timestamptz,
  deadline timestamptz,            -- statutory deadline; NULL while paused or flagged
  remaining_seconds bigint,        -- working time left when the clock is stopped by a pause
  episode smallint NOT NULL DEFAULT 1 CHECK (episode IN (1, 2)),
  rescheduled_at timestamptz,      -- when the apology set a new date (episode 2)
  new_deadline timestamptz,        -- that date, the deadline of episode 2
  state text NOT NULL CHECK (state IN ('on_track', 'due_soon', 'overdue', 'rescheduled',
    'overdue_again', 'paused', 'finished_early', 'finished_on_time', 'finished_late', 'closed',
    'flagged')),
  next_instant timestamptz,        -- when time alone changes the state or raises a level
  flagged_reason text,             -- why the source row is unusable; no personal data
  rules_fingerprint text,
  computed_at timestamptz NOT NULL, -- the "now" of the pass that wrote the row
  CHECK ((state = 'flagged') = (flagged_reason IS NOT NULL)),
  CHECK (episode = 1 OR new_deadline IS NOT NULL)
);
-- The due timer: dossiers whose next instant has come, oldest first.
CREATE INDEX clock_next_instant ON dunghen.clock (next_instant, code)
  WHERE next_instant IS NOT NULL;

-- One row: how far the sync has read the source, and with which rules.
CREATE TABLE dunghen.sync_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  watermark timestamptz,           -- the greatest source updated_at fully processed
  last_pass_at timestamptz,        -- the "now" of the last committed batch
  rules_fingerprint text           -- the rules the stored clocks were computed with
);
INSERT INTO dunghen.sync_state DEFAULT VALUES;

-- Escalations raised: one row per dossier, level and episode, ever.
CREATE TABLE dunghen.escalation_log (
  id bigserial PRIMARY KEY,
  dossier_code text NOT NULL,
  level text NOT NULL,
  episode smallint NOT NULL CHECK (episode IN (1, 2)),
  raised_at timestamptz NOT NULL,
  recipients text[] NOT NULL,
  reason text NOT NULL,
  agency_code text,
  deadline timestamptz,            -- the deadline of that episode
  action text NOT NULL DEFAULT 'notify' CHECK (action IN ('notify', 'letter')),
  UNIQUE (dossier_code, level, episode)
);
CREATE INDEX escalation_log_raised_at ON dunghen.escalation_log (raised_at);

-- The last letter number taken per agency and year; locked by the transaction taking one.
CREATE TABLE dunghen.letter_counter (
  agency_code text NOT NULL,
  year integer NOT NULL,
  last_number integer NOT NULL CHECK (last_number > 0),
  PRIMARY KEY (agency_code, year)
);

-- The apology letters: the renderer's job queue ('pending' until it records the PDF).
CREATE TABLE dunghen.letter_log (
  id bigserial PRIMARY KEY,
  dossier_code text NOT NULL UNIQUE, -- rescheduled at most once: never a second letter
  agency_code text NOT NULL,
  year integer NOT NULL,
  number integer NOT NULL CHECK (number > 0),
  escalation_id bigint NOT NULL REFERENCES dunghen.escalation_log (id),
  path text,
  sha256 text,
  bytes bigint,
  new_appointment_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL,
  rendered_at timestamptz,
  state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'rendered', 'failed')),
  error text,
  UNIQUE (agency_code, year, number),
  CHECK (state <> 'rendered' OR (path IS NOT NULL AND sha256 IS NOT NULL AND bytes IS NOT NULL))
);
CREATE INDEX letter_log_pending ON dunghen.letter_log (id) WHERE state = 'pending';

-- NOTIFY at commit, once per statement, payload = the number of rows added.
CREATE FUNCTION dunghen.announce() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  added bigint;
BEGIN
  SELECT count(*) INTO added FROM new_rows;
  IF added > 0 THEN
    PERFORM pg_notify(TG_ARGV[0], added::text);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER escalation_log_announce AFTER INSERT ON dunghen.escalation_log
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION dunghen.announce('dunghen_escalation');
CREATE TRIGGER letter_log_announce AFTER INSERT ON dunghen.letter_log
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
  EXECUTE FUNCTION dunghen.announce('dunghen_letter');

-- The two source views a deployment defines (docs/ADAPTER.md). Until it does, they are empty
-- with the contract's columns, so CREATE OR REPLACE VIEW must keep those names and types.
DO $$
BEGIN
  IF to_regclass('dunghen.dossier_source') IS NULL THEN
    CREATE VIEW dunghen.dossier_source AS
      SELECT NULL::text AS code, NULL::text AS procedure_code, NULL::text AS agency_code,
        NULL::text AS applicant_name, NULL::text AS applicant_id,
        NULL::text AS applicant_address, NULL::text AS summary, NULL::text AS channel,
        NULL::timestamptz AS received_at, NULL::timestamptz AS appointment_at,
        NULL::text AS status, NULL::timestamptz AS finished_at, NULL::text AS delay_reason,
        NULL::timestamptz AS updated_at
      WHERE false;
  END IF;
  IF to_regclass('dunghen.dossier_pause_source') IS NULL THEN
    CREATE VIEW dunghen.dossier_pause_source AS
      SELECT NULL::text AS code, NULL::timestamptz AS paused_at, NULL::timestamptz AS resumed_at,
        NULL::text AS kind
      WHERE false;
  END IF;
END
$$;
