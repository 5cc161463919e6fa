/*
 * metrics_histogram.h: a Prometheus histogram (classic buckets) as plain data, so that a worker
 * thread can keep one in the snapshot it publishes and the loop can copy it out by value with
 * the rest (worker_thread.h): no pointer to follow, no lock of its own.
 *
 * The bounds are the upper bounds (`le`) of the buckets, strictly increasing, at most
 * METRICS_HISTOGRAM_MAX_BOUNDS of them, in a static constant array that outlives every copy;
 * the +Inf bucket is implicit. `counts` are per bucket (not cumulative): the writer of the
 * exposition accumulates them. Not thread-safe by itself: guard it like the snapshot it is in.
 */
#ifndef DUNGHEN_METRICS_HISTOGRAM_H
#define DUNGHEN_METRICS_HISTOGRAM_H

#include <stddef.h>
#include <stdint.h>

enum { METRICS_HISTOGRAM_MAX_BOUNDS = 20 };

struct metrics_histogram {
  const double *bounds; /* static storage; NULL before init */
  size_t bound_count;
  uint64_t counts[METRICS_HISTOGRAM_MAX_BOUNDS + 1]; /* the last one is +Inf */
  uint64_t count;
  double sum;
};

/* The bucket bounds of each histogram the daemon exposes (see loop.c's HELP texts). */
extern const double metrics_bounds_pass[];
extern const size_t metrics_bounds_pass_count;
extern const double metrics_bounds_escalation_delay[];
extern const size_t metrics_bounds_escalation_delay_count;
extern const double metrics_bounds_render[];
extern const size_t metrics_bounds_render_count;
extern const double metrics_bounds_sendmail[];
extern const size_t metrics_bounds_sendmail_count;
extern const double metrics_bounds_reload[];
extern const size_t metrics_bounds_reload_count;

/* Empties `histogram` and gives it `bounds` (only the first METRICS_HISTOGRAM_MAX_BOUNDS). */
void metrics_histogram_init(struct metrics_histogram *histogram, const double *bounds,
                            size_t bound_count);
/* Counts one observation (a negative value counts as 0: clocks may step back). */
void metrics_histogram_observe(struct metrics_histogram *histogram, double value);

#endif
