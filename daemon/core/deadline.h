/*
 * deadline.h: the statutory deadline of one dossier, as PRODUCT.md "Counting time" specifies.
 *
 * Pure: a frozen calendar and a request in, the deadline (and optionally every step of its
 * derivation) out. Counting modes `hours` and `days`, durations in working days, working hours
 * or calendar days, an optional cut-off, pauses that either stop the clock (`pause`) or restart
 * the whole duration from the resume instant (`restart`). An open pause (not resumed yet) gives
 * no deadline: the result says the clock is stopped and how much working time remains.
 */
#ifndef DUNGHEN_DEADLINE_H
#define DUNGHEN_DEADLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/error.h"

enum duration_unit { UNIT_WORKING_DAYS, UNIT_WORKING_HOURS, UNIT_CALENDAR_DAYS };
enum counting_mode { COUNTING_HOURS, COUNTING_DAYS };
enum supplement_mode { SUPPLEMENT_PAUSE, SUPPLEMENT_RESTART };

enum { NO_CUTOFF = -1 };
/* A macro: ISO C limits enumerators to int. */
#define PAUSE_OPEN INT64_MAX

struct duration {
  int64_t amount;
  enum duration_unit unit;
};

struct pause_interval {
  int64_t from; /* instant */
  int64_t to;   /* instant, or PAUSE_OPEN while the pause lasts */
};

struct deadline_request {
  int64_t received_at;
  struct duration duration;
  enum counting_mode counting;
  int cutoff; /* seconds since midnight, or NO_CUTOFF */
  enum supplement_mode supplement;
  const struct pause_interval *pauses; /* any order; overlaps are merged */
  size_t pause_count;
};

struct deadline_result {
  int64_t deadline;          /* instant; meaningless when `stopped` */
  int64_t effective_start;   /* instant the clock started (after cut-off, opening, restart) */
  bool stopped;              /* an open pause holds the clock */
  int64_t remaining_seconds; /* with `stopped`: working seconds (hours mode) or working days
                                (days mode; calendar days for `cd`) still to run when the pause
                                ends */
};

struct explanation; /* core/explanation.h: the lines of `dunghen deadline --explain` */

/* Fails with STATUS_INVALID when the request is impossible (negative duration, a result beyond
 * the calendar's range, ...), with a message naming the cause. `explanation` may be NULL. */
enum status deadline_compute(const struct calendar *calendar,
                             const struct deadline_request *request, struct deadline_result *result,
                             struct explanation *explanation, struct error *error);

/* One explanation line per non-working day in [first, last] with the calendar's reason (the
 * first few, then a count), as the deadline's own derivation lists them. */
void deadline_explain_days_off(const struct calendar *calendar, int64_t first, int64_t last,
                               struct explanation *explanation);

/* Parses `3wd`, `16wh`, `30cd` (0 allowed: `0wd` is "trong ngày"). Refuses signs, spaces,
 * unknown units and durations longer than DEADLINE_MAX_DAYS days (DEADLINE_MAX_DAYS x 8 hours
 * for `wh`), each with a message that quotes the text. */
enum status deadline_parse_duration(const char *text, struct duration *duration,
                                    struct error *error);

/* The longest duration accepted anywhere: ten years of days. */
enum { DEADLINE_MAX_DAYS = 3650, DEADLINE_DURATION_TEXT_SIZE = 32 };

/* `3wd` back from a duration; buffer of DEADLINE_DURATION_TEXT_SIZE. */
void deadline_format_duration(const struct duration *duration, char *buffer);
/* "hours"/"days", "pause"/"restart", "wd"/"wh"/"cd": the words the YAML and the flags use. */
const char *counting_mode_name(enum counting_mode counting);
const char *supplement_mode_name(enum supplement_mode supplement);
const char *duration_unit_name(enum duration_unit unit);

#endif
