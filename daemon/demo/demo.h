/*
 * demo.h: `dunghen demo`, the whole product on a private PostgreSQL in under a minute.
 *
 * Starts a throw-away cluster (demo/cluster.h), migrates it and installs the reference
 * one-stop schema, generates a seeded month of realistic dossiers (demo/scenario.h), then plays
 * that month on a simulated clock: at each step the dossiers' events up to "now" are written to
 * the one-stop tables, the daemon's own pass runs (store/pass.h) and the letter jobs are
 * rendered (service/letter_jobs.h) -- the same code as `dunghen run`, only the clock differs.
 * It prints a progress line while it works and a summary a person can read at the end.
 */
#ifndef DUNGHEN_DEMO_H
#define DUNGHEN_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct demo_options {
  const char *output_directory; /* letters go to OUTPUT/letters */
  const char *rules_directory;
  const char *letters_directory;
  uint64_t seed;
  size_t dossiers;
  int days;          /* calendar days simulated */
  int64_t first_day; /* day number of the first simulated day */
  bool keep;         /* leave the cluster running and say how to connect */
  bool progress;     /* rewrite one progress line (a terminal) rather than print lines */
};

enum status demo_run(const struct demo_options *options, struct error *error);

#endif
