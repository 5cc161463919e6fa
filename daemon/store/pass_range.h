/*
 * pass_range.h: the first pass ever, shared by ranges of codes (store/pass.h), internal to
 * the pass.
 *
 * When the daemon's schema has no watermark and no clock yet, the source's codes are split
 * into ranges of about the pass's batch size (dunghen.pass_claim, migration 10), planned once
 * under a table lock by whichever daemon comes first. Each range is one transaction: claimed
 * with FOR UPDATE SKIP LOCKED (instead of one advisory lock per dossier), read in one
 * statement (the source rows with their pauses, clocks and fired levels, by range scans
 * rather than a probe per dossier), evaluated, written (store/pass_batch.h), and marked done.
 * Several daemons take ranges until none is left; a daemon killed mid-range rolls back, and
 * its range is taken again. While the plan is unfinished no daemon runs the per-dossier
 * changed phase (the range transactions hold no per-dossier lock), and no clock exists in an
 * unfinished range, so nothing else writes there. The daemon that finds every range done
 * sets the watermark to the earliest instant a range was read and deletes the plan.
 */
#ifndef DUNGHEN_PASS_RANGE_H
#define DUNGHEN_PASS_RANGE_H

#include "core/error.h"
#include "store/pass_batch.h"

enum pass_range_outcome {
  PASS_RANGE_NONE,    /* not a first pass by ranges: run the changed phase as usual */
  PASS_RANGE_DONE,    /* the plan is finished and the watermark set: re-read it, then the
                         changed phase reads only what changed since */
  PASS_RANGE_WAITING, /* other instances still hold ranges: skip the changed phase */
};

/* `watermark_us`: the stored watermark as read at the pass's start ("" when never set). Takes
 * and processes ranges until none is left to take; counts them in the report. */
enum status pass_range_phase(struct pass *pass, const char *watermark_us,
                             enum pass_range_outcome *outcome, struct error *error);

#endif
