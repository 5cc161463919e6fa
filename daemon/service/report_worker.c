#include "service/report_worker.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "core/report_schedule.h"
#include "core/sha256.h"
#include "letter/report_pdf.h"
#include "rules/report_rules.h"
#include "service/session.h"
#include "store/leadership.h"
#include "store/report.h"
#include "store/report_run.h"

/* A round at least this often (real seconds) while enabled: a clock set forward, a run another
 * instance lost, a database that came back. */
static const double ROUND_LIMIT = 3600.0;
static const double ROUND_MINIMUM = 1.0;
/* A number another period took between numbering and storing: render again, a few times. */
enum { STORE_ATTEMPTS = 3 };
/* How often (real seconds) every daemon asks again: the longest a report can wait after its
 * leader died (the server drops the lock as soon as that session ends). */
static const double STANDBY_ROUND = 5.0;

struct report_settings {
  struct config_reports reports; /* deep copy */
  char *font_directory;          /* NULL: the default fonts */
  bool mail_enabled;             /* for the log line only: the database's mail_switch decides */
};

struct report_worker {
  const struct clock *clock;
  const struct log *log;
  struct worker_thread thread; /* its mutex guards everything down to `snapshot` */
  struct report_settings *pending_settings;
  struct ruleset *pending_rules;
  struct report_worker_snapshot snapshot;

  /* Only the thread touches these. */
  struct session session;
  struct report_settings *settings;
  struct ruleset *rules;
  struct report_settings *taken_settings;
  struct ruleset *taken_rules;
  int64_t settled_from_day; /* the due period found stored, told once; -1: none yet */
  int64_t announced_next;   /* the next due instant last logged; -1: none yet */
};

/* ---- settings ---- */

static void settings_free(struct report_settings *settings) {
  if (settings == NULL)
    return;
  config_reports_free(&settings->reports);
  free(settings->font_directory);
  free(settings);
}

static struct report_settings *settings_copy(const struct config *config) {
  struct report_settings *settings = calloc(1, sizeof *settings);
  struct error error;
  if (settings == NULL ||
      config_reports_copy(&config->reports, &settings->reports, &error) != STATUS_OK) {
    free(settings);
    return NULL;
  }
  settings->mail_enabled = config->mail.enabled;
  if (config->font_directory != NULL &&
      (settings->font_directory = strdup(config->font_directory)) == NULL) {
    settings_free(settings);
    return NULL;
  }
  return settings;
}

static const struct agency *issuer_of(const struct config_reports *reports,
                                      const struct ruleset *rules) {
  const struct agency_table *agencies = &rules->agencies;
  if (reports->issuer != NULL)
    return agencies_find(agencies, reports->issuer);
  return agencies->count > 0 ? &agencies->agencies[0] : NULL;
}

enum status report_worker_check(const struct config *config, const struct ruleset *rules,
                                struct error *error) {
  const struct config_reports *reports = &config->reports;
  if (!reports->enabled)
    return STATUS_OK;
  const char *file = config->file != NULL ? config->file : "the config";
  const struct agency_table *agencies = &rules->agencies;
  if (reports->issuer != NULL && agencies_find(agencies, reports->issuer) == NULL)
    return error_at(error, file, reports->issuer_line, reports->issuer_column,
                    "reports.issuer: no agency '%s' in %s", reports->issuer,
                    agencies->file != NULL ? agencies->file : "the rules (no agencies.yaml)");
  if (agencies->count == 0)
    return error_set(error, STATUS_INVALID,
                     "%s: reports: enabled, but the rules have no agencies.yaml to take the "
                     "report's letterhead from",
                     file);
  for (size_t i = 0; config->mail.enabled && i < reports->role_count; i++) {
    bool addressed = false;
    for (size_t a = 0; a < agencies->count && !addressed; a++)
      addressed = agency_mailbox(&agencies->agencies[a], reports->roles[i]) != NULL;
    if (!addressed)
      return error_set(error, STATUS_INVALID,
                       "%s: reports.roles: no agency of %s gives an address for role %s", file,
                       agencies->file, reports->roles[i]);
  }
  return STATUS_OK;
}

/* ---- one report ---- */

/* The roles, for the log line: "provincial_office, one_stop_unit". */
static void role_list(const struct config_reports *reports, char *text, size_t size) {
  size_t used = 0;
  text[0] = '\0';
  for (size_t i = 0; i < reports->role_count && used < size; i++) {
    int written = snprintf(text + used, size - used, "%s%s", i > 0 ? ", " : "", reports->roles[i]);
    if (written > 0)
      used += (size_t)written;
  }
}

