/*
 * preview.h: how one dossier's clock differs between the rules in force and new rules
 * (`dunghen preview`), a pure comparison of two evaluations (core/dossier.h) of the same facts
 * at the same `now`.
 *
 * The dossier is listed when its statutory deadline moves (or, while a pause holds the clock,
 * the working time it has left), its state changes (a flag appearing, going or changing its
 * reason included), or the set of escalation levels due differs (by level name, since the two
 * ladders may differ). A due level is one that has not fired in its episode: dossier_evaluate()
 * already leaves out the levels the escalation log holds, so the levels due under the new rules
 * are exactly those that would be raised as soon as the new rules take effect, and a letter
 * would be drafted when one of them has the letter action.
 */
#ifndef DUNGHEN_CORE_PREVIEW_H
#define DUNGHEN_CORE_PREVIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/dossier.h"
#include "core/ladder.h"
#include "core/translation.h"

enum { PREVIEW_SHIFT_SIZE = 48 };

struct preview_difference {
  bool differs;       /* any of the below */
  bool moved;         /* the deadline, or the working time left of a stopped clock, changed */
  bool state_changed; /* the state or the flag's reason */
  bool escalations_changed;
  bool has_deadline_before, has_deadline_after; /* a running clock with a deadline */
  int64_t deadline_before, deadline_after;
  int64_t shift_seconds; /* working seconds on the new calendar, negative when earlier */
  enum dossier_state state_before, state_after;
  uint32_t escalations; /* bit i: level i of the new ladder is due under the new rules */
  int escalation_count;
  bool letter; /* one of them drafts the apology letter */
};

/* Compares `before` (evaluated with `ladder_before`) with `after` (with `ladder_after` and
 * `calendar_after`). */
void preview_compare(const struct calendar *calendar_after, const struct ladder *ladder_before,
                     const struct ladder *ladder_after, const struct dossier_evaluation *before,
                     const struct dossier_evaluation *after, struct preview_difference *difference);

/* A shift of working time in words: "+2 working days" when it is a whole number of the
 * calendar's working days (`seconds_per_day`), else "-3h working time", "+1h30m working time";
 * "no shift" for 0. */
void preview_format_shift(int64_t seconds, int64_t seconds_per_day,
                          char buffer[PREVIEW_SHIFT_SIZE]);
/* The same in the admin's language (core/translation.h; NULL: English). */
void preview_describe_shift(const struct translation *translation, int64_t seconds,
                            int64_t seconds_per_day, char buffer[PREVIEW_SHIFT_SIZE]);

/* The working seconds of one working day of `calendar`. */
int64_t preview_seconds_per_day(const struct calendar *calendar);

#endif
