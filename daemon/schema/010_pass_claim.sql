-- Migration 10: the first pass shared by ranges of codes (issue 18; docs/ADAPTER.md, "Several
-- daemons").
--
-- The first pass ever (no watermark, no clock) is split into ranges of the source's codes, one
-- row each, planned once by whichever daemon gets there first. A daemon claims an unfinished
-- range with SELECT ... FOR UPDATE SKIP LOCKED and writes its clocks, escalations and letters
-- in that same transaction, which also marks the range done: a daemon killed mid-range rolls
-- back, its row lock goes, and the range is taken again. The claim replaces one advisory lock
-- per dossier: while a plan is unfinished no daemon runs the per-dossier changed phase, and no
-- clock exists in an unfinished range. When every range is done, the watermark becomes the
-- earliest instant a range was read, and the plan is deleted.
CREATE TABLE dunghen.pass_claim (
  range_number integer PRIMARY KEY,
  low text NOT NULL,          -- the range's first code (inclusive); '' for the first range
  high text,                  -- the next range's first code (exclusive); NULL for the last
  started_at timestamptz,     -- the server's clock when the range was claimed and read
  done_at timestamptz,        -- when the transaction that wrote the range committed it
  done_by integer,            -- the backend process id of that transaction (for the record)
  dossiers integer            -- source rows the range had
);