struct produced {
  struct report report;
  struct buffer json;
  unsigned char *pdf;
  size_t pdf_size;
  char sha256[SHA256_HEX_SIZE];
};

static void produced_free(struct produced *produced) {
  report_free(&produced->report);
  buffer_free(&produced->json);
  free(produced->pdf);
  memset(produced, 0, sizeof *produced);
}

/* Reads, completes and renders the report of `key`, numbered `number` of `day`. */
static enum status produce(struct report_worker *worker, const struct report_run_key *key,
                           const struct agency *issuer, long number, int64_t day,
                           struct produced *out, struct error *error) {
  memset(out, 0, sizeof *out);
  const struct ruleset *rules = worker->rules;
  struct report_query query = {key->period, key->grouping, NULL};
  enum status status = report_read(worker->session.connection, &query, &out->report, error);
  if (status == STATUS_OK)
    status = report_apply_rules(&out->report, &rules->rules->procedures, &rules->agencies, error);
  if (status == STATUS_OK) {
    report_format_json(&out->report, &out->json);
    if (out->json.failed)
      status = error_set(error, STATUS_RUNTIME, "out of memory writing the report's JSON");
  }
  if (status == STATUS_OK) {
    struct report_pdf_input input = {&out->report, issuer, number, day};
    status = report_pdf_render(&input, worker->settings->font_directory, &out->pdf, &out->pdf_size,
                               error);
  }
  if (status == STATUS_OK)
    sha256_hex(out->pdf, out->pdf_size, out->sha256);
  return status;
}

static void log_stored(struct report_worker *worker, const struct report_run_key *key,
                       const struct agency *issuer, long number, int year, size_t bytes,
                       bool mailed) {
  char from[32], to[32], roles[256];
  civil_format_date(key->period.from_day, from, sizeof from);
  civil_format_date(key->period.to_day, to, sizeof to);
  role_list(&worker->settings->reports, roles, sizeof roles);
  log_info(worker->log, "report: %s %s..%s by %s stored as number %02ld/%d of %s (%zu bytes); %s%s",
           report_period_kind_name(key->kind), from, to, report_grouping_name(key->grouping),
           number, year, issuer->code, bytes, mailed ? "mail queued to " : "mail off, not mailed",
           mailed ? roles : "");
}

/* Renders and stores the due report; another instance may win the race (nothing is written). */
static enum status store_due(struct report_worker *worker, const struct report_run_key *key,
                             int64_t now, struct error *error) {
  const struct config_reports *reports = &worker->settings->reports;
  const struct agency *issuer = issuer_of(reports, worker->rules);
  if (issuer == NULL)
    return error_set(error, STATUS_RUNTIME, "reports.issuer: no agency '%s' in the rules",
                     reports->issuer != NULL ? reports->issuer : "(the first)");
  /* The report's date, as a letter's: today if it is a working day, else the next one. */
  int64_t today = civil_local_day(now);
  int64_t day = calendar_next_working_day(worker->rules->rules->calendar, today);
  if (day < 0)
    day = today;
  int year = civil_date_from_days(day).year;
  PGconn *connection = worker->session.connection;
  enum status status = STATUS_OK;
  for (int attempt = 0; status == STATUS_OK && attempt < STORE_ATTEMPTS; attempt++) {
    long number = 0;
    status = report_run_next_number(connection, issuer->code, year, &number, error);
    struct produced produced = {0};
    if (status == STATUS_OK)
      status = produce(worker, key, issuer, number, day, &produced, error);
    enum report_run_outcome outcome = REPORT_RUN_ALREADY;
    int64_t id = 0;
    bool mailed = false;
    if (status == STATUS_OK) {
      const struct report_figures *total = &produced.report.total.figures;
      struct report_run_record record = {
          .key = *key,
          .issuer = issuer->code,
          .year = year,
          .number = number,
          .report_day = day,
          .created_at = now,
          .received = report_received(total),
          .done = report_done(total),
          .in_progress = report_in_progress(total),
          .pdf = produced.pdf,
          .pdf_size = produced.pdf_size,
          .json = produced.json.data,
          .sha256 = produced.sha256,
          .roles = reports->roles,
      };
      record.has_share = report_on_time_share(total, &record.on_time_share);
      status = report_run_store(connection, &record, &outcome, &id, &mailed, error);
    }
    if (status == STATUS_OK && outcome == REPORT_RUN_STORED) {
      log_stored(worker, key, issuer, number, year, produced.pdf_size, mailed);
      pthread_mutex_lock(&worker->thread.mutex);
      worker->snapshot.stored_total++;
      worker->snapshot.mailed_total += mailed;
      pthread_mutex_unlock(&worker->thread.mutex);
    } else if (status == STATUS_OK && outcome == REPORT_RUN_ALREADY) {
      log_info(worker->log, "report: the due one was stored meanwhile by another instance");
      pthread_mutex_lock(&worker->thread.mutex);
      worker->snapshot.already_total++;
      pthread_mutex_unlock(&worker->thread.mutex);
    }
    produced_free(&produced);
    if (status != STATUS_OK || outcome != REPORT_RUN_NUMBER_TAKEN)
      return status;
  }
  if (status == STATUS_OK)
    status = error_set(error, STATUS_RUNTIME,
                       "report: its number was taken %d times in a row by other reports",
                       STORE_ATTEMPTS);
  return status;
}

