/*
 * run.c: the `dunghen web` process: rules, users, signals, the loop (see run.h).
 */
#include "web/run.h"

#include <event2/event.h>
#include <signal.h>
#include <stddef.h>

#include "core/civil.h"
#include "rules/ruleset.h"
#include "service/sdnotify.h"
#include "web/server.h"
#include "web/users.h"

/* What the signal callbacks need. */
struct web_process {
  struct event_base *base;
  struct web_server *server;
  struct web_users users;
  const struct config *config;
  const struct ruleset *rules;
  struct log *log;
};

static void on_stop(evutil_socket_t signal_number, short events, void *argument) {
  struct web_process *process = argument;
  log_info(process->log, "web: stopping (signal %d)", (int)signal_number);
  event_base_loopbreak(process->base);
}

static void on_reload(evutil_socket_t signal_number, short events, void *argument) {
  struct web_process *process = argument;
  struct web_users users;
  struct error error;
  error_clear(&error);
  if (web_users_load(process->config->web.users_file, &process->rules->agencies, &users, &error) !=
      STATUS_OK) {
    log_lines(process->log, LOG_ERROR, "web: the users file was not reloaded", error.message);
    return;
  }
  web_users_free(&process->users);
  process->users = users;
  web_server_set_users(process->server, &process->users);
  log_info(process->log, "web: reloaded %zu users", users.count);
}

static enum status serve(struct web_process *process, const struct clock *clock,
                         struct error *error) {
  struct web_server_setup setup = {
      .config = process->config,
      .users = &process->users,
      .rules = process->rules,
      .clock = clock,
      .log = process->log,
  };
  struct sdnotify notify;
  enum status status = sdnotify_open(&notify, error);
  if (status != STATUS_OK)
    return status;
  process->base = event_base_new();
  if (process->base == NULL) {
    sdnotify_close(&notify);
    return error_set(error, STATUS_RUNTIME, "cannot create the event loop");
  }
  struct event *stop = evsignal_new(process->base, SIGTERM, on_stop, process);
  struct event *interrupt = evsignal_new(process->base, SIGINT, on_stop, process);
  struct event *reload = evsignal_new(process->base, SIGHUP, on_reload, process);
  signal(SIGPIPE, SIG_IGN);
  if (stop == NULL || interrupt == NULL || reload == NULL || event_add(stop, NULL) != 0 ||
      event_add(interrupt, NULL) != 0 || event_add(reload, NULL) != 0)
    status = error_set(error, STATUS_RUNTIME, "cannot watch the signals");
  if (status == STATUS_OK)
    status = web_server_start(process->base, &setup, &process->server, error);
  if (status == STATUS_OK) {
    struct error ignored;
    sdnotify_sendf(&notify, &ignored, "READY=1\nSTATUS=serving on %s:%d",
                   process->config->web.address, web_server_port(process->server));
    event_base_dispatch(process->base);
    sdnotify_send(&notify, "STOPPING=1", &ignored);
  }
  web_server_free(process->server);
  process->server = NULL;
  if (stop != NULL)
    event_free(stop);
  if (interrupt != NULL)
    event_free(interrupt);
  if (reload != NULL)
    event_free(reload);
  event_base_free(process->base);
  sdnotify_close(&notify);
  return status;
}

enum status web_run(const struct config *config, const struct clock *clock, struct log *log,
                    struct error *error) {
  struct ruleset *rules = NULL;
  struct web_process process = {.config = config, .log = log};
  enum status status =
      ruleset_load(config->rules_directory, civil_local_day(clock_now(clock)), &rules, error);
  if (status == STATUS_OK) {
    process.rules = rules;
    status = web_users_load(config->web.users_file, &rules->agencies, &process.users, error);
  }
  if (status == STATUS_OK) {
    log_info(log, "web: %zu users", process.users.count);
    status = serve(&process, clock, error);
  }
  web_users_free(&process.users);
  if (rules != NULL)
    ruleset_release(rules);
  return status;
}
