/*
 * ladder_state.h: a dossier's state and due escalations at an instant (pure).
 *
 * Given the statutory deadline (core/deadline.h), what the source says (status, finished_at,
 * whether a delay reason is recorded), whether an apology already rescheduled the dossier (and
 * to which date), which levels already fired, the ladder and `now`, it returns the dossier's
 * state, the levels due now that have not fired, and the next instant at which either changes
 * by the passing of time alone. Offsets are working time on the calendar: `Nwd` moves to the
 * N-th working day before or after the anchor's day at the same time of day, `Nwh` counts
 * working seconds, `Ncd` calendar days. Rules: nothing fires once the dossier is finished,
 * withdrawn, rejected or paused; a level with a negative offset is a warning and lapses at its
 * deadline; episode-2 levels exist only after the reschedule and are anchored at its date.
 */
#ifndef DUNGHEN_LADDER_STATE_H
#define DUNGHEN_LADDER_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/deadline.h"
#include "core/ladder.h"

enum dossier_state {
  DOSSIER_ON_TRACK,
  DOSSIER_DUE_SOON,
  DOSSIER_OVERDUE,
  DOSSIER_RESCHEDULED,
  DOSSIER_OVERDUE_AGAIN,
  DOSSIER_PAUSED,
  DOSSIER_FINISHED_EARLY,   /* finished on a day before the deadline's day */
  DOSSIER_FINISHED_ON_TIME, /* finished on the deadline's day, not after the deadline */
  DOSSIER_FINISHED_LATE,    /* finished after the statutory deadline */
  DOSSIER_CLOSED,           /* withdrawn or rejected */
  DOSSIER_FLAGGED,          /* the source row is unusable (never returned by the evaluation) */
  DOSSIER_STATE_COUNT
};

/* The negative values are what a source row may say instead of a status: nothing (NULL or
 * blank), or a status the daemon does not know. ladder_state_evaluate() never takes them. */
enum source_status {
  SOURCE_MISSING = -2,
  SOURCE_UNKNOWN = -1,
  SOURCE_PROCESSING,
  SOURCE_WAITING_SUPPLEMENT,
  SOURCE_PAUSED,
  SOURCE_FINISHED,
  SOURCE_WITHDRAWN,
  SOURCE_REJECTED,
};

#define LADDER_NEVER INT64_MAX /* an instant that never comes */

struct ladder_input {
  struct deadline_result deadline; /* the statutory deadline (episode 1) */
  enum source_status status;
  int64_t finished_at;  /* used when status is SOURCE_FINISHED */
  bool delay_reason;    /* the source records why the dossier will be late */
  bool rescheduled;     /* an apology set a new date: episode 2 */
  int64_t new_deadline; /* with `rescheduled` */
  uint32_t fired;       /* bit i: ladder level i has fired (in its own episode) */
  int64_t now;
};

struct ladder_outcome {
  enum dossier_state state;
  int episode;          /* 1, or 2 once rescheduled */
  uint32_t due;         /* bit i: level i is due now and has not fired */
  int64_t next_instant; /* > now, or LADDER_NEVER */
};

/* The instant `offset` away from `anchor` in working time; LADDER_NEVER past the calendar. */
int64_t ladder_offset_instant(const struct calendar *calendar, const struct duration *offset,
                              int64_t anchor);

void ladder_state_evaluate(const struct calendar *calendar, const struct ladder *ladder,
                           const struct ladder_input *input, struct ladder_outcome *outcome);

/* "on_track", "due_soon", ... "finished_late", "closed", "flagged". */
const char *dossier_state_name(enum dossier_state state);
/* "processing", "waiting_supplement", "paused", "finished", "withdrawn", "rejected";
 * SOURCE_UNKNOWN (-1) for any other text. */
int source_status_from_name(const char *name);

#endif
