#include "service/loop.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/civil.h"
#include "dunghen-config.h"
#include "rules/ruleset.h"
#include "service/http.h"
#include "service/letter_worker.h"
#include "service/listener.h"
#include "service/mail_worker.h"
#include "service/metrics_histogram.h"
#include "service/pass_worker.h"
#include "service/paths.h"
#include "service/report_worker.h"
#include "service/sdnotify.h"
#include "service/status.h"

/* The due timer never sleeps longer than this; the poll timer and the next pass re-arm it. */
static const double DUE_TIMER_LIMIT = 86400.0;
/* Wake a little after the instant, so the pass's whole-second "now" has reached it. */
static const double DUE_TIMER_MARGIN = 0.005;
/* A next instant already past after a pass (e.g. held by another instance): do not spin. */
static const double DUE_TIMER_MINIMUM = 1.0;
/* Until READY=1 (the database may be down at boot, a first pass over a million dossiers takes
 * a while) the loop asks systemd for more start time every START_EXTEND_INTERVAL seconds, each
 * time for START_EXTEND_USEC: the unit's start timeout then catches only a daemon that has
 * stopped talking, never one that waits for its database (systemd/dunghen.service). */
static const double START_EXTEND_INTERVAL = 10.0;
static const long long START_EXTEND_USEC = 30000000;

struct loop {
  const struct loop_options *options;
  struct log *log;
  struct config config;
  struct event_base *base;
  struct sdnotify notify;
  struct listener *listener;
  struct pass_worker *worker;
  struct letter_worker *letters; /* renders the letter jobs (never the loop, never the worker) */
  struct mail_worker *mail;      /* delivers the outbox by e-mail (runs with mail off too) */
  struct report_worker *reports; /* the scheduled progress report (idle unless enabled) */
  struct http *http;
  struct event *signal_hangup;
  struct event *signal_terminate;
  struct event *signal_interrupt;
  struct event *due_timer;
  struct event *poll_timer;
  struct event *watchdog_timer;
  struct event *start_timer;                     /* EXTEND_TIMEOUT_USEC until READY=1 */
  struct pass_worker_snapshot snapshot;          /* the last one the worker published */
  struct letter_worker_snapshot letter_snapshot; /* the last one the letter thread published */
  uint64_t letters_queued_seen; /* the worker's `letters` when the letter thread was last woken */
  struct mail_worker_snapshot mail_snapshot;
  struct report_worker_snapshot report_snapshot;
  uint64_t reports_mailed_seen;   /* the report thread's `mailed_total` when mail was last woken */
  uint64_t mail_escalations_seen; /* the worker's `escalations` when mail was last woken */
  uint64_t mail_letters_seen;     /* the letter thread's `rendered_total` likewise */
  int64_t due_at;                 /* what the due timer is set for; INT64_MAX when unset */
  bool ready_sent;
  bool stopping;
  uint64_t reloads;
  uint64_t reload_failures;
  struct metrics_histogram reload_seconds; /* SIGHUP to swapped in (or refused) */
  int64_t last_reload_success;             /* the daemon's clock; 0 before any */
  struct ruleset *rules;                   /* the set in force (a reference of the loop's) */
  uint64_t reload_count;                   /* reloads handed to the reload guard */
  /* A reload whose rules the pass worker's guard judges: what follows them once accepted. */
  struct pending_reload {
    uint64_t id; /* 0: none */
    struct ruleset *rules;
    struct letter_kit *kit;
    struct mail_kit *mail_kit;
    bool letters_changed; /* the letters' or mail's settings changed (kits to rebuild if refused) */
    double started;
  } pending;
  bool reload_again; /* a SIGHUP came while the guard judged: reload once more after it */
  uint64_t reload_refusals;
  char reload_refusal[300]; /* the last refusal, until a reload is accepted */
};

static struct timeval timeval_from_seconds(double seconds) {
  struct timeval value;
  value.tv_sec = (time_t)seconds;
  value.tv_usec = (suseconds_t)((seconds - (double)value.tv_sec) * 1e6);
  return value;
}

static void notify(struct loop *loop, const char *message) {
  struct error error;
  if (sdnotify_send(&loop->notify, message, &error) != STATUS_OK)
    log_warning(loop->log, "systemd: %s", error.message);
}

/* ---- config ---- */

