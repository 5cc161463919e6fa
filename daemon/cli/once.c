/*
 * once.c: `dunghen once`, one full pass over every dossier of the source, then exit.
 *
 * The same config, overrides and pass as the daemon, with blocking libpq and no loop. "Now" is
 * --now TS (or $DUNGHEN_NOW), else the system clock. Before the pass it audits the spool against
 * the database as the daemon does (service/spool_audit.h: letters lost in a failover are logged
 * on stderr, their numbers never taken again). After the pass it renders the letters that
 * are pending (service/letter_jobs.h, into the spool; nothing without agencies.yaml). Prints
 * one summary line for the pass and one for the letters on stdout, and one line per newly
 * flagged dossier (its code and reason) on stderr. Exit 0 after a pass, also when some dossiers
 * were flagged; 2 for bad config, rules or templates; 1 when the database fails, the font is
 * missing, or the spool refuses a letter (the letter is rendered and kept in the database all
 * the same; `dunghen letters export` writes its file later).
 */
#include <stdio.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/daemon_options.h"
#include "core/civil.h"
#include "rules/ruleset.h"
#include "service/letter_jobs.h"
#include "service/letter_worker.h"
#include "service/session.h"
#include "service/spool.h"
#include "service/spool_audit.h"
#include "store/pass.h"
#include "store/schema.h"

static enum status connect_database(const char *conninfo, const struct config_timeouts *timeouts,
                                    PGconn **connection, struct error *error) {
  int version;
  return session_open_command(conninfo, timeouts, "dunghen-once", connection, &version, error);
}

static double seconds_since(const struct timespec *start) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void print_report(int64_t now, const struct pass_report *report, double seconds) {
  for (size_t i = 0; i < report->flag_count; i++)
    fprintf(stderr, "dunghen once: dossier %s flagged: %s\n", report->flags[i].code,
            report->flags[i].reason);
  char text[TIMESTAMP_TEXT_SIZE];
  civil_format_timestamp(now, text);
  printf("pass at %s: %zu read, %zu examined, %zu changed, %zu flagged, %zu escalations, "
         "%zu letters queued, %zu re-drafted (%.3f s)\n",
         text, report->read, report->examined, report->changed, report->flagged,
         report->escalations, report->letters, report->redrafts, seconds);
}

static enum status render_letters(PGconn *connection, const struct config *config,
                                  const struct letter_kit *kit, int64_t now, struct error *error) {
  if (kit->rules->agencies.count == 0) {
    printf("letters: none rendered (no agencies.yaml in the rules; letter jobs wait)\n");
    return STATUS_OK;
  }
  size_t removed = 0;
  enum status status = spool_remove_leftovers(config->spool_directory, &removed, error);
  if (status != STATUS_OK)
    return status;
  struct letter_jobs_context context = {
      .connection = connection,
      .now = now,
      .renderer = kit->renderer,
      .agencies = &kit->rules->agencies,
      .procedures = &kit->rules->rules->procedures,
      .spool_directory = config->spool_directory,
  };
  struct letter_jobs_report report;
  struct timespec start;
  clock_gettime(CLOCK_MONOTONIC, &start);
  status = letter_jobs_run(&context, &report, error);
  if (status != STATUS_OK)
    return status;
  printf("letters: %zu rendered, %zu failed into %s (%.3f s)\n", report.rendered, report.failed,
         config->spool_directory, seconds_since(&start));
  if (report.failed > 0)
    fprintf(stderr, "dunghen once: %zu letter job(s) failed (see dunghen.letter_log.error)\n",
            report.failed);
  if (report.spool_behind > 0)
    return error_set(error, STATUS_RUNTIME,
                     "%s; %zu letter(s) stored in the database but not in the spool "
                     "(`dunghen letters export` writes them)",
                     report.spool_reason, report.spool_behind);
  return STATUS_OK;
}

static enum status run_once(const struct daemon_options *options, struct error *error) {
  struct config config;
  enum status status = loop_load_config(&options->loop, &config, error);
  if (status != STATUS_OK)
    return status;
  int64_t now = clock_now(&options->loop.clock);
  struct ruleset *rules = NULL;
  status = ruleset_load(config.rules_directory, civil_local_day(now), &rules, error);
  PGconn *connection = NULL;
  struct letter_kit *kit = NULL;
  if (status == STATUS_OK) {
    for (size_t i = 0; i < rules->rules->warning_count; i++)
      fprintf(stderr, "dunghen once: warning: %s\n", rules->rules->warnings[i]);
    status = letter_kit_load(
        config.letters_directory, rules,
        &(struct letter_options){config.font_directory, config.true_italic, false}, &kit, error);
  }
  if (status == STATUS_OK)
    status = connect_database(config.conninfo, &config.timeouts, &connection, error);
  if (status == STATUS_OK) {
    struct pass_context context = {
        .connection = connection,
        .rules = rules->rules,
        .ladder = rules->ladder,
        .agency_codes = rules->agency_codes,
        .agency_count = rules->agency_count,
        .agencies = &rules->agencies,
        .now = now,
        .batch_size = (size_t)config.batch_size,
        .overlap_seconds = config.overlap,
        .full = true,
    };
    /* As the daemon does on every session: numbers on disk are never taken again. */
    struct log log;
    log_init(&log, stderr, LOG_WARNING);
    struct spool_audit_tally audit = {0};
    status = spool_audit_run(connection, config.spool_directory, &log, &audit, error);
    struct pass_report report;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (status == STATUS_OK)
      status = pass_run(&context, &report, error);
    if (status == STATUS_OK)
      print_report(now, &report, seconds_since(&start));
    if (status == STATUS_OK)
      status = render_letters(connection, &config, kit, now, error);
  }
  session_close(connection);
  letter_kit_free(kit);
  ruleset_release(rules);
  config_free(&config);
  return status;
}

int command_once(int argc, char **argv) {
  struct daemon_options options;
  int usage = daemon_options_parse("once", argc, argv, false, &options);
  if (usage != 0)
    return usage;
  struct error error;
  error_clear(&error);
  if (run_once(&options, &error) != STATUS_OK)
    return cli_report("once", &error);
  return 0;
}
