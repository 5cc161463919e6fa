#include "service/http.h"

#include <arpa/inet.h>
#include <event2/http.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct http {
  struct evhttp *server;
  struct http_handlers handlers;
  void *context;
  const struct log *log;
  int port;
};

static void reply(struct evhttp_request *request, int code, const char *reason,
                  const char *content_type, struct evbuffer *body) {
  struct evkeyvalq *headers = evhttp_request_get_output_headers(request);
  evhttp_add_header(headers, "Content-Type", content_type);
  evhttp_add_header(headers, "Cache-Control", "no-store");
  evhttp_send_reply(request, code, reason, body);
}

static void on_healthz(struct evhttp_request *request, void *argument) {
  struct http *http = argument;
  char reason[512] = "";
  bool healthy = http->handlers.health(http->context, reason, sizeof reason);
  struct evbuffer *body = evbuffer_new();
  if (body == NULL) {
    evhttp_send_error(request, 500, NULL);
    return;
  }
  /* Healthy with a reason other than "ok" is a warning that needs no restart (mail failing). */
  evbuffer_add_printf(body, "%s\n", healthy && reason[0] == '\0' ? "ok" : reason);
  reply(request, healthy ? 200 : 503, healthy ? "OK" : "Service Unavailable",
        "text/plain; charset=utf-8", body);
  evbuffer_free(body);
}

static void on_metrics(struct evhttp_request *request, void *argument) {
  struct http *http = argument;
  struct evbuffer *body = evbuffer_new();
  if (body == NULL) {
    evhttp_send_error(request, 500, NULL);
    return;
  }
  http->handlers.metrics(http->context, body);
  reply(request, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", body);
  evbuffer_free(body);
}

static void on_other(struct evhttp_request *request, void *argument) {
  (void)argument;
  evhttp_send_error(request, 404, "Not Found");
}

int http_bound_port(struct evhttp_bound_socket *handle) {
  struct sockaddr_storage address;
  socklen_t length = sizeof address;
  if (getsockname(evhttp_bound_socket_get_fd(handle), (struct sockaddr *)&address, &length) != 0)
    return -1;
  if (address.ss_family == AF_INET)
    return ntohs(((struct sockaddr_in *)&address)->sin_port);
  if (address.ss_family == AF_INET6)
    return ntohs(((struct sockaddr_in6 *)&address)->sin6_port);
  return -1;
}

enum status http_start(struct event_base *base, const char *address, int port,
                       const struct http_handlers *handlers, void *context, const struct log *log,
                       struct http **result, struct error *error) {
  *result = NULL;
  struct http *http = calloc(1, sizeof *http);
  if (http == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  http->handlers = *handlers;
  http->context = context;
  http->log = log;
  http->server = evhttp_new(base);
  if (http->server == NULL) {
    free(http);
    return error_set(error, STATUS_RUNTIME, "cannot create the HTTP server");
  }
  evhttp_set_allowed_methods(http->server, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
  evhttp_set_timeout(http->server, 10);
  evhttp_set_max_headers_size(http->server, 8192);
  evhttp_set_max_body_size(http->server, 0);
  evhttp_set_cb(http->server, "/healthz", on_healthz, http);
  evhttp_set_cb(http->server, "/metrics", on_metrics, http);
  evhttp_set_gencb(http->server, on_other, http);
  struct evhttp_bound_socket *handle =
      evhttp_bind_socket_with_handle(http->server, address, (ev_uint16_t)port);
  if (handle == NULL) {
    http_free(http);
    return error_set(error, STATUS_RUNTIME, "cannot listen for HTTP on %s:%d", address, port);
  }
  http->port = http_bound_port(handle);
  log_info(log, "http: listening on %s:%d", address, http->port);
  *result = http;
  return STATUS_OK;
}

int http_port(const struct http *http) {
  return http->port;
}

void http_free(struct http *http) {
  if (http == NULL)
    return;
  if (http->server != NULL)
    evhttp_free(http->server);
  free(http);
}
