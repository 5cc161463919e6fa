/*
 * loop.h: `dunghen run`, the daemon's libevent loop, and the config resolution it shares with
 * `dunghen once`.
 *
 * The loop owns every piece of the running daemon in one struct (no globals): the config, the
 * asynchronous LISTEN connection (listener.h: dunghen_dossier wakes a pass, dunghen_letter the
 * letter thread), the pass worker that runs passes with blocking libpq (pass_worker.h), the
 * letter thread that renders the queued letters into the spool (letter_worker.h; woken when a pass
 * queued letters, so a pass never waits for a PDF), the due timer (one timer set to the
 * earliest next instant the last pass reported), the poll timer, the HTTP endpoint (http.h:
 * /healthz is 503 `spool: ...` while the spool refuses letters; the texts are status.h's), the
 * systemd notifications (sdnotify.h) and the signals, handled as libevent callbacks:
 *   SIGHUP           reload config, rules, templates and fonts: validate, then swap; a bad file
 *                    keeps the old set and logs why; the rules are read once and shared by the
 *                    three threads (rules/ruleset.h); then the worker recomputes every clock
 *   SIGTERM, SIGINT  stop: the worker finishes its current transaction, exit status 0
 * The loop itself never blocks on the database.
 */
#ifndef DUNGHEN_LOOP_H
#define DUNGHEN_LOOP_H

#include <stdbool.h>

#include "core/error.h"
#include "service/clock.h"
#include "service/config.h"
#include "service/log.h"

/* Command-line values that override the config file (NULL: not given). */
struct loop_overrides {
  const char *conninfo;
  const char *rules_directory;
  const char *letters_directory;
  const char *spool_directory;
};

struct loop_options {
  const char *config_path; /* NULL: the default file, which may be absent */
  struct loop_overrides overrides;
  struct clock clock;
};

/*
 * Loads the config file (an absent default file means all defaults; an explicit one must
 * exist), applies the overrides, and fills the rules directory from $DUNGHEN_RULES or the
 * installed default when neither gave one.
 */
enum status loop_load_config(const struct loop_options *options, struct config *config,
                             struct error *error);

/* Runs the daemon until SIGTERM or SIGINT. Fails early (exit 2 or 1), before any READY=1, on
 * bad config or rules, or templates or fonts that cannot make a letter. */
enum status loop_run(const struct loop_options *options, struct log *log, struct error *error);

#endif
