/*
 * clock.h: the daemon's one source of "now", real or simulated.
 *
 * A real clock reads the system time. A simulated clock starts at a given instant and runs
 * `rate` times faster than real time (rate 1: an offset clock), so tests and the demo can put
 * the daemon on any date and let deadlines pass without waiting. Timers convert "wake at
 * instant X" into a real delay through clock_real_delay(). Read-only after setup, so the loop
 * and the worker thread may share one.
 */
#ifndef DUNGHEN_CLOCK_H
#define DUNGHEN_CLOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "core/error.h"

struct clock {
  bool simulated;
  int64_t start;              /* the simulated instant at `real_start` */
  struct timespec real_start; /* CLOCK_MONOTONIC */
  double rate;
};

void clock_init_real(struct clock *clock);
/* A simulated clock from `now_text` (a civil timestamp) and `rate_text` (NULL = 1). */
enum status clock_init_simulated(struct clock *clock, const char *now_text, const char *rate_text,
                                 struct error *error);
/* Seconds since the Unix epoch. */
int64_t clock_now(const struct clock *clock);
/* The same with the fraction of a second when the clock is the real one (a simulated clock
 * reads whole seconds): for measuring how late something happened, not for deciding. */
double clock_now_precise(const struct clock *clock);
/* Real seconds until the clock reads `instant` (0 when it has passed). */
double clock_real_delay(const struct clock *clock, int64_t instant);
/* Seconds of CLOCK_MONOTONIC: durations and backoffs, which a simulated "now" must not bend. */
double clock_monotonic_seconds(void);

#endif