static enum status apply_overrides(const struct loop_overrides *overrides, struct config *config,
                                   struct error *error) {
  enum status status = STATUS_OK;
  if (overrides->conninfo != NULL && config_check_conninfo(overrides->conninfo, error) != STATUS_OK)
    return error_prefix(error, "--db");
  if (overrides->conninfo != NULL)
    status = config_set_string(&config->conninfo, overrides->conninfo, error);
  if (status == STATUS_OK && overrides->rules_directory != NULL)
    status = config_set_string(&config->rules_directory, overrides->rules_directory, error);
  if (status == STATUS_OK && overrides->letters_directory != NULL)
    status = config_set_string(&config->letters_directory, overrides->letters_directory, error);
  if (status == STATUS_OK && overrides->spool_directory != NULL)
    status = config_set_string(&config->spool_directory, overrides->spool_directory, error);
  if (status == STATUS_OK && config->rules_directory == NULL)
    status = config_set_string(&config->rules_directory, paths_rules(NULL), error);
  if (status == STATUS_OK && config->letters_directory == NULL)
    status = config_set_string(&config->letters_directory, paths_letters(NULL), error);
  return status;
}

enum status loop_load_config(const struct loop_options *options, struct config *config,
                             struct error *error) {
  const char *path = options->config_path != NULL ? options->config_path : CONFIG_DEFAULT_FILE;
  struct stat info;
  enum status status;
  if (options->config_path == NULL && stat(path, &info) != 0 && errno == ENOENT)
    status = config_defaults(config, error);
  else
    status = config_load(path, config, error);
  if (status != STATUS_OK)
    return status;
  status = apply_overrides(&options->overrides, config, error);
  if (status != STATUS_OK)
    config_free(config);
  return status;
}

static int64_t today(const struct loop *loop) {
  return civil_local_day(clock_now(&loop->options->clock));
}

static struct pass_worker_settings pass_settings(const struct config *config) {
  struct pass_worker_settings settings = {
      .conninfo = config->conninfo,
      .connect_timeout = config->connect_timeout,
      .timeouts = config->timeouts,
      .batch_size = (size_t)config->batch_size,
      .first_pass_sessions = (size_t)config->first_pass_sessions,
      .overlap = config->overlap,
      .retention = config->retention,
      .mail_enabled = config->mail.enabled,
      .spool_directory = config->spool_directory,
  };
  return settings;
}

static struct letter_worker_settings letter_settings(const struct config *config) {
  struct letter_worker_settings settings = {
      .conninfo = config->conninfo,
      .connect_timeout = config->connect_timeout,
      .timeouts = config->timeouts,
      .spool_directory = config->spool_directory,
  };
  return settings;
}

static struct listener_settings listener_settings(const struct config *config) {
  struct listener_settings settings = {
      .conninfo = config->conninfo,
      .connect_timeout = config->connect_timeout,
      .ping_interval = config->ping_interval,
  };
  return settings;
}

static bool same_text(const char *left, const char *right) {
  if (left == NULL || right == NULL)
    return left == right;
  return strcmp(left, right) == 0;
}

/* ---- timers ---- */

static void arm_poll_timer(struct loop *loop) {
  struct timeval interval = {loop->config.poll_interval, 0};
  event_add(loop->poll_timer, &interval);
}

static void arm_due_timer(struct loop *loop, int64_t next_due) {
  if (next_due == loop->due_at && evtimer_pending(loop->due_timer, NULL))
    return;
  evtimer_del(loop->due_timer);
  loop->due_at = next_due;
  if (next_due == INT64_MAX)
    return;
  double delay = clock_real_delay(&loop->options->clock, next_due);
  if (delay <= 0)
    delay = DUE_TIMER_MINIMUM;
  if (delay > DUE_TIMER_LIMIT)
    delay = DUE_TIMER_LIMIT;
  struct timeval timeout = timeval_from_seconds(delay + DUE_TIMER_MARGIN);
  evtimer_add(loop->due_timer, &timeout);
  char text[TIMESTAMP_TEXT_SIZE];
  civil_format_timestamp(next_due, text);
  log_debug(loop->log, "due timer: next instant %s, in %.3f s", text, delay);
}

static void on_due_timer(evutil_socket_t fd, short what, void *argument) {
  (void)fd;
  (void)what;
  struct loop *loop = argument;
  loop->due_at = INT64_MAX;
  if (!loop->stopping)
    pass_worker_request(loop->worker);
}

