/*
 * listener.h: the asynchronous LISTEN connection inside the libevent loop.
 *
 * Connects with PQconnectStartParams/PQconnectPoll (re-reading PQsocket after every poll, with
 * its own connect timeout), subscribes to dunghen_dossier and dunghen_letter (the statements
 * are store/notifications.h's), and then hands every notification to the callback of its
 * channel. A keep-alive query every `ping_interval` seconds (plus TCP keepalives on TCP
 * connections) notices a dead peer; a ping unanswered within the connect timeout counts as a
 * lost connection. On any failure the socket's event is deleted before PQfinish, and the next
 * attempt waits with exponential backoff (0.25 s doubling to 30 s, reset once connected).
 * `on_ready` runs after every successful LISTEN, so the caller can catch up on what it missed
 * while disconnected (NOTIFY is only a hint). Never blocks.
 */
#ifndef DUNGHEN_LISTENER_H
#define DUNGHEN_LISTENER_H

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

#include "service/log.h"

struct listener_callbacks {
  void (*on_ready)(void *context);                       /* LISTEN is active */
  void (*on_lost)(void *context, const char *reason);    /* the connection went away */
  void (*on_notify)(void *context, const char *payload); /* a dunghen_dossier NOTIFY */
  void (*on_letter)(void *context, const char *payload); /* a dunghen_letter NOTIFY */
};

struct listener_settings {
  const char *conninfo; /* NULL: the PG* environment */
  int connect_timeout;  /* seconds */
  int ping_interval;    /* seconds */
};

struct listener;

struct listener *listener_new(struct event_base *base, const struct listener_settings *settings,
                              const struct listener_callbacks *callbacks, void *context,
                              const struct log *log);
/* Starts connecting (now). */
void listener_start(struct listener *listener);
/* Drops the connection and reconnects with new settings (a reload changed them). */
void listener_restart(struct listener *listener, const struct listener_settings *settings);
void listener_free(struct listener *listener);

bool listener_is_ready(const struct listener *listener);
/* Why it is not ready ("connecting", or the last error); "" when ready. */
const char *listener_problem(const struct listener *listener);
/* Connections lost after having been ready. */
uint64_t listener_reconnects(const struct listener *listener);
uint64_t listener_notifications(const struct listener *listener);
/* dunghen_letter notifications heard. */
uint64_t listener_letter_notifications(const struct listener *listener);

#endif
