/*
 * daemon_options.h: the options `dunghen run` and `dunghen once` share.
 *
 *   --config FILE    the config file (default DUNGHEN_SYSCONFDIR/dunghen.yaml, may be absent)
 *   --db CONNINFO    --rules DIR    --letters DIR    --spool DIR   (override the config file)
 *   --now TS         "now" for once; for run, where a simulated clock starts (then it runs)
 *   --clock-rate R   run only: the simulated clock runs R times faster than real time
 * $DUNGHEN_NOW and $DUNGHEN_CLOCK_RATE give --now and --clock-rate when the options are absent.
 */
#ifndef DUNGHEN_DAEMON_OPTIONS_H
#define DUNGHEN_DAEMON_OPTIONS_H

#include <stdbool.h>

#include "service/loop.h"

struct daemon_options {
  struct loop_options loop;
  const char *now;        /* NULL: the real clock */
  const char *clock_rate; /* NULL: 1 */
};

/* Parses argv (argv[0] is the subcommand); on a usage error prints it and returns 2, else 0.
 * `allow_rate` accepts --clock-rate (run). Sets up options->loop.clock. */
int daemon_options_parse(const char *command, int argc, char **argv, bool allow_rate,
                         struct daemon_options *options);

#endif