static void on_poll_timer(evutil_socket_t fd, short what, void *argument) {
  (void)fd;
  (void)what;
  struct loop *loop = argument;
  if (!loop->stopping)
    pass_worker_request(loop->worker);
}

static void on_watchdog_timer(evutil_socket_t fd, short what, void *argument) {
  (void)fd;
  (void)what;
  notify(argument, "WATCHDOG=1");
}

static void send_starting_status(struct loop *loop);

static void on_start_timer(evutil_socket_t fd, short what, void *argument) {
  (void)fd;
  (void)what;
  struct loop *loop = argument;
  if (!loop->ready_sent && !loop->stopping)
    send_starting_status(loop);
}

/* The loop's copies before the first snapshot of each thread, and its own reload histogram. */
static void init_histograms(struct loop *loop) {
  metrics_histogram_init(&loop->reload_seconds, metrics_bounds_reload, metrics_bounds_reload_count);
  metrics_histogram_init(&loop->snapshot.pass_seconds, metrics_bounds_pass,
                         metrics_bounds_pass_count);
  metrics_histogram_init(&loop->snapshot.escalation_delay, metrics_bounds_escalation_delay,
                         metrics_bounds_escalation_delay_count);
  metrics_histogram_init(&loop->letter_snapshot.render_seconds, metrics_bounds_render,
                         metrics_bounds_render_count);
  metrics_histogram_init(&loop->mail_snapshot.sendmail_seconds, metrics_bounds_sendmail,
                         metrics_bounds_sendmail_count);
}

/* ---- health, metrics, STATUS= (service/status.h) ---- */

static void gather(const struct loop *loop, struct status_snapshot *state) {
  const struct listener *listener = loop->listener; /* NULL once stopping */
  *state = (struct status_snapshot){
      .stopping = loop->stopping,
      .ready = loop->ready_sent,
      .database_up = listener != NULL && listener_is_ready(listener),
      .database_problem = listener != NULL ? listener_problem(listener) : "not listening",
      .database_reconnects = listener != NULL ? listener_reconnects(listener) : 0,
      .notifications = listener != NULL ? listener_notifications(listener) : 0,
      .letter_notifications = listener != NULL ? listener_letter_notifications(listener) : 0,
      .pass = &loop->snapshot,
      .letters = &loop->letter_snapshot,
      .mail = &loop->mail_snapshot,
      .reports = &loop->report_snapshot,
      .reloads = loop->reloads,
      .reload_failures = loop->reload_failures,
      .reload_seconds = &loop->reload_seconds,
      .last_reload_success = loop->last_reload_success,
      .reload_refusals = loop->reload_refusals,
      .reload_refusal = loop->reload_refusal,
  };
}

static bool health(void *argument, char *reason, size_t size) {
  struct status_snapshot state;
  gather(argument, &state);
  return status_health(&state, reason, size);
}

static void metrics(void *argument, struct evbuffer *body) {
  struct status_snapshot state;
  gather(argument, &state);
  status_metrics(&state, body);
}

/* Every status before READY=1 also asks for more start time (START_EXTEND_USEC from now). */
static void send_starting_status(struct loop *loop) {
  struct status_snapshot state;
  gather(loop, &state);
  struct pass_worker_snapshot now;
  pass_worker_snapshot(loop->worker, &now);
  state.pass_running = now.thread.busy;
  char text[300], message[360];
  status_line(&state, text, sizeof text);
  snprintf(message, sizeof message, "EXTEND_TIMEOUT_USEC=%lld\nSTATUS=%s", START_EXTEND_USEC, text);
  notify(loop, message);
}

static void send_status(struct loop *loop) {
  if (!loop->ready_sent) {
    send_starting_status(loop);
    return;
  }
  struct status_snapshot state;
  gather(loop, &state);
  char text[300], message[320];
  status_line(&state, text, sizeof text);
  snprintf(message, sizeof message, "STATUS=%s", text);
  notify(loop, message);
}

/* The loop ends once the four threads (pass, letters, mail, report) have finished their
 * transactions. */
static bool both_stopped(struct loop *loop) {
  if (loop->snapshot.thread.stopped && loop->letter_snapshot.thread.stopped &&
      loop->mail_snapshot.thread.stopped && loop->report_snapshot.thread.stopped) {
    event_base_loopexit(loop->base, NULL);
    return true;
  }
  return false;
}

