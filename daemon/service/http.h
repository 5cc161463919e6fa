/*
 * http.h: the operator's HTTP endpoint (evhttp, loopback by default), inside the loop.
 *
 *   GET /healthz  200 "ok" when the loop turns and the database is reachable, otherwise
 *                 503 with the reason on one line; 200 with "ok; ..." is healthy with a
 *                 warning that a restart would not cure (e-mail delivery failing)
 *   GET /metrics  Prometheus text format (version 0.0.4)
 *
 * The answers come from the two callbacks, which must not block: they read what the loop and
 * the worker's last snapshot already know. Anything else is 404; methods other than GET and
 * HEAD are refused by evhttp.
 */
#ifndef DUNGHEN_HTTP_H
#define DUNGHEN_HTTP_H

#include <event2/buffer.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "service/log.h"

struct http_handlers {
  /* Fills `reason` (one line) and returns true when healthy. */
  bool (*health)(void *context, char *reason, size_t size);
  void (*metrics)(void *context, struct evbuffer *body);
};

struct http;

/* Binds `address`:`port` (port 0: any free port; http_port() tells which). */
enum status http_start(struct event_base *base, const char *address, int port,
                       const struct http_handlers *handlers, void *context, const struct log *log,
                       struct http **http, struct error *error);
int http_port(const struct http *http);
/* The port a bound socket listens on (bound to port 0: the one the kernel chose); -1 when it
 * cannot be read. dunghen web's server asks it too. */
struct evhttp_bound_socket;
int http_bound_port(struct evhttp_bound_socket *handle);
void http_free(struct http *http);

#endif
