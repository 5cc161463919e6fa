#include "service/clock.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "core/civil.h"

void clock_init_real(struct clock *clock) {
  clock->simulated = false;
  clock->start = 0;
  clock->rate = 1.0;
  clock_gettime(CLOCK_MONOTONIC, &clock->real_start);
}

enum status clock_init_simulated(struct clock *clock, const char *now_text, const char *rate_text,
                                 struct error *error) {
  clock_init_real(clock);
  if (civil_parse_timestamp(now_text, &clock->start, error) != STATUS_OK)
    return error_prefix(error, "now '%s'", now_text);
  if (rate_text != NULL) {
    char *end;
    errno = 0;
    double rate = strtod(rate_text, &end);
    if (errno != 0 || end == rate_text || *end != '\0' || !(rate >= 1.0 && rate <= 1e6))
      return error_set(error, STATUS_INVALID, "clock rate '%s' is not a number from 1 to 1000000",
                       rate_text);
    clock->rate = rate;
  }
  clock->simulated = true;
  return STATUS_OK;
}

static double real_elapsed(const struct clock *clock) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - clock->real_start.tv_sec) +
         (double)(now.tv_nsec - clock->real_start.tv_nsec) / 1e9;
}

int64_t clock_now(const struct clock *clock) {
  if (!clock->simulated)
    return (int64_t)time(NULL);
  return clock->start + (int64_t)floor(real_elapsed(clock) * clock->rate);
}

double clock_now_precise(const struct clock *clock) {
  if (clock->simulated)
    return (double)clock_now(clock);
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

double clock_real_delay(const struct clock *clock, int64_t instant) {
  double delay;
  if (!clock->simulated) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    delay = (double)instant - ((double)now.tv_sec + (double)now.tv_nsec / 1e9);
  } else {
    double simulated_now = (double)clock->start + real_elapsed(clock) * clock->rate;
    delay = ((double)instant - simulated_now) / clock->rate;
  }
  return delay > 0 ? delay : 0;
}

double clock_monotonic_seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}
