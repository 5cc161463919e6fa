-- Migration 13: the indexes of `dunghen web`'s dossier list (issue 19; store/web_view.h;
-- docs/WEB.md, "Pages").
--
-- The list is ordered by the deadline that runs now (the new date once rescheduled, else the
-- statutory deadline; none, while paused or flagged, last), then by code, and read in keyset
-- pages of 50: each page is an index range scan from the last row shown, whatever its depth.
-- Officials mostly look at open dossiers, a small part of a table that keeps every finished one,
-- so two partial indexes hold only those (finished_at IS NULL, migration 7): one for the
-- provincial office, one led by the agency for an agency's officials. The full index serves the
-- lists of finished dossiers. The expression must stay the one store/web_view.c orders by.
CREATE INDEX clock_web_open_due ON dunghen.clock
  ((coalesce(new_deadline, deadline, 'infinity'::timestamptz)), code)
  WHERE finished_at IS NULL;
CREATE INDEX clock_web_open_agency_due ON dunghen.clock
  (agency_code, (coalesce(new_deadline, deadline, 'infinity'::timestamptz)), code)
  WHERE finished_at IS NULL;
CREATE INDEX clock_web_due ON dunghen.clock
  ((coalesce(new_deadline, deadline, 'infinity'::timestamptz)), code);
