#include "service/status.h"

#include <event2/event.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "core/civil.h"
#include "dunghen-config.h"

/* ---- /healthz ---- */

/* A daemon that lost an election says so after "ok" (docs/SEVERAL_DAEMONS.md); the leader
 * and a lone daemon say nothing, so that one daemon's "ok" stays as it was. */
static void standby_note(const struct status_snapshot *state, char *reason, size_t size) {
  const struct report_worker_snapshot *reports = state->reports;
  bool report = reports != NULL && reports->enabled && reports->elected && !reports->leader;
  bool retention = state->pass->retention_elected && !state->pass->retention_leader;
  if (!report && !retention)
    return;
  size_t used = strlen(reason);
  if (used < size)
    snprintf(reason + used, size - used, "; standby for %s%s%s (another instance leads)",
             report ? "report" : "", report && retention ? ", " : "", retention ? "retention" : "");
}

bool status_health(const struct status_snapshot *state, char *reason, size_t size) {
  if (state->stopping) {
    snprintf(reason, size, "stopping");
    return false;
  }
  if (!state->database_up) {
    snprintf(reason, size, "database unreachable: %s", state->database_problem);
    return false;
  }
  const struct pass_worker_snapshot *pass = state->pass;
  if (!state->ready && pass->thread.problem[0] == '\0') {
    snprintf(reason, size, "starting: the first pass is not done yet");
    return false;
  }
  if (pass->thread.problem[0] != '\0') {
    snprintf(reason, size, "%s: %s", pass->passes == 0 ? "no pass yet" : "last job failed",
             pass->thread.problem);
    return false;
  }
  /* A letter on disk that the database lost (a failover to an asynchronous standby) needs an
   * operator: docs/FAILOVER.md. Stable for monitors: starts with "letters lost: ". */
  if (pass->spool_audit.unknown + pass->spool_audit.reused > 0) {
    snprintf(reason, size,
             "letters lost: %" PRIu64 " letter(s) in the spool unknown to the database, %" PRIu64
             " with their number given to another dossier; see the log and docs/FAILOVER.md",
             pass->spool_audit.unknown, pass->spool_audit.reused);
    return false;
  }
  const struct letter_worker_snapshot *letters = state->letters;
  if (letters->spool_problem[0] != '\0') {
    /* Stable for monitors: starts with "spool: " (spool.h's messages do already). */
    bool named = strncmp(letters->spool_problem, "spool: ", 7) == 0;
    snprintf(reason, size, "%s%s; %" PRId64 " letter file(s) behind, kept in the database",
             named ? "" : "spool: ", letters->spool_problem, letters->blocked);
    return false;
  }
  if (letters->thread.problem[0] != '\0') {
    snprintf(reason, size, "letters: %s", letters->thread.problem);
    return false;
  }
  /* Mail trouble keeps 200 (docs/MAIL.md): restarting cannot fix a relay, and deadlines,
   * escalations and letters still work; the reason says it and /metrics counts it. */
  /* So does a refused reload: the old rules are in force and the operator must decide. */
  const char *refusal = state->reload_refusal != NULL ? state->reload_refusal : "";
  const char *separator = refusal[0] != '\0' ? "; " : "";
  const struct mail_worker_snapshot *mail = state->mail;
  const struct report_worker_snapshot *reports = state->reports;
  if (reports != NULL && reports->enabled && reports->thread.problem[0] != '\0')
    snprintf(reason, size, "ok%s%s; report: %s", separator, refusal, reports->thread.problem);
  else if (mail->enabled && mail->thread.problem[0] != '\0')
    snprintf(reason, size, "ok%s%s; mail: %s", separator, refusal, mail->thread.problem);
  else if (mail->enabled && mail->failing[0] != '\0')
    snprintf(reason, size, "ok%s%s; mail failing: %" PRIu64 " attempt(s) in a row; last: %s",
             separator, refusal, mail->consecutive_failures, mail->failing);
  else
    snprintf(reason, size, "ok%s%s", separator, refusal);
  standby_note(state, reason, size);
  return true;
}

/* ---- /metrics ---- */

