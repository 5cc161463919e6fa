#include "service/pass_partner.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "service/session.h"

struct pass_partner {
  struct pass_context context; /* the worker's, with this partner's connection */
  struct session session;
  char name[32];
  struct pass_report report;
  struct error error;
  enum status status;
  pthread_t thread;
  bool started;
};

struct pass_partners {
  const struct log *log;
  size_t count;
  struct pass_partner partners[PASS_PARTNERS_MAX];
};

static void *run_partner(void *argument) {
  struct pass_partner *partner = argument;
  partner->status = pass_run(&partner->context, &partner->report, &partner->error);
  return NULL;
}

static bool start_partner(struct pass_partner *partner, const struct pass_context *context,
                          const struct pass_partner_settings *settings, const struct log *log) {
  partner->session.log = log;
  partner->session.name = partner->name;
  struct error error;
  int version;
  if (session_connect(&partner->session, settings->conninfo, settings->connect_timeout,
                      settings->timeouts, &version, &error) != STATUS_OK) {
    log_message(log, LOG_WARNING, "first pass: a partner session could not start (%s)",
                error.message);
    return false;
  }
  partner->context = *context;
  partner->context.connection = partner->session.connection;
  if (pthread_create(&partner->thread, NULL, run_partner, partner) != 0) {
    log_message(log, LOG_WARNING, "first pass: a partner thread could not start");
    session_disconnect(&partner->session);
    return false;
  }
  partner->started = true;
  return true;
}

struct pass_partners *pass_partners_start(const struct pass_context *context,
                                          const struct pass_partner_settings *settings,
                                          const struct log *log) {
  size_t wanted = settings->count < PASS_PARTNERS_MAX ? settings->count : PASS_PARTNERS_MAX;
  if (wanted == 0)
    return NULL;
  struct pass_partners *partners = calloc(1, sizeof *partners);
  if (partners == NULL)
    return NULL;
  partners->log = log;
  for (size_t i = 0; i < wanted; i++) {
    struct pass_partner *partner = &partners->partners[partners->count];
    snprintf(partner->name, sizeof partner->name, "first-pass-%zu", i + 1);
    if (start_partner(partner, context, settings, log))
      partners->count++;
  }
  if (partners->count == 0) {
    free(partners);
    return NULL;
  }
  return partners;
}

void pass_partners_finish(struct pass_partners *partners, struct pass_report *report) {
  if (partners == NULL)
    return;
  for (size_t i = 0; i < partners->count; i++) {
    struct pass_partner *partner = &partners->partners[i];
    pthread_join(partner->thread, NULL);
    /* A partner's failure loses nothing: its range rolled back and is taken again by the
     * worker's session, now or at its next pass; a failure that matters (the source view, the
     * server) fails the worker's own pass too, which reports it as the worker's problem. */
    if (partner->status != STATUS_OK)
      log_message(partners->log, LOG_DEBUG, "first pass: %s stopped: %s", partner->name,
                  partner->error.message);
    else {
      log_message(partners->log, partner->report.ranges > 0 ? LOG_INFO : LOG_DEBUG,
                  "first pass: %s wrote %zu ranges", partner->name, partner->report.ranges);
      pass_report_add(report, &partner->report);
    }
    session_disconnect(&partner->session);
  }
  free(partners);
}