/* ---- the round ---- */

static enum status read_last(struct report_worker *worker, struct error *error) {
  const struct config_reports *reports = &worker->settings->reports;
  bool any = false;
  struct report_period last = {0};
  enum status status = report_run_latest(worker->session.connection, reports->period,
                                         reports->grouping, &any, &last, error);
  if (status == STATUS_OK) {
    pthread_mutex_lock(&worker->thread.mutex);
    worker->snapshot.has_last = any;
    worker->snapshot.last = last;
    pthread_mutex_unlock(&worker->thread.mutex);
  }
  return status;
}

/* Real seconds until the next due instant, within [ROUND_MINIMUM, ROUND_LIMIT]. */
static double next_round(const struct report_worker *worker, int64_t now) {
  int64_t next =
      report_schedule_next(worker->rules->rules->calendar, worker->settings->reports.period, now);
  double delay = next >= 0 ? clock_real_delay(worker->clock, next) : ROUND_LIMIT;
  if (delay < ROUND_MINIMUM)
    delay = ROUND_MINIMUM;
  return delay < ROUND_LIMIT ? delay : ROUND_LIMIT;
}

/* One line whenever the next due instant changes: what the operator waits for. */
static void announce_next(struct report_worker *worker, int64_t now) {
  int64_t next =
      report_schedule_next(worker->rules->rules->calendar, worker->settings->reports.period, now);
  if (next == worker->announced_next)
    return;
  worker->announced_next = next;
  char text[TIMESTAMP_TEXT_SIZE] = "never (outside the calendar)";
  if (next >= 0)
    civil_format_timestamp(next, text);
  log_info(worker->log, "report: next one due at %s", text);
}

/* Whether this daemon runs the reports (store/leadership.h), for /metrics and /healthz. */
static void set_leader(struct report_worker *worker, bool elected, bool leader) {
  pthread_mutex_lock(&worker->thread.mutex);
  bool was_elected = worker->snapshot.elected, was_leader = worker->snapshot.leader;
  pthread_mutex_unlock(&worker->thread.mutex);
  if (elected && (!was_elected || was_leader != leader))
    log_info(worker->log, "report: %s",
             leader ? "this instance runs the scheduled reports (elected)"
                    : "another instance runs the scheduled reports; standing by");
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.elected = elected;
  worker->snapshot.leader = leader;
  pthread_mutex_unlock(&worker->thread.mutex);
}

static enum status round_once(void *owner, double *retry_in, struct error *error) {
  struct report_worker *worker = owner;
  const struct config_reports *reports = &worker->settings->reports;
  pthread_mutex_lock(&worker->thread.mutex);
  worker->snapshot.enabled = reports->enabled;
  pthread_mutex_unlock(&worker->thread.mutex);
  if (!reports->enabled) {
    set_leader(worker, false, false);
    worker_thread_disconnect(&worker->thread);
    return STATUS_OK;
  }
  int64_t now = clock_now(worker->clock);
  *retry_in = next_round(worker, now);
  enum status status = worker_thread_connect(&worker->thread, error);
  if (status == STATUS_OK)
    status = read_last(worker, error);
  bool leader = false;
  if (status == STATUS_OK)
    status = leadership_claim(worker->session.connection, LEADERSHIP_REPORT, &leader, error);
  if (status != STATUS_OK)
    return status;
  set_leader(worker, true, leader);
  /* The leader too: a session it lost (a server restart) is found, and its claim shown in
   * /metrics stays true, within seconds rather than at the next due instant. */
  if (*retry_in > STANDBY_ROUND)
    *retry_in = STANDBY_ROUND;
  if (!leader) {
    announce_next(worker, now);
    return STATUS_OK;
  }
  struct report_run_key key = {reports->period, {0, 0}, reports->grouping};
  if (!report_schedule_due(worker->rules->rules->calendar, reports->period, now, &key.period)) {
    announce_next(worker, now);
    return STATUS_OK;
  }
  bool exists = false;
  status = report_run_exists(worker->session.connection, &key, &exists, error);
  if (status == STATUS_OK && exists) {
    if (worker->settled_from_day != key.period.from_day)
      log_debug(worker->log, "report: the due one is stored already");
    worker->settled_from_day = key.period.from_day;
    announce_next(worker, now);
    return STATUS_OK;
  }
  if (status == STATUS_OK)
    status = store_due(worker, &key, now, error);
  if (status == STATUS_OK) {
    worker->settled_from_day = key.period.from_day;
    status = read_last(worker, error);
  }
  if (status == STATUS_OK)
    announce_next(worker, now);
  return status;
}

