/*
 * run.c: `dunghen run`, the daemon (service/loop.h does the work).
 *
 * Logs go to stderr (journald-friendly). For tests and the demo, `--now TS` (or $DUNGHEN_NOW)
 * starts a simulated clock at TS, and `--clock-rate R` (or $DUNGHEN_CLOCK_RATE) makes it run R
 * times faster than real time; without them the daemon uses the system clock.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/daemon_options.h"
#include "service/log.h"
#include "service/loop.h"

int command_run(int argc, char **argv) {
  struct daemon_options options;
  int usage = daemon_options_parse("run", argc, argv, true, &options);
  if (usage != 0)
    return usage;
  struct log log;
  log_init(&log, stderr, LOG_INFO);
  struct error error;
  error_clear(&error);
  if (loop_run(&options.loop, &log, &error) != STATUS_OK) {
    log_lines(&log, LOG_ERROR, NULL, error.message);
    return error.status == STATUS_INVALID ? 2 : 1;
  }
  return 0;
}
