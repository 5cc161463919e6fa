-- Migration 7: what `dunghen report` counts (issue #17; docs/REPORT.md; store/report.h).
--
-- The progress report (Decision 766/QĐ-TTg) splits the dossiers received in a period by
-- channel and judges the ones that left processing by when they did. The clock kept neither:
--   channel      the channel the source names ('online', 'direct', 'postal'); NULL when it
--                names none of them (a flagged row), which the report counts as "other";
--   finished_at  the instant the dossier left processing: the source's finished_at for a
--                finished dossier; for a withdrawn or rejected one the source's finished_at
--                when it gives one, else the "now" of the pass that first saw it closed, kept by
--                later passes; NULL while it is open. A flagged row whose source status closes
--                it gets the same instant, so that the report can leave it out of later periods.
ALTER TABLE dunghen.clock
  ADD COLUMN channel text CHECK (channel IN ('online', 'direct', 'postal')),
  ADD COLUMN finished_at timestamptz;

-- The clocks so far, from the source as it reads now (the migration holds its lock: no pass
-- writes meanwhile). For a closed row without a source finished_at, the best instant known is
-- when the pass last wrote it.
UPDATE dunghen.clock c SET
  channel = CASE WHEN s.channel IN ('online', 'direct', 'postal') THEN s.channel END,
  finished_at = CASE
    WHEN c.state IN ('finished_early', 'finished_on_time', 'finished_late', 'closed')
      OR (c.state = 'flagged' AND s.status IN ('finished', 'withdrawn', 'rejected'))
    THEN coalesce(CASE WHEN isfinite(s.finished_at) THEN s.finished_at END, c.computed_at) END
FROM dunghen.dossier_source s
WHERE s.code = c.code;

-- A period's report reads two ranges, each through its own index (EXPLAIN in docs/REPORT.md):
-- the dossiers that left processing at or after the period's start, by finished_at, and the
-- dossiers still open, by received_at in a partial index that holds only those (a small
-- fraction of the table, cheap to keep up to date as dossiers finish).
CREATE INDEX clock_finished_at ON dunghen.clock (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX clock_open_received_at ON dunghen.clock (received_at) WHERE finished_at IS NULL;

-- Letters issued in a period, by their creation instant.
CREATE INDEX letter_log_created_at ON dunghen.letter_log (created_at);