static void on_mail_publish(void *argument) {
  struct loop *loop = argument;
  mail_worker_snapshot(loop->mail, &loop->mail_snapshot);
  both_stopped(loop);
}

static void on_report_publish(void *argument) {
  struct loop *loop = argument;
  report_worker_snapshot(loop->reports, &loop->report_snapshot);
  if (both_stopped(loop) || loop->stopping)
    return;
  if (loop->report_snapshot.mailed_total != loop->reports_mailed_seen) {
    loop->reports_mailed_seen = loop->report_snapshot.mailed_total;
    mail_worker_request(loop->mail); /* the outbox has the report's row */
  }
}

static void on_letter_publish(void *argument) {
  struct loop *loop = argument;
  bool was_blocked = loop->letter_snapshot.spool_problem[0] != '\0';
  letter_worker_snapshot(loop->letters, &loop->letter_snapshot);
  if (both_stopped(loop) || loop->stopping)
    return;
  if (loop->letter_snapshot.rendered_total + loop->letter_snapshot.failed_total !=
      loop->mail_letters_seen) {
    loop->mail_letters_seen =
        loop->letter_snapshot.rendered_total + loop->letter_snapshot.failed_total;
    mail_worker_request(loop->mail); /* a letter's message waits for its PDF */
  }
  bool blocked = loop->letter_snapshot.spool_problem[0] != '\0';
  if (blocked && !was_blocked) {
    char message[640];
    snprintf(message, sizeof message, "STATUS=letters wait: %.500s",
             loop->letter_snapshot.spool_problem);
    notify(loop, message);
  } else if (was_blocked && !blocked) {
    notify(loop, "STATUS=the spool accepts letters again");
  }
}

static void finish_reload(struct loop *loop);

static void on_worker_publish(void *argument) {
  struct loop *loop = argument;
  pass_worker_snapshot(loop->worker, &loop->snapshot);
  if (both_stopped(loop) || loop->snapshot.thread.stopped)
    return;
  if (loop->stopping)
    return;
  if (loop->pending.id != 0 && loop->snapshot.reload_decided == loop->pending.id)
    finish_reload(loop); /* before the letter thread is woken for the recompute's letters */
  if (loop->snapshot.letters != loop->letters_queued_seen) {
    loop->letters_queued_seen = loop->snapshot.letters;
    letter_worker_request(loop->letters); /* the pass queued letters: render them, elsewhere */
  }
  if (loop->snapshot.escalations != loop->mail_escalations_seen) {
    loop->mail_escalations_seen = loop->snapshot.escalations;
    mail_worker_request(loop->mail); /* the outbox has new rows */
  }
  if (loop->snapshot.thread.problem[0] == '\0') {
    arm_due_timer(loop, loop->snapshot.next_due);
    if (!loop->ready_sent && loop->snapshot.passes > 0) {
      loop->ready_sent = true;
      evtimer_del(loop->start_timer);
      log_info(loop->log, "ready: rules loaded, database up, first pass done");
      notify(loop, "READY=1");
    }
  }
  send_status(loop);
}

/* ---- listener callbacks ---- */

static void on_listener_ready(void *argument) {
  struct loop *loop = argument;
  pass_worker_request(loop->worker); /* catch up on what was missed while disconnected */
  letter_worker_request(loop->letters);
  mail_worker_request(loop->mail);
}

static void on_listener_lost(void *argument, const char *reason) {
  struct loop *loop = argument;
  char message[256];
  snprintf(message, sizeof message, "STATUS=database connection lost: %.200s", reason);
  notify(loop, message);
}

static void on_listener_notify(void *argument, const char *payload) {
  (void)payload; /* only a hint: the pass re-reads everything from the views */
  struct loop *loop = argument;
  if (!loop->stopping)
    pass_worker_request(loop->worker);
}

static void on_listener_letter(void *argument, const char *payload) {
  (void)payload; /* a hint: the letter thread claims whatever is pending */
  struct loop *loop = argument;
  if (!loop->stopping)
    letter_worker_request(loop->letters);
}

/* ---- reload ---- */

