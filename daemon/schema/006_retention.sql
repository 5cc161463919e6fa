-- Migration 6: retention (issue #14; service/retention.h). The closed dossiers in the order
-- their source rows last changed, so that each small deleting transaction finds its rows
-- through an index instead of scanning every clock.
CREATE INDEX clock_closed ON dunghen.clock (source_updated_at)
  WHERE state IN ('finished_early', 'finished_on_time', 'finished_late', 'closed');
