#include "demo/demo.h"

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/civil.h"
#include "core/report.h"
#include "core/report_schedule.h"
#include "demo/cluster.h"
#include "demo/scenario.h"
#include "letter/letter.h"
#include "letter/report_pdf.h"
#include "rules/agencies.h"
#include "rules/report_rules.h"
#include "rules/rules.h"
#include "rules/ruleset.h"
#include "service/file_write.h"
#include "service/letter_jobs.h"
#include "service/session.h"
#include "store/one_stop.h"
#include "store/overview.h"
#include "store/pass.h"
#include "store/report.h"
#include "store/schema.h"
#include "store/transaction.h"

/* Steps are rounded up to this: the daemon's due timer would wake at the exact instant, but a
 * one-hour grid keeps the demo to a few hundred passes and changes no outcome. */
enum { STEP_SECONDS = 3600, TEXT_SIZE = 64 };

/* Everything the run holds, released in one place. */
struct demo {
  const struct demo_options *options;
  struct cluster cluster;
  bool cluster_started;
  PGconn *connection;
  struct ruleset *ruleset;
  struct agency_table agencies;
  const char **agency_codes; /* sorted, for the pass */
  const char **provincial;
  const char **communal;
  struct letter_library *library;
  struct letter_renderer *renderer;
  struct scenario scenario;
  char spool[4096];
  struct pass_report totals;
  size_t passes;
  size_t letters_rendered;
  size_t letter_warnings;
  char example_letter[4096];
  char report_path[4200];
  double started;
  double seconds_in_events;  /* writing the one-stop tables (the simulated officials) */
  double seconds_in_passes;  /* the daemon's passes */
  double seconds_in_letters; /* rendering and spooling letters */
};

static double seconds_now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static int compare_text(const void *left, const void *right) {
  return strcmp(*(const char *const *)left, *(const char *const *)right);
}

static enum status make_directory(const char *path, struct error *error) {
  if (mkdir(path, 0750) != 0 && errno != EEXIST)
    return error_set(error, STATUS_RUNTIME, "cannot create %s: %s", path, strerror(errno));
  return STATUS_OK;
}

