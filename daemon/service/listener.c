#include "service/listener.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/notifications.h"

enum listener_state {
  LISTENER_IDLE,        /* waiting for the backoff timer */
  LISTENER_CONNECTING,  /* PQconnectPoll in progress */
  LISTENER_SUBSCRIBING, /* LISTEN sent, waiting for its result */
  LISTENER_READY,
};

enum { PROBLEM_SIZE = 512 };

static const double BACKOFF_FIRST = 0.25;
static const double BACKOFF_LIMIT = 30.0;

struct listener {
  struct event_base *base;
  const struct log *log;
  struct listener_callbacks callbacks;
  void *context;
  char *conninfo;
  int connect_timeout;
  int ping_interval;

  enum listener_state state;
  PGconn *connection;
  struct event *socket_event;   /* recreated for every socket we watch; deleted before PQfinish */
  struct event *retry_timer;    /* backoff between attempts */
  struct event *deadline_timer; /* connect timeout, and ping answer timeout */
  struct event *ping_timer;
  bool ping_outstanding;
  double backoff;
  char problem[PROBLEM_SIZE];
  uint64_t reconnects;
  uint64_t notifications;
  uint64_t letter_notifications;
  int listens_pending; /* LISTEN results still to come while subscribing */
};

static void on_socket(evutil_socket_t fd, short what, void *argument);

static struct timeval seconds_to_timeval(double seconds) {
  time_t whole = (time_t)seconds;
  struct timeval value = {whole, (suseconds_t)((seconds - (double)whole) * 1e6)};
  return value;
}

/* libpq would print server notices on stderr; they belong in our log, at debug. */
static void notice_processor(void *argument, const char *message) {
  const struct listener *listener = argument;
  log_debug(listener->log, "listener: server notice: %s", message);
}

static void set_problem(struct listener *listener, const char *text) {
  snprintf(listener->problem, sizeof listener->problem, "%s", text);
  log_one_line(listener->problem);
}

static void drop_socket_event(struct listener *listener) {
  if (listener->socket_event != NULL) {
    event_del(listener->socket_event);
    event_free(listener->socket_event);
    listener->socket_event = NULL;
  }
}

/* The order matters: the event goes before PQfinish, or it would watch a reused fd number. */
static void close_connection(struct listener *listener) {
  drop_socket_event(listener);
  evtimer_del(listener->deadline_timer);
  evtimer_del(listener->ping_timer);
  listener->ping_outstanding = false;
  if (listener->connection != NULL) {
    PQfinish(listener->connection);
    listener->connection = NULL;
  }
}

static void schedule_retry(struct listener *listener) {
  struct timeval delay = seconds_to_timeval(listener->backoff);
  evtimer_add(listener->retry_timer, &delay);
  listener->backoff *= 2;
  if (listener->backoff > BACKOFF_LIMIT)
    listener->backoff = BACKOFF_LIMIT;
}

static void fail(struct listener *listener, const char *reason) {
  bool was_ready = listener->state == LISTENER_READY;
  set_problem(listener, reason);
  close_connection(listener);
  listener->state = LISTENER_IDLE;
  if (was_ready) {
    listener->reconnects++;
    log_warning(listener->log, "listener: connection lost: %s; reconnecting", listener->problem);
    if (listener->callbacks.on_lost != NULL)
      listener->callbacks.on_lost(listener->context, listener->problem);
  } else {
    log_debug(listener->log, "listener: cannot connect: %s; retrying in %.2f s", listener->problem,
              listener->backoff);
  }
  schedule_retry(listener);
}

static void fail_with_connection_error(struct listener *listener, const char *what) {
  char reason[PROBLEM_SIZE];
  snprintf(reason, sizeof reason, "%s: %s", what,
           listener->connection != NULL ? PQerrorMessage(listener->connection) : "out of memory");
  fail(listener, reason);
}

static void watch_socket(struct listener *listener, short what) {
  drop_socket_event(listener);
  int fd = PQsocket(listener->connection);
  if (fd < 0) {
    fail(listener, "the connection has no socket");
    return;
  }
  listener->socket_event = event_new(listener->base, fd, what, on_socket, listener);
  if (listener->socket_event == NULL || event_add(listener->socket_event, NULL) != 0)
    fail(listener, "cannot watch the database socket");
}

/* Sends a statement of store/notifications.h without blocking; a partly sent one is finished
 * when the socket is writable. */
