-- Migration 8: the scheduled progress report (issue 17; docs/REPORT.md, "On schedule").
--
-- One row per period, kind and grouping, written once by whichever daemon gets there first:
-- the unique key makes a second daemon's or a restarted daemon's insert a no-op
-- (ON CONFLICT DO NOTHING), and its outbox row is written in the same transaction only by the
-- insert that stored the run, so a report is never stored or mailed twice. The PDF and the
-- JSON are kept here: the database is the record, as for letters.
CREATE TABLE dunghen.report_run (
  id bigserial PRIMARY KEY,
  period_kind text NOT NULL CHECK (period_kind IN ('month', 'quarter')),
  period_from date NOT NULL,
  period_to date NOT NULL,
  grouping text NOT NULL CHECK (grouping IN ('agency', 'field', 'procedure', 'channel')),
  issuer text NOT NULL,        -- the agency whose letterhead the PDF carries
  year integer NOT NULL,       -- of report_day; numbers run per issuer and year
  number integer NOT NULL CHECK (number > 0),
  report_day date NOT NULL,    -- the date printed under the motto
  created_at timestamptz NOT NULL,
  received bigint NOT NULL,    -- the total row's figures, for the mail's short body
  done bigint NOT NULL,
  in_progress bigint NOT NULL,
  on_time_share double precision, -- NULL when nothing was done or in progress
  pdf bytea NOT NULL,
  json text NOT NULL,
  sha256 text NOT NULL,
  bytes bigint NOT NULL,
  UNIQUE (period_kind, period_from, grouping),
  UNIQUE (issuer, year, number),
  CHECK (period_from <= period_to)
);

-- The outbox carries reports too: no escalation, no dossier; the report's roles.
ALTER TABLE dunghen.outbox ADD COLUMN report_id bigint REFERENCES dunghen.report_run (id);
ALTER TABLE dunghen.outbox ALTER COLUMN escalation_id DROP NOT NULL;
ALTER TABLE dunghen.outbox ALTER COLUMN dossier_code DROP NOT NULL;
ALTER TABLE dunghen.outbox DROP CONSTRAINT outbox_kind_check;
ALTER TABLE dunghen.outbox ADD CONSTRAINT outbox_kind_check
  CHECK (kind IN ('escalation', 'letter', 'report'));
ALTER TABLE dunghen.outbox ADD CONSTRAINT outbox_report_check
  CHECK ((kind = 'report') = (report_id IS NOT NULL)
    AND (kind = 'report' OR (escalation_id IS NOT NULL AND dossier_code IS NOT NULL)));
ALTER TABLE dunghen.delivery_log DROP CONSTRAINT delivery_log_kind_check;
ALTER TABLE dunghen.delivery_log ADD CONSTRAINT delivery_log_kind_check
  CHECK (kind IN ('escalation', 'letter', 'digest', 'report'));