static bool take_reload(void *owner) {
  struct report_worker *worker = owner;
  worker->taken_settings = worker->pending_settings;
  worker->taken_rules = worker->pending_rules;
  worker->pending_settings = NULL;
  worker->pending_rules = NULL;
  return false;
}

static void adopt_reload(void *owner, bool reconnected) {
  (void)reconnected;
  struct report_worker *worker = owner;
  if (worker->taken_settings != NULL) {
    settings_free(worker->settings);
    worker->settings = worker->taken_settings;
    worker->taken_settings = NULL;
  }
  if (worker->taken_rules != NULL) {
    ruleset_release(worker->rules);
    worker->rules = worker->taken_rules;
    worker->taken_rules = NULL;
  }
}

/* The server dropped the lock with the session: lead again only after the next claim. */
static void disconnected(void *owner) {
  set_leader(owner, false, false);
}

static const struct worker_jobs jobs = {
    .name = "report",
    .take = take_reload,
    .adopt = adopt_reload,
    .round = round_once,
    .disconnected = disconnected,
};

/* ---- the loop's side ---- */

struct report_worker *report_worker_new(struct event_base *base, const struct config *config,
                                        struct ruleset *rules, const struct clock *clock,
                                        const struct log *log, void (*on_publish)(void *context),
                                        void *context, struct error *error) {
  struct report_worker *worker = calloc(1, sizeof *worker);
  if (worker == NULL) {
    error_set(error, STATUS_RUNTIME, "out of memory");
    return NULL;
  }
  worker->clock = clock;
  worker->log = log;
  worker->rules = ruleset_acquire(rules);
  worker->settled_from_day = -1;
  worker->announced_next = -1;
  if (worker_thread_init(&worker->thread, &jobs, worker, &worker->session, &worker->snapshot.thread,
                         base, log, on_publish, context, error) != STATUS_OK) {
    report_worker_free(worker);
    return NULL;
  }
  worker->settings = settings_copy(config);
  worker->snapshot.enabled = config->reports.enabled;
  if (worker->settings == NULL ||
      !worker_thread_set_database(&worker->thread, config->conninfo, config->connect_timeout,
                                  &config->timeouts)) {
    error_set(error, STATUS_RUNTIME, "out of memory creating the report worker");
    report_worker_free(worker);
    return NULL;
  }
  return worker;
}

enum status report_worker_start(struct report_worker *worker, struct error *error) {
  worker_thread_request(&worker->thread, NULL);
  return worker_thread_start(&worker->thread, "the report thread", error);
}

void report_worker_reload(struct report_worker *worker, const struct config *config,
                          struct ruleset *rules) {
  struct report_settings *settings = settings_copy(config);
  pthread_mutex_lock(&worker->thread.mutex);
  if (settings == NULL || !worker_thread_set_database(&worker->thread, config->conninfo,
                                                      config->connect_timeout, &config->timeouts))
    log_error(worker->log, "report: out of memory applying new settings");
  if (settings != NULL) {
    settings_free(worker->pending_settings);
    worker->pending_settings = settings;
  }
  if (rules != NULL) {
    ruleset_release(worker->pending_rules);
    worker->pending_rules = ruleset_acquire(rules);
  }
  worker_thread_signal(&worker->thread);
  pthread_mutex_unlock(&worker->thread.mutex);
}

void report_worker_snapshot(struct report_worker *worker, struct report_worker_snapshot *snapshot) {
  worker_thread_read(&worker->thread, snapshot, &worker->snapshot, sizeof *snapshot);
}

void report_worker_stop(struct report_worker *worker) {
  worker_thread_stop(&worker->thread);
}

void report_worker_free(struct report_worker *worker) {
  if (worker == NULL)
    return;
  worker_thread_finish(&worker->thread);
  settings_free(worker->pending_settings);
  settings_free(worker->taken_settings);
  settings_free(worker->settings);
  ruleset_release(worker->pending_rules);
  ruleset_release(worker->taken_rules);
  ruleset_release(worker->rules);
  free(worker);
}