static bool send_query(struct listener *listener, bool (*send)(PGconn *connection)) {
  if (!send(listener->connection)) {
    fail_with_connection_error(listener, "send");
    return false;
  }
  int flushed = PQflush(listener->connection);
  if (flushed < 0) {
    fail_with_connection_error(listener, "send");
    return false;
  }
  watch_socket(listener, (short)(EV_READ | EV_PERSIST | (flushed == 1 ? EV_WRITE : 0)));
  return listener->state != LISTENER_IDLE;
}

static void arm_deadline(struct listener *listener) {
  struct timeval timeout = {listener->connect_timeout, 0};
  evtimer_add(listener->deadline_timer, &timeout);
}

static void arm_ping(struct listener *listener) {
  struct timeval interval = {listener->ping_interval, 0};
  evtimer_add(listener->ping_timer, &interval);
}

static void subscribed(struct listener *listener) {
  evtimer_del(listener->deadline_timer);
  listener->state = LISTENER_READY;
  listener->backoff = BACKOFF_FIRST;
  listener->problem[0] = '\0';
  arm_ping(listener);
  log_info(listener->log, "listener: listening on %s and %s", NOTIFICATIONS_DOSSIER_CHANNEL,
           NOTIFICATIONS_LETTER_CHANNEL);
  if (listener->callbacks.on_ready != NULL)
    listener->callbacks.on_ready(listener->context);
}

static void connected(struct listener *listener) {
  PQsetNoticeProcessor(listener->connection, notice_processor, listener);
  if (PQsetnonblocking(listener->connection, 1) != 0) {
    fail_with_connection_error(listener, "non-blocking mode");
    return;
  }
  listener->state = LISTENER_SUBSCRIBING;
  /* One query, one implicit transaction: both LISTENs take effect at its commit, which comes
   * before the last result, so `subscribed` waits for that one. */
  listener->listens_pending = NOTIFICATIONS_LISTEN_RESULTS;
  send_query(listener, notifications_send_listen);
}

static void poll_connect(struct listener *listener) {
  switch (PQconnectPoll(listener->connection)) {
  case PGRES_POLLING_READING:
    watch_socket(listener, EV_READ); /* the socket may have changed: re-read it every time */
    break;
  case PGRES_POLLING_WRITING:
    watch_socket(listener, EV_WRITE);
    break;
  case PGRES_POLLING_OK:
    connected(listener);
    break;
  default:
    fail_with_connection_error(listener, "connect");
    break;
  }
}

/* Reads every complete result; false when the connection failed. */
static bool drain_results(struct listener *listener) {
  while (!PQisBusy(listener->connection)) {
    PGresult *result = PQgetResult(listener->connection);
    if (result == NULL)
      return true;
    ExecStatusType status = PQresultStatus(result);
    PQclear(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      fail_with_connection_error(listener,
                                 listener->state == LISTENER_SUBSCRIBING ? "LISTEN" : "ping");
      return false;
    }
    if (listener->state == LISTENER_SUBSCRIBING) {
      if (--listener->listens_pending <= 0)
        subscribed(listener);
    } else if (listener->ping_outstanding) {
      listener->ping_outstanding = false;
      evtimer_del(listener->deadline_timer);
      arm_ping(listener);
    }
  }
  return true;
}

static void deliver_notifications(struct listener *listener) {
  PGnotify *notification;
  while (listener->connection != NULL &&
         (notification = PQnotifies(listener->connection)) != NULL) {
    if (strcmp(notification->relname, NOTIFICATIONS_LETTER_CHANNEL) == 0) {
      listener->letter_notifications++;
      if (listener->callbacks.on_letter != NULL)
        listener->callbacks.on_letter(listener->context, notification->extra);
    } else {
      listener->notifications++;
      if (listener->callbacks.on_notify != NULL)
        listener->callbacks.on_notify(listener->context, notification->extra);
    }
    PQfreemem(notification);
  }
}

static void on_socket(evutil_socket_t fd, short what, void *argument) {
  (void)fd;
  struct listener *listener = argument;
  if (listener->state == LISTENER_CONNECTING) {
    poll_connect(listener);
    return;
  }
  if (what & EV_WRITE) {
    int flushed = PQflush(listener->connection);
    if (flushed < 0) {
      fail_with_connection_error(listener, "send");
      return;
    }
    if (flushed == 0)
      watch_socket(listener, EV_READ | EV_PERSIST);
  }
  if (!(what & EV_READ))
    return;
  if (!PQconsumeInput(listener->connection) || PQstatus(listener->connection) == CONNECTION_BAD) {
    fail_with_connection_error(listener, "read");
    return;
  }
  if (drain_results(listener))
    deliver_notifications(listener);
}