static void swap_http(struct loop *loop, const struct config *config) {
  if (config->http_enabled == loop->config.http_enabled &&
      same_text(config->http_address, loop->config.http_address) &&
      config->http_port == loop->config.http_port)
    return;
  struct http *replacement = NULL;
  struct error error;
  if (config->http_enabled) {
    struct http_handlers handlers = {health, metrics};
    http_free(loop->http); /* the new address may be the old one with another option */
    loop->http = NULL;
    if (http_start(loop->base, config->http_address, config->http_port, &handlers, loop, loop->log,
                   &replacement, &error) != STATUS_OK)
      log_error(loop->log, "reload: %s; HTTP stays off until the next reload", error.message);
  } else {
    http_free(loop->http);
    log_info(loop->log, "http: disabled");
  }
  loop->http = replacement;
}

static bool letters_changed(const struct config *new_config, const struct config *old_config) {
  return !same_text(new_config->letters_directory, old_config->letters_directory) ||
         !same_text(new_config->font_directory, old_config->font_directory) ||
         new_config->true_italic != old_config->true_italic ||
         new_config->mail.enabled != old_config->mail.enabled;
}

/* The letter and mail kits of the config in force, loaded with `rules`. */
static enum status load_kits(const struct config *config, struct ruleset *rules,
                             struct letter_kit **kit, struct mail_kit **mail_kit,
                             struct error *error) {
  *kit = NULL;
  *mail_kit = NULL;
  enum status status = letter_kit_load(
      config->letters_directory, rules,
      &(struct letter_options){config->font_directory, config->true_italic, false}, kit, error);
  if (status == STATUS_OK && config->mail.enabled)
    status = mail_kit_load(config->letters_directory, rules, mail_kit, error);
  if (status != STATUS_OK) {
    letter_kit_free(*kit);
    *kit = NULL;
  }
  return status;
}

/*
 * Validate everything first; only a complete, valid new set replaces the old one. The config is
 * applied at once; the rules go to the pass worker's reload guard (pass_worker.h), and the
 * letter and mail kits loaded with them wait for its decision (finish_reload).
 */
static void reload(struct loop *loop) {
  if (loop->pending.id != 0) {
    loop->reload_again = true;
    log_info(loop->log, "reload: SIGHUP received while the reload guard judges the last reload; "
                        "reloading again once it has decided");
    return;
  }
  double started = clock_monotonic_seconds();
  notify(loop, "RELOADING=1\nSTATUS=reloading the config and rules");
  log_info(loop->log, "reload: SIGHUP received");
  struct config config;
  struct ruleset *rules = NULL;
  struct error error;
  struct letter_kit *kit = NULL;
  struct mail_kit *mail_kit = NULL;
  enum status status = loop_load_config(loop->options, &config, &error);
  if (status == STATUS_OK) {
    status = ruleset_load(config.rules_directory, today(loop), &rules, &error);
    if (status == STATUS_OK)
      status = report_worker_check(&config, rules, &error);
    if (status == STATUS_OK)
      status = load_kits(&config, rules, &kit, &mail_kit, &error);
    if (status != STATUS_OK) {
      ruleset_release(rules);
      config_free(&config);
    }
  }
  if (status != STATUS_OK) {
    loop->reload_failures++;
    metrics_histogram_observe(&loop->reload_seconds, clock_monotonic_seconds() - started);
    log_lines(loop->log, LOG_ERROR, "reload failed, keeping the old config and rules",
              error.message);
    notify(loop, "READY=1\nSTATUS=reload failed; running with the old config and rules");
    return;
  }
  for (size_t i = 0; i < rules->rules->warning_count; i++)
    log_warning(loop->log, "rules: %s", rules->rules->warnings[i]);
  log_set_level(loop->log, config.log_level);
  if (!same_text(config.conninfo, loop->config.conninfo) ||
      config.connect_timeout != loop->config.connect_timeout ||
      config.ping_interval != loop->config.ping_interval) {
    struct listener_settings settings = listener_settings(&config);
    listener_restart(loop->listener, &settings);
  }
  struct pass_worker_settings settings = pass_settings(&config);
  pass_worker_update_settings(loop->worker, &settings);
  struct letter_worker_settings lettering = letter_settings(&config);
  letter_worker_update_settings(loop->letters, &lettering);
  swap_http(loop, &config);
  loop->pending = (struct pending_reload){
      .id = ++loop->reload_count,
      .rules = ruleset_acquire(rules),
      .kit = kit,
      .mail_kit = mail_kit,
      .letters_changed = letters_changed(&config, &loop->config),
      .started = started,
  };
  config_free(&loop->config);
  loop->config = config;
  arm_poll_timer(loop);
  /* The guard counts on the worker's connection, then recomputes every clock, in batches. */
  pass_worker_replace_rules(loop->worker, rules, &loop->config.reload, loop->pending.id);
  log_info(loop->log, "reload: config applied; the reload guard judges the rules from %s",
           loop->config.rules_directory);
  notify(loop, "STATUS=reload: counting what the new rules would do (the reload guard)");
}