/* Provincial agencies have a provincial governing body; the rest serve communes and wards. */
static enum status split_agencies(struct demo *demo, struct error *error) {
  size_t count = demo->agencies.count;
  demo->agency_codes = calloc(count + 1, sizeof *demo->agency_codes);
  demo->provincial = calloc(count + 1, sizeof *demo->provincial);
  demo->communal = calloc(count + 1, sizeof *demo->communal);
  if (demo->agency_codes == NULL || demo->provincial == NULL || demo->communal == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  return STATUS_OK;
}

static void sort_agencies(struct demo *demo, struct scenario_agencies *split) {
  *split = (struct scenario_agencies){demo->provincial, 0, demo->communal, 0};
  for (size_t i = 0; i < demo->agencies.count; i++) {
    const struct agency *agency = &demo->agencies.agencies[i];
    demo->agency_codes[i] = agency->code;
    bool provincial = strstr(agency->governing_body, "TỈNH") != NULL ||
                      strstr(agency->governing_body, "THÀNH PHỐ") != NULL;
    if (provincial)
      demo->provincial[split->provincial_count++] = agency->code;
    else
      demo->communal[split->communal_count++] = agency->code;
  }
  qsort(demo->agency_codes, demo->agencies.count, sizeof *demo->agency_codes, compare_text);
}

static enum status load_rules(struct demo *demo, struct error *error) {
  const struct demo_options *options = demo->options;
  enum status status =
      ruleset_load(options->rules_directory, options->first_day, &demo->ruleset, error);
  if (status != STATUS_OK)
    return status;
  char path[4096];
  status = rules_locate(options->rules_directory, "agencies.yaml", path, sizeof path, error);
  if (status == STATUS_OK)
    status = agencies_load(path, &demo->agencies, error);
  if (status == STATUS_OK)
    status = letter_library_load(options->letters_directory, &demo->library, error);
  if (status == STATUS_OK)
    status = letter_renderer_new(demo->library, NULL, &demo->renderer, error);
  if (status == STATUS_OK)
    status = split_agencies(demo, error);
  return status;
}

static enum status start_database(struct demo *demo, struct error *error) {
  printf("Starting a private PostgreSQL server...\n");
  fflush(stdout);
  enum status status = cluster_start(&demo->cluster, NULL, error);
  if (status != STATUS_OK)
    return status;
  demo->cluster_started = true;
  printf("  %s/postgres\n", demo->cluster.programs);
  status = session_open(demo->cluster.conninfo, NULL, true, &demo->connection, error);
  if (status != STATUS_OK)
    return error_prefix(error, "cannot connect to the private server");
  struct schema_result migrated;
  status = schema_migrate(demo->connection, &migrated, error);
  if (status == STATUS_OK)
    status = schema_install_reference(demo->connection, error);
  if (status == STATUS_OK)
    printf("Database ready: schema dunghen version %d, reference one-stop schema onestop.\n",
           migrated.to_version);
  return status;
}

static enum status receive(struct demo *demo, const struct scenario_dossier *dossier,
                           struct error *error) {
  struct one_stop_receipt receipt = {
      .code = dossier->code,
      .procedure_code = dossier->procedure_code,
      .agency_code = dossier->agency_code,
      .applicant_name = dossier->applicant_name,
      .applicant_id = dossier->applicant_id,
      .applicant_address = dossier->applicant_address,
      .summary = dossier->summary,
      .channel = dossier->channel,
      .received_at = dossier->received_at,
      .appointment_at = dossier->appointment_at,
  };
  return one_stop_receive(demo->connection, &receipt, error);
}

static bool happens(int64_t instant, int64_t after, int64_t until) {
  return instant != SCENARIO_NEVER && instant > after && instant <= until;
}

static void keep_earliest(int64_t instant, int64_t after, int64_t *earliest) {
  if (instant != SCENARIO_NEVER && instant > after && instant < *earliest)
    *earliest = instant;
}

/* Writes every event in (after, until] in time order per dossier; finds the next event. */
static enum status play_events(struct demo *demo, int64_t after, int64_t until, int64_t *next_event,
                               struct error *error) {
  enum status status = transaction_begin(demo->connection, "demo step", error);
  *next_event = INT64_MAX;
  for (size_t i = 0; status == STATUS_OK && i < demo->scenario.count; i++) {
    const struct scenario_dossier *dossier = &demo->scenario.dossiers[i];
    if (happens(dossier->received_at, after, until))
      status = receive(demo, dossier, error);
    if (status == STATUS_OK && happens(dossier->pause_from, after, until))
      status = one_stop_pause(demo->connection, dossier->code, dossier->pause_from, error);
    if (status == STATUS_OK && happens(dossier->pause_to, after, until))
      status = one_stop_resume(demo->connection, dossier->code, dossier->pause_to, error);
    if (status == STATUS_OK && happens(dossier->delay_reason_at, after, until))
      status =
          one_stop_record_reason(demo->connection, dossier->code, dossier->delay_reason, error);
    if (status == STATUS_OK && happens(dossier->finished_at, after, until))
      status = one_stop_finish(demo->connection, dossier->code, dossier->finished_at, error);
    if (status == STATUS_OK && happens(dossier->withdrawn_at, after, until))
      status = one_stop_withdraw(demo->connection, dossier->code, error);
    const int64_t events[] = {dossier->received_at, dossier->pause_from,
                              dossier->pause_to,    dossier->delay_reason_at,
                              dossier->finished_at, dossier->withdrawn_at};
    for (size_t e = 0; e < sizeof events / sizeof events[0]; e++)
      keep_earliest(events[e], until, next_event);
  }
  if (status != STATUS_OK) {
    transaction_rollback(demo->connection);
    return status;
  }
  return transaction_commit(demo->connection, "demo step", error);
}

static void add_report(struct pass_report *total, const struct pass_report *report) {
  total->examined += report->examined;
  total->changed += report->changed;
  total->flagged += report->flagged;
  total->escalations += report->escalations;
  total->letters += report->letters;
  total->redrafts += report->redrafts;
}

static enum status run_daemon_pass(struct demo *demo, int64_t now, int64_t *next_due,
                                   struct error *error) {
  struct pass_context context = {
      .connection = demo->connection,
      .rules = demo->ruleset->rules,
      .ladder = demo->ruleset->ladder,
      .now = now,
      .overlap_seconds = -1,
      .agency_codes = demo->agency_codes,
      .agency_count = demo->agencies.count,
      .agencies = &demo->agencies,
  };
  struct pass_report report;
  double started = seconds_now();
  enum status status = pass_run(&context, &report, error);
  demo->seconds_in_passes += seconds_now() - started;
  if (status != STATUS_OK)
    return status;
  demo->passes++;
  add_report(&demo->totals, &report);
  *next_due = report.next_due;
  struct letter_jobs_context jobs = {
      .connection = demo->connection,
      .now = now,
      .renderer = demo->renderer,
      .agencies = &demo->agencies,
      .procedures = &demo->ruleset->rules->procedures,
      .spool_directory = demo->spool,
  };
  struct letter_jobs_report rendered;
  started = seconds_now();
  status = letter_jobs_run(&jobs, &rendered, error);
  demo->seconds_in_letters += seconds_now() - started;
  if (status != STATUS_OK)
    return status;
  if (rendered.spool_behind > 0)
    return error_set(error, STATUS_RUNTIME, "the letter spool refused a file: %s",
                     rendered.spool_reason);
  demo->letters_rendered += rendered.rendered;
  demo->letter_warnings += rendered.warnings;
  if (rendered.last_path[0] != '\0' && demo->example_letter[0] == '\0')
    snprintf(demo->example_letter, sizeof demo->example_letter, "%s", rendered.last_path);
  return STATUS_OK;
}

static void show_progress(const struct demo *demo, int64_t now, size_t received) {
  int64_t day = civil_local_day(now);
  int64_t first = demo->options->first_day;
  char date[TEXT_SIZE];
  civil_format_date(day, date, sizeof date);
  printf("%s[day %2" PRId64 "/%d] %s  dossiers received %5zu  escalations %5zu  letters %4zu"
         "  (%.1f s)%s",
         demo->options->progress ? "\r" : "", day - first + 1, demo->options->days, date, received,
         demo->totals.escalations, demo->letters_rendered, seconds_now() - demo->started,
         demo->options->progress ? "" : "\n");
  fflush(stdout);
}

static int64_t round_up_to_step(int64_t instant) {
  int64_t remainder = ((instant % STEP_SECONDS) + STEP_SECONDS) % STEP_SECONDS;
  return remainder == 0 ? instant : instant + STEP_SECONDS - remainder;
}

static size_t count_received(const struct demo *demo, int64_t until) {
  size_t received = 0;
  while (received < demo->scenario.count && demo->scenario.dossiers[received].received_at <= until)
    received++;
  return received;
}

/* The simulated month: events, then the daemon's pass and letters, step after step. */
static enum status simulate(struct demo *demo, struct error *error) {
  int64_t now = demo->scenario.start;
  int64_t previous = now - 1;
  int64_t last_shown_day = INT64_MIN;
  while (now <= demo->scenario.end) {
    int64_t next_event, next_due;
    double started = seconds_now();
    enum status status = play_events(demo, previous, now, &next_event, error);
    demo->seconds_in_events += seconds_now() - started;
    if (status == STATUS_OK)
      status = run_daemon_pass(demo, now, &next_due, error);
    if (status != STATUS_OK)
      return status;
    bool new_day = civil_local_day(now) != last_shown_day;
    if (new_day &&
        (demo->options->progress || (civil_local_day(now) - demo->options->first_day) % 7 == 0))
      show_progress(demo, now, count_received(demo, now));
    last_shown_day = civil_local_day(now);
    int64_t next = next_event < next_due ? next_event : next_due;
    previous = now;
    if (next >= demo->scenario.end)
      now = previous < demo->scenario.end ? demo->scenario.end : demo->scenario.end + 1;
    else
      now = round_up_to_step(next > now ? next : now + 1);
  }
  show_progress(demo, demo->scenario.end, demo->scenario.count);
  if (demo->options->progress)
    putchar('\n');
  return STATUS_OK;
}

static void print_figures(const struct overview *overview) {
  printf("\nDossiers by state:\n");
  for (size_t i = 0; i < overview->state_count; i++)
    printf("  %-18s %6" PRId64 "\n", overview->states[i].name, overview->states[i].count);
  printf("\nEscalations raised, by level:\n");
  for (size_t i = 0; i < overview->level_count; i++)
    printf("  %-18s %6" PRId64 "\n", overview->levels[i].name, overview->levels[i].count);
}

/* The simulated period's progress report by agency: what `dunghen report` prints for it. */
static enum status read_report(struct demo *demo, struct report *report, struct error *error) {
  const struct demo_options *options = demo->options;
  struct report_query query = {
      .period = {options->first_day, options->first_day + options->days - 1},
      .grouping = REPORT_BY_AGENCY,
  };
  enum status status = report_read(demo->connection, &query, report, error);
  if (status == STATUS_OK)
    status = report_apply_rules(report, &demo->ruleset->rules->procedures, &demo->agencies, error);
  return status;
}

/* The report as the provincial office would sign it, beside the letters: issued by the first
 * provincial agency, dated on the first working day after the period (when the daemon's
 * `reports:` schedule would send it), its number left blank for the clerk. */
static enum status write_report_pdf(struct demo *demo, const struct report *report,
                                    struct error *error) {
  const struct agency *issuer = agencies_find(&demo->agencies, demo->provincial[0]);
  if (issuer == NULL)
    issuer = &demo->agencies.agencies[0];
  int64_t due = report_schedule_due_at(demo->ruleset->rules->calendar, report->period);
  struct report_pdf_input input = {
      .report = report,
      .issuer = issuer,
      .day = due >= 0 ? civil_local_day(due) : report->period.to_day + 1,
  };
  unsigned char *data = NULL;
  size_t size = 0;
  enum status status = report_pdf_render(&input, NULL, &data, &size, error);
  if (status == STATUS_OK) {
    char first[TEXT_SIZE], last[TEXT_SIZE];
    civil_format_date(report->period.from_day, first, sizeof first);
    civil_format_date(report->period.to_day, last, sizeof last);
    snprintf(demo->report_path, sizeof demo->report_path, "%s/report-%s-%s.pdf",
             demo->options->output_directory, first, last);
    status = file_write_atomically(demo->report_path, data, size, FILE_WRITE_MODE, error);
  }
  free(data);
  return status;
}

static enum status print_report(struct demo *demo, struct error *error) {
  struct report report = {0};
  enum status status = read_report(demo, &report, error);
  struct buffer text = {0};
  if (status == STATUS_OK) {
    report_format_text(&report, &text);
    if (text.failed)
      status = error_set(error, STATUS_RUNTIME, "out of memory for the report");
  }
  if (status == STATUS_OK) {
    printf("\nProgress report (Decision 766), by agency:\n%s", text.data);
    status = write_report_pdf(demo, &report, error);
  }
  if (status == STATUS_OK)
    printf("The report as a PDF to sign: %s\n", demo->report_path);
  buffer_free(&text);
  report_free(&report);
  return status;
}

/* The deadline command that explains one late dossier, with its pauses. */
static void print_explain_command(const struct demo *demo, const struct overview *overview) {
  if (!overview->has_late_dossier)
    return;
  const struct overview_late_dossier *late = &overview->late;
  /* The command as the user can paste it: this very executable, installed or not. */
  char program[4096] = "dunghen";
  ssize_t length = readlink("/proc/self/exe", program, sizeof program - 1);
  if (length > 0)
    program[length] = '\0';
  else
    snprintf(program, sizeof program, "dunghen");
  printf("\nWhy is dossier %s late? Ask:\n  %s deadline --rules %s --received %s"
         " --procedure %s --channel %s",
         late->code, program, demo->options->rules_directory, late->received, late->procedure_code,
         late->channel);
  if (late->pauses != NULL) {
    char copy[512];
    snprintf(copy, sizeof copy, "%s", late->pauses);
    for (char *pause = strtok(copy, " "); pause != NULL; pause = strtok(NULL, " "))
      printf(" --pause %s", pause);
  }
  printf(" --explain\n");
}

static enum status print_summary(struct demo *demo, struct error *error) {
  printf("\nSimulated %d days: %zu dossiers, %zu passes of the daemon, %.1f s"
         " (one-stop updates %.1f s, daemon passes %.1f s, letters %.1f s).\n",
         demo->options->days, demo->scenario.count, demo->passes, seconds_now() - demo->started,
         demo->seconds_in_events, demo->seconds_in_passes, demo->seconds_in_letters);
  struct overview overview;
  enum status status = overview_read(demo->connection, &overview, error);
  if (status != STATUS_OK)
    return status;
  print_figures(&overview);
  status = print_report(demo, error);
  if (status != STATUS_OK) {
    overview_free(&overview);
    return status;
  }
  printf("\nApology letters rendered: %zu (in %s)", demo->letters_rendered, demo->spool);
  if (demo->totals.redrafts > 0)
    printf(",\n  of which %zu re-drafts under the same number: the delay reason arrived after a"
           " letter without one (the earlier drafts are kept beside them)",
           demo->totals.redrafts);
  if (demo->letter_warnings > 0)
    printf(",\n  with %zu notes: blank fields (no delay reason recorded) are left dotted for the"
           " official to fill in, unprintable characters are replaced by a box",
           demo->letter_warnings);
  printf("\n");
  if (demo->example_letter[0] != '\0')
    printf("An example letter: %s\n", demo->example_letter);
  if (demo->totals.flagged > 0)
    printf("Dossiers flagged as unusable: %zu (see dunghen.clock.flagged_reason)\n",
           demo->totals.flagged);
  print_explain_command(demo, &overview);
  overview_free(&overview);
  return STATUS_OK;
}

static void release(struct demo *demo) {
  session_close(demo->connection);
  if (demo->cluster_started) {
    if (demo->options->keep) {
      printf("\nThe database is still running. Connect with:\n  psql \"%s\"\n"
             "Stop it with: kill $(head -1 %s/data/postmaster.pid)\n",
             demo->cluster.conninfo, demo->cluster.directory);
      cluster_keep(&demo->cluster);
    } else {
      cluster_stop(&demo->cluster);
    }
  }
  scenario_free(&demo->scenario);
  letter_renderer_free(demo->renderer);
  letter_library_free(demo->library);
  agencies_free(&demo->agencies);
  ruleset_release(demo->ruleset);
  free(demo->agency_codes);
  free(demo->provincial);
  free(demo->communal);
}

static int remove_old_letter(const char *path, const struct stat *info, int flag,
                             struct FTW *walk) {
  (void)info;
  (void)walk;
  size_t length = strlen(path);
  if (flag == FTW_F && length > 4 && strcmp(path + length - 4, ".pdf") == 0)
    unlink(path);
  else if (flag == FTW_DP && walk->level > 0)
    rmdir(path); /* only empty ones go: anything not ours stays */
  return 0;
}

/* A second run starts from an empty spool: the letters of an earlier run (PDF files only)
 * would otherwise mix with this run's numbers. */
static void clear_previous_letters(const char *spool) {
  nftw(spool, remove_old_letter, 8, FTW_DEPTH | FTW_PHYS);
}

static enum status prepare(struct demo *demo, struct error *error) {
  const struct demo_options *options = demo->options;
  enum status status = make_directory(options->output_directory, error);
  if (status != STATUS_OK)
    return status;
  snprintf(demo->spool, sizeof demo->spool, "%s/letters", options->output_directory);
  status = make_directory(demo->spool, error);
  if (status == STATUS_OK) {
    clear_previous_letters(demo->spool);
    status = load_rules(demo, error);
  }
  if (status != STATUS_OK)
    return status;
  struct scenario_agencies split;
  sort_agencies(demo, &split);
  status = scenario_generate(demo->ruleset->rules, &split, options->seed, options->dossiers,
                             options->first_day, options->days, &demo->scenario, error);
  if (status != STATUS_OK)
    return status;
  char first[TEXT_SIZE], last[TEXT_SIZE];
  civil_format_date(options->first_day, first, sizeof first);
  civil_format_date(options->first_day + options->days - 1, last, sizeof last);
  printf("Generated %zu dossiers (seed %" PRIu64 ") for %s to %s, %zu procedures, %zu agencies.\n",
         demo->scenario.count, options->seed, first, last, demo->ruleset->rules->procedures.count,
         demo->agencies.count);
  return start_database(demo, error);
}

enum status demo_run(const struct demo_options *options, struct error *error) {
  struct demo demo = {.options = options, .started = seconds_now()};
  enum status status = prepare(&demo, error);
  if (status == STATUS_OK)
    status = simulate(&demo, error);
  if (status == STATUS_OK)
    status = print_summary(&demo, error);
  release(&demo);
  return status;
}