static void start_connecting(struct listener *listener) {
  /* Ours first, the operator's conninfo last: with expand_dbname its settings win. */
  const char *keywords[] = {"application_name",
                            "keepalives",
                            "keepalives_idle",
                            "keepalives_interval",
                            "keepalives_count",
                            "dbname",
                            NULL};
  const char *values[] = {"dunghen-listener", "1", "30", "10", "3", listener->conninfo, NULL};
  if (listener->conninfo == NULL)
    keywords[5] = NULL;
  listener->connection = PQconnectStartParams(keywords, values, 1);
  if (listener->connection == NULL || PQstatus(listener->connection) == CONNECTION_BAD) {
    fail_with_connection_error(listener, "connect");
    return;
  }
  listener->state = LISTENER_CONNECTING;
  arm_deadline(listener);
  poll_connect(listener);
}

static void on_retry(evutil_socket_t fd, short what, void *argument) {
  (void)fd;
  (void)what;
  start_connecting(argument);
}

static void on_deadline(evutil_socket_t fd, short what, void *argument) {
  (void)fd;
  (void)what;
  struct listener *listener = argument;
  char reason[PROBLEM_SIZE];
  snprintf(reason, sizeof reason, "%s got no answer within %d s",
           listener->state == LISTENER_READY ? "the keep-alive query" : "connecting",
           listener->connect_timeout);
  fail(listener, reason);
}

static void on_ping(evutil_socket_t fd, short what, void *argument) {
  (void)fd;
  (void)what;
  struct listener *listener = argument;
  if (listener->state != LISTENER_READY)
    return;
  listener->ping_outstanding = true;
  arm_deadline(listener);
  send_query(listener, notifications_send_ping);
}

static void apply_settings(struct listener *listener, const struct listener_settings *settings) {
  free(listener->conninfo);
  listener->conninfo = settings->conninfo != NULL ? strdup(settings->conninfo) : NULL;
  listener->connect_timeout = settings->connect_timeout > 0 ? settings->connect_timeout : 10;
  listener->ping_interval = settings->ping_interval > 0 ? settings->ping_interval : 30;
}

struct listener *listener_new(struct event_base *base, const struct listener_settings *settings,
                              const struct listener_callbacks *callbacks, void *context,
                              const struct log *log) {
  struct listener *listener = calloc(1, sizeof *listener);
  if (listener == NULL)
    return NULL;
  listener->base = base;
  listener->log = log;
  listener->callbacks = *callbacks;
  listener->context = context;
  listener->backoff = BACKOFF_FIRST;
  apply_settings(listener, settings);
  set_problem(listener, "not connected yet");
  listener->retry_timer = evtimer_new(base, on_retry, listener);
  listener->deadline_timer = evtimer_new(base, on_deadline, listener);
  listener->ping_timer = evtimer_new(base, on_ping, listener);
  if (listener->retry_timer == NULL || listener->deadline_timer == NULL ||
      listener->ping_timer == NULL) {
    listener_free(listener);
    return NULL;
  }
  return listener;
}

void listener_start(struct listener *listener) {
  evtimer_del(listener->retry_timer);
  start_connecting(listener);
}

void listener_restart(struct listener *listener, const struct listener_settings *settings) {
  close_connection(listener);
  evtimer_del(listener->retry_timer);
  listener->state = LISTENER_IDLE;
  listener->backoff = BACKOFF_FIRST;
  apply_settings(listener, settings);
  set_problem(listener, "reconnecting with new settings");
  start_connecting(listener);
}

void listener_free(struct listener *listener) {
  if (listener == NULL)
    return;
  close_connection(listener);
  if (listener->retry_timer != NULL)
    event_free(listener->retry_timer);
  if (listener->deadline_timer != NULL)
    event_free(listener->deadline_timer);
  if (listener->ping_timer != NULL)
    event_free(listener->ping_timer);
  free(listener->conninfo);
  free(listener);
}

bool listener_is_ready(const struct listener *listener) {
  return listener->state == LISTENER_READY;
}

const char *listener_problem(const struct listener *listener) {
  return listener->state == LISTENER_READY ? "" : listener->problem;
}

uint64_t listener_reconnects(const struct listener *listener) {
  return listener->reconnects;
}

uint64_t listener_notifications(const struct listener *listener) {
  return listener->notifications;
}

uint64_t listener_letter_notifications(const struct listener *listener) {
  return listener->letter_notifications;
}