/* The guard's decision on the pending reload (pass_worker.h): an accepted one hands its kits to
 * the letter and mail threads; a refused one keeps the rules in force, and the kits made with
 * them (made again when the letters' settings changed). */
static void finish_reload(struct loop *loop) {
  struct pending_reload pending = loop->pending;
  loop->pending = (struct pending_reload){0};
  metrics_histogram_observe(&loop->reload_seconds, clock_monotonic_seconds() - pending.started);
  if (!loop->snapshot.reload_refused) {
    letter_worker_replace_kit(loop->letters, pending.kit);
    mail_worker_reload(loop->mail, &loop->config, pending.mail_kit);
    report_worker_reload(loop->reports, &loop->config, pending.rules);
    ruleset_release(loop->rules);
    loop->rules = pending.rules;
    loop->reloads++;
    loop->last_reload_success = clock_now(&loop->options->clock);
    loop->reload_refusal[0] = '\0';
    log_info(loop->log, "reload: config and rules from %s swapped in; recomputing clocks",
             loop->config.rules_directory);
    notify(loop, "READY=1\nSTATUS=reloaded; recomputing clocks");
  } else {
    letter_kit_free(pending.kit);
    mail_kit_free(pending.mail_kit);
    ruleset_release(pending.rules);
    struct letter_kit *kit = NULL;
    struct mail_kit *mail_kit = NULL;
    struct error error;
    if (pending.letters_changed &&
        load_kits(&loop->config, loop->rules, &kit, &mail_kit, &error) != STATUS_OK)
      log_error(loop->log,
                "reload: the templates with the rules in force: %s; keeping the old "
                "templates and mail settings",
                error.message);
    else
      mail_worker_reload(loop->mail, &loop->config, mail_kit); /* NULL: its kit stays */
    if (kit != NULL)
      letter_worker_replace_kit(loop->letters, kit);
    report_worker_reload(loop->reports, &loop->config, NULL); /* its rules stay */
    loop->reload_refusals++;
    snprintf(loop->reload_refusal, sizeof loop->reload_refusal, "%s",
             loop->snapshot.reload_refusal);
    char message[400];
    snprintf(message, sizeof message, "READY=1\nSTATUS=%s", loop->reload_refusal);
    notify(loop, message);
  }
  if (loop->reload_again) {
    loop->reload_again = false;
    reload(loop);
  }
}

static void on_hangup(evutil_socket_t fd, short what, void *argument) {
  (void)fd;
  (void)what;
  struct loop *loop = argument;
  if (!loop->stopping)
    reload(loop);
}

static void on_terminate(evutil_socket_t signal_number, short what, void *argument) {
  (void)what;
  struct loop *loop = argument;
  if (loop->stopping)
    return;
  loop->stopping = true;
  log_info(loop->log, "stopping (signal %d): finishing the current transaction",
           (int)signal_number);
  notify(loop, "STOPPING=1\nSTATUS=stopping");
  evtimer_del(loop->due_timer);
  evtimer_del(loop->poll_timer);
  evtimer_del(loop->start_timer); /* stopping has its own timeout */
  listener_free(loop->listener);
  loop->listener = NULL;
  pass_worker_stop(loop->worker); /* the last publish of the three threads ends the loop */
  letter_worker_stop(loop->letters);
  mail_worker_stop(loop->mail);
  report_worker_stop(loop->reports);
}

/* ---- setup and teardown ---- */