static void metric(struct evbuffer *body, const char *name, const char *type, const char *help) {
  evbuffer_add_printf(body, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A metric without labels: its HELP and TYPE lines and its one sample. */
static void metric_integer(struct evbuffer *body, const char *name, const char *type,
                           const char *help, long long value) {
  metric(body, name, type, help);
  evbuffer_add_printf(body, "%s %lld\n", name, value);
}

/* A label value in the text format's escaping (agency codes come from the source view). */
static void label_value(struct evbuffer *body, const char *value) {
  for (const char *cursor = value; *cursor != '\0'; cursor++) {
    if (*cursor == '\\' || *cursor == '"')
      evbuffer_add_printf(body, "\\%c", *cursor);
    else if (*cursor == '\n')
      evbuffer_add(body, "\\n", 2);
    else
      evbuffer_add(body, cursor, 1);
  }
}

/* A classic histogram: cumulative buckets, the +Inf one equal to _count, then _sum, _count. */
static void metric_histogram(struct evbuffer *body, const char *name, const char *help,
                             const struct metrics_histogram *histogram) {
  metric(body, name, "histogram", help);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < histogram->bound_count; i++) {
    cumulative += histogram->counts[i];
    evbuffer_add_printf(body, "%s_bucket{le=\"%g\"} %" PRIu64 "\n", name, histogram->bounds[i],
                        cumulative);
  }
  evbuffer_add_printf(body, "%s_bucket{le=\"+Inf\"} %" PRIu64 "\n", name, histogram->count);
  evbuffer_add_printf(body, "%s_sum %.6f\n%s_count %" PRIu64 "\n", name, histogram->sum, name,
                      histogram->count);
}

static void build_metrics(struct evbuffer *body) {
  metric(body, "dunghen_build_info", "gauge",
         "Always 1; the labels name this dunghen and the libraries it runs with.");
  int libpq = PQlibVersion();
  evbuffer_add_printf(body,
                      "dunghen_build_info{version=\"%s\",libpq=\"%d.%d\",libevent=\"%s\"} 1\n",
                      DUNGHEN_VERSION, libpq / 10000, libpq % 10000, event_get_version());
}

/* Per agency, from the same trigger-kept deltas as the other counts: no count(*) per scrape. */
static void agency_metrics(const struct pass_metrics *metrics, struct evbuffer *body) {
  static const char *const names[] = {"dunghen_agency_open_dossiers",
                                      "dunghen_agency_overdue_dossiers",
                                      "dunghen_agency_letters_pending"};
  static const char *const helps[] = {
      "Open dossiers (clock running or paused) by handling agency.",
      "Overdue dossiers (overdue or overdue again after the apology's date) by handling agency.",
      "Apology letters queued and not yet rendered, by the agency that issues them."};
  for (size_t kind = 0; kind < 3; kind++) {
    metric(body, names[kind], "gauge", helps[kind]);
    for (size_t i = 0; i < metrics->agency_count; i++) {
      const struct pass_agency_count *agency = &metrics->agencies[i];
      evbuffer_add_printf(body, "%s{agency=\"", names[kind]);
      label_value(body, agency->code);
      evbuffer_add_printf(body, "\"} %" PRId64 "\n",
                          kind == 0   ? agency->open
                          : kind == 1 ? agency->overdue
                                      : agency->letters_pending);
    }
  }
  metric_integer(body, "dunghen_agency_metrics_left_out", "gauge",
                 "Agencies beyond the 512 that the per-agency gauges list.",
                 (long long)metrics->agencies_left_out);
}

static void database_metrics(const struct pass_metrics *metrics, struct evbuffer *body) {
  metric(body, "dunghen_dossiers", "gauge", "Dossiers known to the daemon, by clock state.");
  for (size_t i = 0; i < metrics->state_count; i++)
    evbuffer_add_printf(body, "dunghen_dossiers{state=\"%s\"} %" PRId64 "\n",
                        metrics->states[i].name, metrics->states[i].value);
  metric(body, "dunghen_escalations", "gauge", "Escalations recorded in the database, by level.");
  for (size_t i = 0; i < metrics->level_count; i++)
    evbuffer_add_printf(body, "dunghen_escalations{level=\"%s\"} %" PRId64 "\n",
                        metrics->levels[i].name, metrics->levels[i].value);
  metric_integer(body, "dunghen_flagged_dossiers", "gauge",
                 "Dossiers whose source row is unusable.", metrics->flagged);
  agency_metrics(metrics, body);
}

static void process_metrics(const struct status_snapshot *state, struct evbuffer *body) {
  const struct pass_worker_snapshot *snapshot = state->pass;
  metric(body, "dunghen_up", "gauge", "1 when the database is reachable and the last job worked.");
  char reason[8];
  evbuffer_add_printf(body, "dunghen_up %d\n", status_health(state, reason, sizeof reason));
  metric_integer(body, "dunghen_database_up", "gauge",
                 "1 while the listener's connection to the database is up.", state->database_up);
  metric_integer(body, "dunghen_passes_total", "counter", "Successful passes since start.",
                 snapshot->passes);
  metric_integer(body, "dunghen_pass_failures_total", "counter", "Failed passes and recomputes.",
                 snapshot->thread.failures);
  metric(body, "dunghen_last_pass_duration_seconds", "gauge", "Duration of the last pass.");
  evbuffer_add_printf(body, "dunghen_last_pass_duration_seconds %.6f\n",
                      snapshot->last_pass_seconds);
  metric_histogram(body, "dunghen_pass_duration_seconds",
                   "Durations of the successful passes since start (reload recomputes apart).",
                   &snapshot->pass_seconds);
  metric_histogram(body, "dunghen_escalation_delay_seconds",
                   "Per escalation raised by this process: from when it was owed (the later of "
                   "the instant its level fell due and the source row's updated_at) to the "
                   "daemon's clock once the pass had committed it.",
                   &snapshot->escalation_delay);
  metric_integer(body, "dunghen_last_successful_pass_timestamp_seconds", "gauge",
                 "The daemon's clock at the last successful pass (0: none yet).",
                 snapshot->last_success);
  metric_integer(body, "dunghen_escalations_raised_total", "counter",
                 "Escalations raised by this process.", snapshot->escalations);
  metric_integer(body, "dunghen_letters_queued_total", "counter",
                 "Letter jobs queued by this process.", snapshot->letters);
  metric_integer(body, "dunghen_deadlines_moved_total", "counter",
                 "Deadlines moved by rules reloads.", snapshot->deadlines_moved);
  metric_integer(body, "dunghen_database_reconnects_total", "counter",
                 "Database connections lost and opened again (listener and worker).",
                 state->database_reconnects + snapshot->thread.reconnects);
  metric(body, "dunghen_spool_audit_letters", "gauge",
         "Letters of the spool at the last audit (each new database session), by what the "
         "database says of their number.");
  evbuffer_add_printf(body,
                      "dunghen_spool_audit_letters{result=\"known\"} %" PRIu64 "\n"
                      "dunghen_spool_audit_letters{result=\"unknown\"} %" PRIu64 "\n"
                      "dunghen_spool_audit_letters{result=\"reused\"} %" PRIu64 "\n",
                      snapshot->spool_audit.letters - snapshot->spool_audit.unknown -
                          snapshot->spool_audit.reused,
                      snapshot->spool_audit.unknown, snapshot->spool_audit.reused);
  metric_integer(body, "dunghen_spool_audits_total", "counter",
                 "Audits of the spool against the database (one per new database session).",
                 (long long)snapshot->spool_audit.audits);
  metric_integer(body, "dunghen_notifications_total", "counter",
                 "dunghen_dossier notifications heard.", state->notifications);
  metric(body, "dunghen_reloads_total", "counter", "SIGHUP reloads, by result.");
  evbuffer_add_printf(body,
                      "dunghen_reloads_total{result=\"ok\"} %" PRIu64 "\n"
                      "dunghen_reloads_total{result=\"failed\"} %" PRIu64 "\n",
                      state->reloads, state->reload_failures);
  metric_integer(body, "dunghen_reload_refused_total", "counter",
                 "Reloads the reload guard refused (config reload:): the old rules stayed in "
                 "force.",
                 (long long)state->reload_refusals);
  metric_histogram(body, "dunghen_reload_duration_seconds",
                   "SIGHUP reloads (swapped in or refused): reading and checking the config, "
                   "rules, templates and fonts; the recompute of the clocks follows apart.",
                   state->reload_seconds);
  metric_integer(body, "dunghen_last_reload_success_timestamp_seconds", "gauge",
                 "The daemon's clock when a reload last succeeded (0: none since start).",
                 state->last_reload_success);
  metric_integer(body, "dunghen_next_due_timestamp_seconds", "gauge",
                 "The earliest instant at which a stored clock changes state (0: none).",
                 snapshot->next_due == INT64_MAX ? 0 : snapshot->next_due);
}

/* From the letter thread's counts (fresher during a burst), else from the worker's. */
static void letter_metrics(const struct status_snapshot *state, struct evbuffer *body) {
  const struct letter_worker_snapshot *letters = state->letters;
  const struct pass_metrics *pass = &state->pass->metrics;
  if (letters->counts_valid || state->pass->metrics_valid) {
    bool own = letters->counts_valid;
    metric(body, "dunghen_letters", "gauge",
           "Apology letters, by state (signed: taken back signed with `letters take-signed`; "
           "blocked: rendered and kept in the database, "
           "their files not yet in the spool, which refuses them).");
    evbuffer_add_printf(body,
                        "dunghen_letters{state=\"pending\"} %" PRId64 "\n"
                        "dunghen_letters{state=\"rendered\"} %" PRId64 "\n"
                        "dunghen_letters{state=\"failed\"} %" PRId64 "\n"
                        "dunghen_letters{state=\"signed\"} %" PRId64 "\n"
                        "dunghen_letters{state=\"blocked\"} %" PRId64 "\n",
                        own ? letters->pending : pass->letters_pending,
                        own ? letters->rendered : pass->letters_rendered,
                        own ? letters->failed : pass->letters_failed,
                        own ? letters->signed_count : pass->letters_signed, letters->blocked);
  }
  metric_integer(body, "dunghen_letters_rendered_total", "counter",
                 "Letters rendered by this process.", letters->rendered_total);
  metric_integer(body, "dunghen_letters_failed_total", "counter",
                 "Letter jobs this process marked failed (their data cannot make a letter).",
                 letters->failed_total);
  metric_integer(body, "dunghen_letter_spool_blocked", "gauge",
                 "1 while the spool refuses files (full, read-only): the letters are kept in the "
                 "database and their files written once it accepts them.",
                 letters->spool_problem[0] != '\0');
  metric_integer(body, "dunghen_letter_spool_refusals_total", "counter",
                 "Times the spool refused a letter since start.", letters->spool_refusals);
  metric_histogram(body, "dunghen_letter_render_duration_seconds",
                   "Rendering one apology letter into a PDF (layout and PDF, not the spool "
                   "write), by this process.",
                   &letters->render_seconds);
  metric_integer(body, "dunghen_letter_notifications_total", "counter",
                 "dunghen_letter notifications heard.", state->letter_notifications);
}

static void mail_metrics(const struct status_snapshot *state, struct evbuffer *body) {
  const struct mail_worker_snapshot *mail = state->mail;
  metric_integer(body, "dunghen_mail_enabled", "gauge", "1 when mail.enabled is true.",
                 mail->enabled);
  if (mail->counts_valid) {
    metric(body, "dunghen_mail_deliveries", "gauge",
           "dunghen.delivery_log by state (held: waiting for a digest).");
    evbuffer_add_printf(body,
                        "dunghen_mail_deliveries{state=\"pending\"} %" PRId64 "\n"
                        "dunghen_mail_deliveries{state=\"held\"} %" PRId64 "\n"
                        "dunghen_mail_deliveries{state=\"sent\"} %" PRId64 "\n"
                        "dunghen_mail_deliveries{state=\"failed\"} %" PRId64 "\n",
                        mail->pending, mail->held, mail->sent, mail->failed);
  }
  metric_integer(body, "dunghen_mail_sent_total", "counter", "Messages sent by this process.",
                 mail->sent_total);
  metric_integer(body, "dunghen_mail_attempt_failures_total", "counter",
                 "Send attempts that failed (each is retried until mail.attempts).",
                 mail->attempt_failures_total);
  metric_integer(body, "dunghen_mail_failed_total", "counter",
                 "Deliveries this process gave up on (state failed).", mail->failed_total);
  metric_integer(body, "dunghen_mail_failing", "gauge", "1 while the last send attempt failed.",
                 mail->failing[0] != '\0');
  metric_integer(body, "dunghen_mail_digests_total", "counter", "Digests made by this process.",
                 mail->digests_total);
  metric_integer(body, "dunghen_mail_unaddressed_total", "counter",
                 "Roles of mailed events for which the agency lists no address.",
                 mail->unaddressed_total);
  metric_histogram(body, "dunghen_sendmail_duration_seconds",
                   "Each sendmail run (start to exit, or kill at mail.timeout), whatever its "
                   "result.",
                   &mail->sendmail_seconds);
}

static void report_metrics(const struct report_worker_snapshot *reports, struct evbuffer *body) {
  metric_integer(body, "dunghen_reports_enabled", "gauge", "1 when reports.enabled is true.",
                 reports->enabled);
  metric_integer(body, "dunghen_reports_total", "counter",
                 "Scheduled progress reports this process stored (one per period).",
                 (long long)reports->stored_total);
  metric_integer(body, "dunghen_reports_mailed_total", "counter",
                 "Of those, the ones queued for mail.", (long long)reports->mailed_total);
  metric_integer(body, "dunghen_reports_already_stored_total", "counter",
                 "Due reports another instance stored first (nothing written).",
                 (long long)reports->already_total);
  if (reports->has_last)
    metric_integer(body, "dunghen_report_last_period_end_timestamp_seconds", "gauge",
                   "The end (local midnight after its last day) of the latest stored period.",
                   (long long)civil_instant_from_local(reports->last.to_day + 1, 0));
}

/* 1 for the jobs this daemon runs as the elected instance (store/leadership.h), 0 for those it
 * stands by for; a job not elected here (reports off, no retention run yet) is left out. */
static void leader_metrics(const struct status_snapshot *state, struct evbuffer *body) {
  const struct report_worker_snapshot *reports = state->reports;
  bool report = reports != NULL && reports->enabled && reports->elected;
  bool retention = state->pass->retention_elected;
  metric(body, "dunghen_leader", "gauge",
         "1 when this daemon is the elected runner of the job among the daemons of the "
         "database, 0 when another instance is.");
  if (report)
    evbuffer_add_printf(body, "dunghen_leader{job=\"report\"} %d\n", reports->leader);
  if (retention)
    evbuffer_add_printf(body, "dunghen_leader{job=\"retention\"} %d\n",
                        state->pass->retention_leader);
}

void status_metrics(const struct status_snapshot *state, struct evbuffer *body) {
  build_metrics(body);
  process_metrics(state, body);
  letter_metrics(state, body);
  mail_metrics(state, body);
  if (state->reports != NULL)
    report_metrics(state->reports, body);
  leader_metrics(state, body);
  if (state->pass->metrics_valid)
    database_metrics(&state->pass->metrics, body);
}

/* ---- STATUS= ---- */

/* Why READY=1 has not come yet, from the last snapshot, the listener and the worker now. */
static void starting_line(const struct status_snapshot *state, char *text, size_t size) {
  const struct pass_worker_snapshot *last = state->pass;
  if (state->pass_running && state->database_up)
    snprintf(text, size, "starting: the database is up; the first pass is running");
  else if (last->thread.problem[0] != '\0' && !last->thread.connected)
    snprintf(text, size, "waiting for the database: %.200s", last->thread.problem);
  else if (last->thread.problem[0] != '\0')
    snprintf(text, size, "starting: the first pass failed, retrying: %.200s", last->thread.problem);
  else if (state->database_up)
    snprintf(text, size, "starting: the database is up; the first pass is running");
  else
    snprintf(text, size, "starting: connecting to the database");
}

void status_line(const struct status_snapshot *state, char *text, size_t size) {
  const struct pass_worker_snapshot *pass = state->pass;
  if (!state->ready) {
    starting_line(state, text, size);
  } else if (state->reload_refusal != NULL && state->reload_refusal[0] != '\0') {
    snprintf(text, size, "%s", state->reload_refusal);
  } else if (pass->thread.problem[0] != '\0') {
    snprintf(text, size, "%s: %.200s",
             pass->thread.connected ? "the last pass failed, retrying" : "waiting for the database",
             pass->thread.problem);
  } else {
    char next[TIMESTAMP_TEXT_SIZE] = "none";
    if (pass->next_due != INT64_MAX)
      civil_format_timestamp(pass->next_due, next);
    snprintf(text, size, "watching; %" PRIu64 " passes; next due %s", pass->passes, next);
  }
}
