/*
 * report_schedule.h: which progress report (core/report.h) is due, as a pure function of the
 * working-day calendar, the kind of period and `now` (the daemon's `reports:` section,
 * docs/REPORT.md "On schedule").
 *
 * Periods are calendar months or quarters (January-March, April-June, July-September,
 * October-December), each [first day 00:00, last day + 1 00:00) local time. A period becomes
 * due at the opening (the first working-hours interval) of the first working day after its
 * last day: the report then goes out when the office opens, over figures that stopped moving at
 * midnight. It stays due until the period after it closes: only the latest closed period is
 * ever due, never a backlog, so a daemon that was down for two months renders the last one
 * only (the CLI, `dunghen report`, renders any other).
 */
#ifndef DUNGHEN_CORE_REPORT_SCHEDULE_H
#define DUNGHEN_CORE_REPORT_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/error.h"
#include "core/report.h"

enum report_period_kind { REPORT_PERIOD_MONTH, REPORT_PERIOD_QUARTER };

/* "month", "quarter"; STATUS_INVALID naming the word otherwise. */
enum status report_period_kind_parse(const char *text, enum report_period_kind *kind,
                                     struct error *error);
const char *report_period_kind_name(enum report_period_kind kind);

/* The period of `kind` that holds `day` (a day number). */
struct report_period report_schedule_period_of(enum report_period_kind kind, int64_t day);
/* The period just before `period` (of the same kind). */
struct report_period report_schedule_previous(enum report_period_kind kind,
                                              struct report_period period);

/* The instant `period` becomes due: the opening of the first working day after its last day;
 * -1 when that day is outside the calendar's range. */
int64_t report_schedule_due_at(const struct calendar *calendar, struct report_period period);

/* True, with the period in *period, when the latest period closed before `now` is due (its
 * due instant has come); false when it is not yet. */
bool report_schedule_due(const struct calendar *calendar, enum report_period_kind kind, int64_t now,
                         struct report_period *period);

/* The first due instant after `now` (of the latest closed period or of the current one): when
 * to look again. -1 when none lies inside the calendar's range. */
int64_t report_schedule_next(const struct calendar *calendar, enum report_period_kind kind,
                             int64_t now);

#endif