static enum status create_events(struct loop *loop, struct error *error) {
  loop->signal_hangup = evsignal_new(loop->base, SIGHUP, on_hangup, loop);
  loop->signal_terminate = evsignal_new(loop->base, SIGTERM, on_terminate, loop);
  loop->signal_interrupt = evsignal_new(loop->base, SIGINT, on_terminate, loop);
  loop->due_timer = evtimer_new(loop->base, on_due_timer, loop);
  loop->poll_timer = event_new(loop->base, -1, EV_PERSIST, on_poll_timer, loop);
  loop->watchdog_timer = event_new(loop->base, -1, EV_PERSIST, on_watchdog_timer, loop);
  loop->start_timer = event_new(loop->base, -1, EV_PERSIST, on_start_timer, loop);
  if (loop->signal_hangup == NULL || loop->signal_terminate == NULL ||
      loop->signal_interrupt == NULL || loop->due_timer == NULL || loop->poll_timer == NULL ||
      loop->watchdog_timer == NULL || loop->start_timer == NULL)
    return error_set(error, STATUS_RUNTIME, "cannot create the loop's events");
  event_add(loop->signal_hangup, NULL);
  event_add(loop->signal_terminate, NULL);
  event_add(loop->signal_interrupt, NULL);
  arm_poll_timer(loop);
  uint64_t watchdog = sdnotify_watchdog_interval();
  if (watchdog > 0) {
    struct timeval interval = {(time_t)(watchdog / 1000000), (suseconds_t)(watchdog % 1000000)};
    event_add(loop->watchdog_timer, &interval);
    log_debug(loop->log, "systemd watchdog: a ping every %.3f s", (double)watchdog / 1e6);
  }
  return STATUS_OK;
}

static void free_event(struct event *event) {
  if (event != NULL)
    event_free(event);
}

static void teardown(struct loop *loop) {
  listener_free(loop->listener);
  pass_worker_free(loop->worker);
  letter_worker_free(loop->letters);
  mail_worker_free(loop->mail);
  report_worker_free(loop->reports);
  http_free(loop->http);
  free_event(loop->signal_hangup);
  free_event(loop->signal_terminate);
  free_event(loop->signal_interrupt);
  free_event(loop->due_timer);
  free_event(loop->poll_timer);
  free_event(loop->watchdog_timer);
  free_event(loop->start_timer);
  if (loop->base != NULL)
    event_base_free(loop->base);
  sdnotify_close(&loop->notify);
  config_free(&loop->config);
  letter_kit_free(loop->pending.kit);
  mail_kit_free(loop->pending.mail_kit);
  ruleset_release(loop->pending.rules);
  ruleset_release(loop->rules);
}

