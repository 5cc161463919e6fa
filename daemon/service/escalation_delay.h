/*
 * escalation_delay.h: how late the escalations of a pass were raised, for the histogram
 * dunghen_escalation_delay_seconds.
 *
 * An escalation is owed from the later of two instants: the instant the ladder made its level
 * due (its offset from the episode's deadline, recorded in dunghen.escalation_log.deadline;
 * ignored when still ahead, as for a level fired by a delay reason), and the source row's
 * updated_at, i.e. when the change that the pass read was committed in the one-stop database
 * (dunghen.clock.source_updated_at, written by the same transaction). Its delay runs from there
 * to `committed_at`, the daemon's clock once the pass had committed; a negative delay (clocks of
 * two hosts apart) counts as 0. The rows come from store/raised_escalations.h. Blocking libpq,
 * from the worker thread, after the pass.
 */
#ifndef DUNGHEN_ESCALATION_DELAY_H
#define DUNGHEN_ESCALATION_DELAY_H

#include <libpq-fe.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/error.h"
#include "rules/ladder.h"
#include "service/clock.h"
#include "service/metrics_histogram.h"

/* `committed_at` for escalation_delay_observe: the daemon's clock, read with its fraction of a
 * second when it is the real one (clock_now_precise). */
double escalation_delay_now(const struct clock *clock);

/*
 * Observes into `histogram` the delay of every escalation raised at `raised_at` (the pass's
 * "now": what it recorded in raised_at) whose id is above `*seen_id`, and raises `*seen_id` to
 * the greatest id read, so that two jobs in the same second do not count one twice. With
 * several daemons, an escalation another instance raised in the same second is observed too.
 * Writes nothing.
 */
enum status escalation_delay_observe(PGconn *connection, const struct calendar *calendar,
                                     const struct ladder *ladder, int64_t raised_at,
                                     double committed_at, int64_t *seen_id,
                                     struct metrics_histogram *histogram, struct error *error);

#endif
