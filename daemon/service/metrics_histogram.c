#include "service/metrics_histogram.h"

#include <string.h>

/* A pass with nothing to do takes a few milliseconds; a first pass over a million dossiers,
 * minutes (bench/RESULTS.md). */
const double metrics_bounds_pass[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                      2.5,   5,    10,    30,   60,  120,  300, 900};
const size_t metrics_bounds_pass_count = sizeof metrics_bounds_pass / sizeof(double);
/* NOTIFY makes it about a second; the poll interval (60 s by default) bounds it without
 * NOTIFY; hours mean the daemon was down or stuck. */
const double metrics_bounds_escalation_delay[] = {0.5, 1,   2.5,  5,    10,   30,    60,   120,
                                                  300, 600, 1800, 3600, 7200, 21600, 86400};
const size_t metrics_bounds_escalation_delay_count =
    sizeof metrics_bounds_escalation_delay / sizeof(double);
/* About 9 ms with one embedded face, 18 ms with two (GOTCHAS.md). */
const double metrics_bounds_render[] = {0.005, 0.01, 0.02, 0.035, 0.05, 0.075,
                                        0.1,   0.25, 0.5,  1,     2.5,  5};
const size_t metrics_bounds_render_count = sizeof metrics_bounds_render / sizeof(double);
/* A local queue (postfix) answers in milliseconds; a relay over the network in seconds; the
 * default mail.timeout is 60 s. */
const double metrics_bounds_sendmail[] = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                          2.5,  5,     10,   30,  60,   120};
const size_t metrics_bounds_sendmail_count = sizeof metrics_bounds_sendmail / sizeof(double);
/* Rules, templates and fonts are read and checked in the loop: tens of milliseconds. */
const double metrics_bounds_reload[] = {0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
const size_t metrics_bounds_reload_count = sizeof metrics_bounds_reload / sizeof(double);

void metrics_histogram_init(struct metrics_histogram *histogram, const double *bounds,
                            size_t bound_count) {
  memset(histogram, 0, sizeof *histogram);
  histogram->bounds = bounds;
  histogram->bound_count =
      bound_count < METRICS_HISTOGRAM_MAX_BOUNDS ? bound_count : METRICS_HISTOGRAM_MAX_BOUNDS;
}

void metrics_histogram_observe(struct metrics_histogram *histogram, double value) {
  if (!(value > 0)) /* also NaN */
    value = 0;
  size_t bucket = 0;
  while (bucket < histogram->bound_count && value > histogram->bounds[bucket])
    bucket++;
  histogram->counts[bucket]++;
  histogram->count++;
  histogram->sum += value;
}