static enum status start_parts(struct loop *loop, struct ruleset *rules, struct letter_kit *kit,
                               struct mail_kit *mail_kit, struct error *error) {
  loop->mail = mail_worker_new(loop->base, &loop->config, mail_kit, &loop->options->clock,
                               loop->log, on_mail_publish, loop, error);
  if (loop->mail == NULL) {
    ruleset_release(rules);
    letter_kit_free(kit);
    return STATUS_RUNTIME;
  }
  loop->reports = report_worker_new(loop->base, &loop->config, rules, &loop->options->clock,
                                    loop->log, on_report_publish, loop, error);
  if (loop->reports == NULL) {
    ruleset_release(rules);
    letter_kit_free(kit);
    return STATUS_RUNTIME;
  }
  if (loop->config.http_enabled) {
    struct http_handlers handlers = {health, metrics};
    enum status status = http_start(loop->base, loop->config.http_address, loop->config.http_port,
                                    &handlers, loop, loop->log, &loop->http, error);
    if (status != STATUS_OK) {
      ruleset_release(rules);
      letter_kit_free(kit);
      return status;
    }
  }
  struct letter_worker_settings lettering = letter_settings(&loop->config);
  loop->letters = letter_worker_new(loop->base, &lettering, kit, &loop->options->clock, loop->log,
                                    on_letter_publish, loop, error);
  if (loop->letters == NULL) {
    ruleset_release(rules);
    return STATUS_RUNTIME;
  }
  struct pass_worker_settings settings = pass_settings(&loop->config);
  loop->worker = pass_worker_new(loop->base, &settings, rules, &loop->options->clock, loop->log,
                                 on_worker_publish, loop, error);
  if (loop->worker == NULL)
    return STATUS_RUNTIME;
  struct listener_settings listening = listener_settings(&loop->config);
  struct listener_callbacks callbacks = {on_listener_ready, on_listener_lost, on_listener_notify,
                                         on_listener_letter};
  loop->listener = listener_new(loop->base, &listening, &callbacks, loop, loop->log);
  if (loop->listener == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  enum status status = pass_worker_start(loop->worker, error);
  if (status == STATUS_OK)
    status = letter_worker_start(loop->letters, error); /* looks at the spool and jobs first */
  if (status == STATUS_OK)
    status = mail_worker_start(loop->mail, error);
  if (status == STATUS_OK)
    status = report_worker_start(loop->reports, error);
  if (status != STATUS_OK)
    return status;
  pass_worker_request(loop->worker);
  listener_start(loop->listener);
  return STATUS_OK;
}

static void log_start(const struct loop *loop) {
  char now[TIMESTAMP_TEXT_SIZE];
  civil_format_timestamp(clock_now(&loop->options->clock), now);
  if (loop->options->clock.simulated)
    log_info(loop->log, "dunghen %s starting; simulated clock at %s, rate %g", DUNGHEN_VERSION, now,
             loop->options->clock.rate);
  else
    log_info(loop->log, "dunghen %s starting", DUNGHEN_VERSION);
  log_info(loop->log, "config %s; rules %s; poll every %d s",
           loop->config.file != NULL ? loop->config.file : "(defaults)",
           loop->config.rules_directory, loop->config.poll_interval);
  log_info(loop->log, "letters: templates %s; spool %s; %s", loop->config.letters_directory,
           loop->config.spool_directory,
           loop->config.true_italic ? "true italic faces (4 embedded)"
                                    : "italics slanted from the upright faces (2 embedded)");
}

enum status loop_run(const struct loop_options *options, struct log *log, struct error *error) {
  struct loop loop = {.options = options, .log = log, .due_at = INT64_MAX};
  loop.snapshot.next_due = INT64_MAX;
  init_histograms(&loop);
  loop.notify.socket = -1;
  enum status status = loop_load_config(options, &loop.config, error);
  if (status != STATUS_OK)
    return status;
  log_set_level(log, loop.config.log_level);
  log_start(&loop);
  struct ruleset *rules = NULL;
  struct letter_kit *kit = NULL;
  struct mail_kit *mail_kit = NULL;
  status = ruleset_load(loop.config.rules_directory, today(&loop), &rules, error);
  if (status == STATUS_OK) {
    for (size_t i = 0; i < rules->rules->warning_count; i++)
      log_warning(log, "rules: %s", rules->rules->warnings[i]);
    /* Before READY=1 can ever be sent: a daemon that cannot render a letter does not start. */
    status = letter_kit_load(
        loop.config.letters_directory, rules,
        &(struct letter_options){loop.config.font_directory, loop.config.true_italic, false}, &kit,
        error);
  }
  /* So is the scheduled report's issuer and roles, and the mail wording when mail is on. */
  if (status == STATUS_OK)
    status = report_worker_check(&loop.config, rules, error);
  if (status == STATUS_OK && loop.config.mail.enabled)
    status = mail_kit_load(loop.config.letters_directory, rules, &mail_kit, error);
  if (status == STATUS_OK)
    status = sdnotify_open(&loop.notify, error);
  if (status == STATUS_OK && evthread_use_pthreads() != 0)
    status = error_set(error, STATUS_RUNTIME, "libevent has no thread support");
  if (status == STATUS_OK && (loop.base = event_base_new()) == NULL)
    status = error_set(error, STATUS_RUNTIME, "cannot create the event loop");
  if (status == STATUS_OK)
    signal(SIGPIPE, SIG_IGN);
  if (status == STATUS_OK)
    status = create_events(&loop, error);
  if (status == STATUS_OK) {
    loop.rules = ruleset_acquire(rules);
    status = start_parts(&loop, rules, kit, mail_kit, error);
    rules = NULL;
    kit = NULL;
    mail_kit = NULL;
  }
  ruleset_release(rules);
  letter_kit_free(kit);
  mail_kit_free(mail_kit);
  if (status == STATUS_OK) {
    struct timeval interval = timeval_from_seconds(START_EXTEND_INTERVAL);
    event_add(loop.start_timer, &interval);
    send_starting_status(&loop);
    event_base_dispatch(loop.base);
    log_info(log, "stopped");
  }
  teardown(&loop);
  return status;
}
