/*
 * server.c: dunghen web's HTTP server (see server.h).
 */
#include "web/server.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/http.h>

#include <inttypes.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>
#include <sys/random.h>
#include <sys/socket.h>
/* After sys/queue.h: the queue of evkeyval uses its TAILQ. */
#include <event2/keyvalq_struct.h>

#include "core/buffer.h"
#include "core/sha256.h"
#include "service/http.h"
#include "service/session.h"
#include "store/web_store.h"
#include "web/html.h"
#include "web/page.h"
#include "web/password.h"

#define SESSION_COOKIE "dunghen_session"
#define HTML_TYPE "text/html; charset=utf-8"

enum {
  TOKEN_BYTES = 32,
  TOKEN_HEX = 2 * TOKEN_BYTES,
  FORM_MAX = 8192, /* a sign-in form: a name and a password */
};

struct web_server {
  struct evhttp *http;
  struct web_server_setup setup;
  const struct web_users *users;
  PGconn *connection; /* NULL after a failure of the world, until the next request reopens it */
  int port;
};

/* One request on its way through the server. */
struct exchange {
  struct web_server *server;
  struct evhttp_request *request;
  const char *path;     /* percent-decoded */
  const char *raw_path; /* as sent, still encoded: what the log shows (no control bytes) */
  char address[64];
  int64_t now;
};

/* ---- answers ---- */

static const char *reason_phrase(int status) {
  switch (status) {
  case 200:
    return "OK";
  case 303:
    return "See Other";
  case 400:
    return "Bad Request";
  case 401:
    return "Unauthorized";
  case 403:
    return "Forbidden";
  case 404:
    return "Not Found";
  case 405:
    return "Method Not Allowed";
  case 429:
    return "Too Many Requests";
  case 503:
    return "Service Unavailable";
  default:
    return status >= 500 ? "Internal Server Error" : "Error";
  }
}

/* The headers every answer carries, the stylesheet's included. */
static void add_security_headers(struct evkeyvalq *headers) {
  evhttp_add_header(headers, "Content-Security-Policy",
                    "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  evhttp_add_header(headers, "X-Content-Type-Options", "nosniff");
  evhttp_add_header(headers, "Referrer-Policy", "no-referrer");
  evhttp_add_header(headers, "X-Frame-Options", "DENY");
  evhttp_add_header(headers, "Cross-Origin-Opener-Policy", "same-origin");
  evhttp_add_header(headers, "Cross-Origin-Resource-Policy", "same-origin");
}

static void send_answer(struct exchange *exchange, int status, const char *content_type,
                        const struct buffer *body) {
  struct evkeyvalq *headers = evhttp_request_get_output_headers(exchange->request);
  add_security_headers(headers);
  if (evhttp_find_header(headers, "Cache-Control") == NULL)
    evhttp_add_header(headers, "Cache-Control", "no-store");
  evhttp_add_header(headers, "Content-Type", content_type);
  struct evbuffer *out = evbuffer_new();
  if (out == NULL || (body != NULL && body->failed)) {
    evbuffer_free(out);
    evhttp_send_error(exchange->request, 500, NULL);
    return;
  }
  if (body != NULL && body->length > 0)
    evbuffer_add(out, body->data, body->length);
  evhttp_send_reply(exchange->request, status, reason_phrase(status), out);
  evbuffer_free(out);
  log_debug(exchange->server->setup.log, "web: %s %d", exchange->raw_path, status);
}

/* A page of one sentence: errors, refusals. */
static void send_message(struct exchange *exchange, int status, const char *title,
                         const char *message) {
  struct buffer body = {0};
  html_begin_plain(&body, title);
  buffer_add(&body, "<h1>");
  html_text(&body, title);
  buffer_add(&body, "</h1>\n<p>");
  html_text(&body, message);
  buffer_add(&body, "</p>\n<p><a href=\"/\">Về trang tổng quan</a></p>\n");
  html_end(&body);
  send_answer(exchange, status, HTML_TYPE, &body);
  buffer_free(&body);
}

static void send_redirect(struct exchange *exchange, const char *location) {
  evhttp_add_header(evhttp_request_get_output_headers(exchange->request), "Location", location);
  send_answer(exchange, 303, "text/plain; charset=utf-8", NULL);
}

static void send_not_found(struct exchange *exchange) {
  send_message(exchange, 404, "Không tìm thấy", "Trang này không tồn tại.");
}

static void send_failure(struct exchange *exchange) {
  send_message(exchange, 500, "Lỗi máy chủ",
               "Máy chủ không trả lời được yêu cầu này. Xin thử lại sau ít phút.");
}

/* ---- the database ---- */

static bool database_ready(struct web_server *server, struct error *error) {
  if (server->connection != NULL)
    return true;
  const struct config *config = server->setup.config;
  int version = 0;
  if (session_open_command(config->web.conninfo, &config->timeouts, "dunghen-web",
                           &server->connection, &version, error) != STATUS_OK) {
    log_lines(server->setup.log, LOG_ERROR, "web: database", error->message);
    return false;
  }
  return true;
}

/* After a failure of the world: log it and start again with a new connection next time. */
static void database_failed(struct web_server *server, const struct error *error) {
  log_lines(server->setup.log, LOG_ERROR, "web", error->message);
  session_close(server->connection);
  server->connection = NULL;
}

/* ---- sessions ---- */

static void token_hash(const char *token, char hash[SHA256_HEX_SIZE]) {
  sha256_hex(token, strlen(token), hash);
}

/* The session cookie's token when it has the shape of one (64 hex digits). */
static bool cookie_token(struct evhttp_request *request, char token[TOKEN_HEX + 1]) {
  const char *cookies = evhttp_find_header(evhttp_request_get_input_headers(request), "Cookie");
  static const char name[] = SESSION_COOKIE "=";
  for (const char *at = cookies; at != NULL && *at != '\0';) {
    while (*at == ' ' || *at == ';')
      at++;
    size_t length = strcspn(at, ";");
    if (strncmp(at, name, sizeof name - 1) == 0 && length == sizeof name - 1 + TOKEN_HEX) {
      const char *value = at + sizeof name - 1;
      bool hex = true;
      for (size_t i = 0; i < TOKEN_HEX; i++)
        hex &= (value[i] >= '0' && value[i] <= '9') || (value[i] >= 'a' && value[i] <= 'f');
      if (hex) {
        memcpy(token, value, TOKEN_HEX);
        token[TOKEN_HEX] = '\0';
        return true;
      }
    }
    at += length;
  }
  return false;
}

static bool new_token(char token[TOKEN_HEX + 1]) {
  unsigned char bytes[TOKEN_BYTES];
  size_t filled = 0;
  while (filled < sizeof bytes) {
    ssize_t got = getrandom(bytes + filled, sizeof bytes - filled, 0);
    if (got <= 0)
      return false;
    filled += (size_t)got;
  }
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < TOKEN_BYTES; i++) {
    token[2 * i] = digits[bytes[i] >> 4];
    token[2 * i + 1] = digits[bytes[i] & 15];
  }
  token[TOKEN_HEX] = '\0';
  explicit_bzero(bytes, sizeof bytes);
  return true;
}

static void set_cookie(struct exchange *exchange, const char *token, int max_age) {
  char cookie[256];
  snprintf(cookie, sizeof cookie,
           SESSION_COOKIE "=%s; Max-Age=%d; Path=/; HttpOnly; Secure; SameSite=Strict", token,
           max_age);
  evhttp_add_header(evhttp_request_get_output_headers(exchange->request), "Set-Cookie", cookie);
}

enum viewer_outcome { VIEWER_FOUND, VIEWER_NONE, VIEWER_REFUSED, VIEWER_FAILED };

/* The signed-in user of the request: by the trusted proxy's header when it is configured and
 * present, else by the session cookie. */
static enum viewer_outcome find_viewer(struct exchange *exchange, const struct web_user **user) {
  struct web_server *server = exchange->server;
  *user = NULL;
  const char *header_name = server->setup.config->web.trusted_header;
  if (header_name != NULL) {
    const char *name =
        evhttp_find_header(evhttp_request_get_input_headers(exchange->request), header_name);
    if (name != NULL) {
      *user = web_user_name_valid(name) ? web_users_find(server->users, name) : NULL;
      if (*user == NULL)
        log_warning(server->setup.log, "web: the proxy's %s names no user of the users file",
                    header_name);
      return *user != NULL ? VIEWER_FOUND : VIEWER_REFUSED;
    }
  }
  char token[TOKEN_HEX + 1];
  if (!cookie_token(exchange->request, token))
    return VIEWER_NONE;
  struct error error;
  error_clear(&error);
  if (!database_ready(server, &error))
    return VIEWER_FAILED;
  char hash[SHA256_HEX_SIZE], name[WEB_STORE_NAME_SIZE];
  token_hash(token, hash);
  bool found = false;
  if (web_session_find(server->connection, hash, exchange->now, &found, name, &error) !=
      STATUS_OK) {
    database_failed(server, &error);
    return VIEWER_FAILED;
  }
  /* A user removed from the users file is signed out, whatever the session says. */
  *user = found ? web_users_find(server->users, name) : NULL;
  return *user != NULL ? VIEWER_FOUND : VIEWER_NONE;
}

/* ---- cross-site requests ---- */

/* The host[:port] of an absolute URL ("https://host:port/path"), into `host`. */
static bool url_host(const char *url, char *host, size_t size) {
  const char *start = strstr(url, "://");
  if (start == NULL)
    return false;
  start += 3;
  size_t length = strcspn(start, "/?#");
  if (length == 0 || length >= size)
    return false;
  memcpy(host, start, length);
  host[length] = '\0';
  return true;
}

/* A POST comes from a page of this server: the browser's Origin (or Referer) names the Host
 * it was sent to, or Sec-Fetch-Site says same-origin, and is never cross-site. Requests without
 * either header (not a browser) pass: the cookie's SameSite=Strict keeps a browser's cross-site
 * POST from carrying a session anyway. */
static bool same_origin(struct evhttp_request *request) {
  struct evkeyvalq *headers = evhttp_request_get_input_headers(request);
  const char *site = evhttp_find_header(headers, "Sec-Fetch-Site");
  if (site != NULL && strcasecmp(site, "cross-site") == 0)
    return false;
  /* A browser's own word that the form is this server's: with `Referrer-Policy: no-referrer`
   * (ours) Chromium sends `Origin: null` and no Referer on a form's POST, so only this header
   * can tell (found by the browser test, tests/e2e/test_web_browser.py). */
  if (site != NULL && strcasecmp(site, "same-origin") == 0)
    return true;
  const char *origin = evhttp_find_header(headers, "Origin");
  const char *source = origin != NULL ? origin : evhttp_find_header(headers, "Referer");
  if (source == NULL)
    return true;
  const char *host = evhttp_find_header(headers, "Host");
  char source_host[256];
  return host != NULL && url_host(source, source_host, sizeof source_host) &&
         strcasecmp(source_host, host) == 0;
}

/* ---- sign-in and sign-out ---- */

static void send_signin_page(struct exchange *exchange, int status, const char *message,
                             const char *user_name) {
  struct buffer body = {0};
  html_begin_plain(&body, "Đăng nhập");
  buffer_add(&body, "<h1>Đăng nhập</h1>\n");
  if (message != NULL) {
    buffer_add(&body, "<p class=\"error\" role=\"alert\">");
    html_text(&body, message);
    buffer_add(&body, "</p>\n");
  }
  buffer_add(&body, "<form class=\"sign-in\" method=\"post\" action=\"/sign-in\">\n"
                    "<label for=\"user\">Tên đăng nhập</label>\n"
                    "<input id=\"user\" name=\"user\" autocomplete=\"username\" required"
                    " value=\"");
  html_attribute(&body, user_name != NULL ? user_name : "");
  buffer_add(&body, "\">\n<label for=\"password\">Mật khẩu</label>\n"
                    "<input id=\"password\" name=\"password\" type=\"password\""
                    " autocomplete=\"current-password\" required>\n"
                    "<button type=\"submit\">Đăng nhập</button>\n</form>\n");
  html_end(&body);
  send_answer(exchange, status, HTML_TYPE, &body);
  buffer_free(&body);
}

/* The form's fields; false when the body is not a form of at most FORM_MAX bytes. */
static bool read_form(struct evhttp_request *request, struct evkeyvalq *fields) {
  struct evbuffer *input = evhttp_request_get_input_buffer(request);
  size_t length = evbuffer_get_length(input);
  if (length > FORM_MAX)
    return false;
  char text[FORM_MAX + 1];
  evbuffer_copyout(input, text, length);
  text[length] = '\0';
  TAILQ_INIT(fields);
  return evhttp_parse_query_str(text, fields) == 0;
}

static const char signin_refused[] = "Tên đăng nhập hoặc mật khẩu không đúng.";
static const char signin_locked[] =
    "Đăng nhập bằng tên này tạm thời bị khóa vì nhập sai nhiều lần. Xin thử lại sau.";

static void sign_in(struct exchange *exchange) {
  struct web_server *server = exchange->server;
  const struct config_web *settings = &server->setup.config->web;
  struct evkeyvalq fields;
  if (!read_form(exchange->request, &fields)) {
    send_signin_page(exchange, 400, "Biểu mẫu đăng nhập không hợp lệ.", NULL);
    return;
  }
  const char *name = evhttp_find_header(&fields, "user");
  const char *password = evhttp_find_header(&fields, "password");
  if (name == NULL || password == NULL || strlen(password) > WEB_PASSWORD_MAX) {
    evhttp_clear_headers(&fields);
    send_signin_page(exchange, 400, "Biểu mẫu đăng nhập không hợp lệ.", NULL);
    return;
  }
  struct error error;
  error_clear(&error);
  if (!web_user_name_valid(name)) {
    /* No user has such a name, so no failure is counted; the check costs what one does. */
    web_password_check(NULL, password);
    send_signin_page(exchange, 401, signin_refused, NULL);
    evhttp_clear_headers(&fields);
    return;
  }
  int64_t failures = 0;
  if (!database_ready(server, &error) ||
      web_signin_failures(server->connection, name, exchange->now, settings->signin_window,
                          &failures, &error) != STATUS_OK) {
    if (server->connection != NULL)
      database_failed(server, &error);
    evhttp_clear_headers(&fields);
    send_failure(exchange);
    return;
  }
  if (failures >= settings->signin_failures) {
    log_warning(server->setup.log,
                "web: sign-in refused: the user name is locked (%" PRId64 " failures from %s)",
                failures, exchange->address);
    send_signin_page(exchange, 429, signin_locked, name);
    evhttp_clear_headers(&fields);
    return;
  }
  const struct web_user *user = web_users_find(server->users, name);
  bool valid = web_password_check(user != NULL ? user->password_hash : NULL, password);
  char token[TOKEN_HEX + 1], hash[SHA256_HEX_SIZE];
  enum status status = STATUS_OK;
  if (!valid) {
    status = web_signin_failure_add(server->connection, name, exchange->address, exchange->now,
                                    settings->signin_window, &error);
  } else if (!new_token(token)) {
    status = error_set(&error, STATUS_RUNTIME, "getrandom failed: no session token");
  } else {
    token_hash(token, hash);
    status = web_signin_failures_clear(server->connection, name, &error);
    if (status == STATUS_OK)
      status = web_session_create(server->connection, hash, name, exchange->address, exchange->now,
                                  exchange->now + settings->session_lifetime, &error);
  }
  if (status != STATUS_OK) {
    database_failed(server, &error);
    send_failure(exchange);
  } else if (!valid) {
    log_info(server->setup.log, "web: failed sign-in from %s", exchange->address);
    send_signin_page(exchange, 401, signin_refused, name);
  } else {
    log_info(server->setup.log, "web: %s signed in from %s", name, exchange->address);
    set_cookie(exchange, token, settings->session_lifetime);
    send_redirect(exchange, "/");
  }
  explicit_bzero(token, sizeof token);
  evhttp_clear_headers(&fields);
}

static void sign_out(struct exchange *exchange) {
  struct web_server *server = exchange->server;
  char token[TOKEN_HEX + 1];
  if (cookie_token(exchange->request, token)) {
    struct error error;
    error_clear(&error);
    char hash[SHA256_HEX_SIZE];
    token_hash(token, hash);
    if (!database_ready(server, &error) ||
        web_session_delete(server->connection, hash, &error) != STATUS_OK) {
      if (server->connection != NULL)
        database_failed(server, &error);
      send_failure(exchange);
      return;
    }
  }
  set_cookie(exchange, "", 0);
  send_redirect(exchange, "/sign-in");
}

/* ---- the pages ---- */

/* /letters/ID/VERSION.pdf with two positive numbers, and nothing else. */
static bool letter_path(const char *rest) {
  size_t id = strspn(rest, "0123456789");
  if (id == 0 || id > 18 || rest[id] != '/')
    return false;
  const char *version = rest + id + 1;
  size_t digits = strspn(version, "0123456789");
  return digits > 0 && digits <= 9 && strcmp(version + digits, ".pdf") == 0 &&
         strtoll(rest, NULL, 10) > 0 && strtol(version, NULL, 10) > 0;
}

/* A dossier code as the path carries it: one segment, printable, not a dot segment. */
static bool dossier_path(const char *rest) {
  if (*rest == '\0' || strcmp(rest, ".") == 0 || strcmp(rest, "..") == 0 ||
      strlen(rest) >= WEB_NAME_SIZE)
    return false;
  for (const unsigned char *c = (const unsigned char *)rest; *c != '\0'; c++)
    if (*c == '/' || *c == '\\' || *c < 0x20 || *c == 0x7f)
      return false;
  return true;
}

static web_page_handler route(const char *path) {
  if (strcmp(path, "/") == 0)
    return web_page_overview;
  if (strcmp(path, "/dossiers") == 0)
    return web_page_dossiers;
  if (strncmp(path, "/dossiers/", 10) == 0)
    return dossier_path(path + 10) ? web_page_dossier : NULL;
  if (strncmp(path, "/letters/", 9) == 0)
    return letter_path(path + 9) ? web_page_letter : NULL;
  if (strcmp(path, "/report") == 0)
    return web_page_report;
  if (strcmp(path, "/rules") == 0)
    return web_page_rules;
  return NULL;
}

/* The query's parameters, decoded, in order; false when the query is malformed. */
static bool read_parameters(struct evhttp_request *request, struct evkeyvalq *query,
                            struct web_parameter **parameters, size_t *count) {
  *parameters = NULL;
  *count = 0;
  TAILQ_INIT(query);
  const char *text = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(request));
  if (text == NULL || *text == '\0')
    return true;
  if (evhttp_parse_query_str(text, query) != 0)
    return false;
  size_t total = 0;
  struct evkeyval *pair;
  TAILQ_FOREACH(pair, query, next)
  total++;
  *parameters = calloc(total, sizeof **parameters);
  if (*parameters == NULL)
    return false;
  TAILQ_FOREACH(pair, query, next) {
    (*parameters)[*count].name = pair->key;
    (*parameters)[*count].value = pair->value;
    (*count)++;
  }
  return true;
}

/* Only [A-Za-z0-9._-] reaches the Content-Disposition header. */
static void add_disposition(struct exchange *exchange, const char *filename) {
  char safe[WEB_NAME_SIZE];
  size_t i = 0;
  for (; filename[i] != '\0' && i + 1 < sizeof safe; i++) {
    char c = filename[i];
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '.' || c == '-' || c == '_';
    safe[i] = plain ? c : '_';
  }
  safe[i] = '\0';
  char header[WEB_NAME_SIZE + 32];
  snprintf(header, sizeof header, "attachment; filename=\"%s\"", safe);
  evhttp_add_header(evhttp_request_get_output_headers(exchange->request), "Content-Disposition",
                    header);
}

static void serve_page(struct exchange *exchange, web_page_handler handler,
                       const struct web_user *user) {
  struct web_server *server = exchange->server;
  struct error error;
  error_clear(&error);
  if (!database_ready(server, &error)) {
    send_message(exchange, 503, "Tạm thời không phục vụ được",
                 "Máy chủ không kết nối được cơ sở dữ liệu. Xin thử lại sau ít phút.");
    return;
  }
  struct evkeyvalq query;
  struct web_parameter *parameters;
  size_t count;
  if (!read_parameters(exchange->request, &query, &parameters, &count)) {
    evhttp_clear_headers(&query);
    free(parameters);
    send_message(exchange, 400, "Yêu cầu không hợp lệ", "Địa chỉ có tham số không hợp lệ.");
    return;
  }
  struct web_viewer viewer = {user->name, user->display_name, user->agency_code};
  struct web_request page_request = {
      .path = exchange->path,
      .parameters = parameters,
      .parameter_count = count,
      .viewer = &viewer,
      .connection = server->connection,
      .rules = server->setup.rules,
      .now = exchange->now,
  };
  struct web_response response = {.status = 200, .content_type = HTML_TYPE};
  enum status status = handler(&page_request, &response, &error);
  bool audited = response.audited_dossier[0] != '\0' || response.audited_letter_id > 0;
  if (status == STATUS_OK && response.status == 200 && audited) {
    /* Personal data is never shown unaudited: the row first, then the body. */
    struct web_audit_entry entry = {
        .user_name = user->name,
        .agency_code = user->agency_code,
        .dossier_code = response.audited_dossier,
        .letter_id = response.audited_letter_id,
        .letter_version = response.audited_letter_version,
        .address = exchange->address,
        .now = exchange->now,
    };
    status = web_audit_add(server->connection, &entry, &error);
  }
  if (status != STATUS_OK) {
    database_failed(server, &error);
    send_failure(exchange);
  } else if (response.status != 200 && response.body.length == 0) {
    if (response.status == 403)
      send_message(exchange, 403, "Không có quyền xem",
                   "Hồ sơ này thuộc cơ quan khác: tài khoản của bạn không xem được.");
    else if (response.status == 404)
      send_not_found(exchange);
    else
      send_message(exchange, response.status, "Yêu cầu không hợp lệ",
                   "Trang không trả lời được yêu cầu này.");
  } else {
    if (response.filename[0] != '\0')
      add_disposition(exchange, response.filename);
    send_answer(exchange, response.status,
                response.content_type != NULL ? response.content_type : HTML_TYPE, &response.body);
  }
  buffer_free(&response.body);
  evhttp_clear_headers(&query);
  free(parameters);
}

/* ---- the request ---- */

static void peer_address(struct evhttp_request *request, char *address, size_t size) {
  char *peer = NULL;
  ev_uint16_t port = 0;
  struct evhttp_connection *connection = evhttp_request_get_connection(request);
  if (connection != NULL)
    evhttp_connection_get_peer(connection, &peer, &port);
  snprintf(address, size, "%s", peer != NULL ? peer : "unknown");
}

static void serve_stylesheet(struct exchange *exchange) {
  struct buffer body = {0};
  buffer_add(&body, html_stylesheet());
  evhttp_add_header(evhttp_request_get_output_headers(exchange->request), "Cache-Control",
                    "max-age=3600");
  send_answer(exchange, 200, "text/css; charset=utf-8", &body);
  buffer_free(&body);
}

static void on_request(struct evhttp_request *request, void *argument) {
  struct exchange exchange = {.server = argument, .request = request, .path = "?", .raw_path = "?"};
  exchange.now = clock_now(exchange.server->setup.clock);
  peer_address(request, exchange.address, sizeof exchange.address);
  enum evhttp_cmd_type method = evhttp_request_get_command(request);
  const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(request);
  const char *raw = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
  if (raw != NULL)
    exchange.raw_path = raw;
  size_t length = 0;
  char *path = raw != NULL ? evhttp_uridecode(raw, 0, &length) : NULL;
  if (path == NULL || path[0] != '/' || strlen(path) != length) {
    free(path);
    send_not_found(&exchange);
    return;
  }
  exchange.path = path;
  bool read = method == EVHTTP_REQ_GET || method == EVHTTP_REQ_HEAD;
  bool post = method == EVHTTP_REQ_POST;
  const struct web_user *user = NULL;
  enum viewer_outcome outcome;
  if (!read && !post) {
    send_message(&exchange, 405, "Yêu cầu không hợp lệ", "Phương thức này không được hỗ trợ.");
  } else if (post && !same_origin(request)) {
    log_warning(exchange.server->setup.log, "web: a cross-site POST from %s refused",
                exchange.address);
    send_message(&exchange, 403, "Yêu cầu bị từ chối", "Yêu cầu này không đến từ trang này.");
  } else if (strcmp(path, "/style.css") == 0) {
    if (read)
      serve_stylesheet(&exchange);
    else
      send_message(&exchange, 405, "Yêu cầu không hợp lệ", "Phương thức này không được hỗ trợ.");
  } else if (strcmp(path, "/sign-in") == 0) {
    if (post)
      sign_in(&exchange);
    else
      send_signin_page(&exchange, 200, NULL, NULL);
  } else if ((outcome = find_viewer(&exchange, &user)) == VIEWER_FAILED) {
    send_failure(&exchange);
  } else if (outcome == VIEWER_REFUSED) {
    send_message(&exchange, 403, "Không có quyền truy cập",
                 "Tài khoản này không có trong danh sách người dùng của Đúng hẹn.");
  } else if (strcmp(path, "/sign-out") == 0) {
    if (post)
      sign_out(&exchange);
    else if (outcome == VIEWER_NONE)
      send_redirect(&exchange, "/sign-in");
    else
      send_message(&exchange, 405, "Yêu cầu không hợp lệ", "Hãy đăng xuất bằng nút Đăng xuất.");
  } else if (outcome == VIEWER_NONE) {
    send_redirect(&exchange, "/sign-in");
  } else {
    web_page_handler handler = route(path);
    if (handler == NULL)
      send_not_found(&exchange);
    else if (!read)
      send_message(&exchange, 405, "Yêu cầu không hợp lệ", "Phương thức này không được hỗ trợ.");
    else
      serve_page(&exchange, handler, user);
  }
  free(path);
}

/* ---- start and stop ---- */

enum status web_server_start(struct event_base *base, const struct web_server_setup *setup,
                             struct web_server **result, struct error *error) {
  *result = NULL;
  struct web_server *server = calloc(1, sizeof *server);
  if (server == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  server->setup = *setup;
  server->users = setup->users;
  const struct config_web *web = &setup->config->web;
  int version = 0;
  enum status status = session_open_command(web->conninfo, &setup->config->timeouts, "dunghen-web",
                                            &server->connection, &version, error);
  if (status != STATUS_OK) {
    free(server);
    return status;
  }
  server->http = evhttp_new(base);
  if (server->http == NULL) {
    web_server_free(server);
    return error_set(error, STATUS_RUNTIME, "cannot create the HTTP server");
  }
  /* Every method reaches on_request, which answers the ones it does not take with 405 and the
   * security headers (evhttp's own 405 has none). */
  evhttp_set_allowed_methods(server->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
                                               EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                               EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
  evhttp_set_timeout(server->http, 30);
  evhttp_set_max_headers_size(server->http, 16384);
  evhttp_set_max_body_size(server->http, FORM_MAX);
  evhttp_set_gencb(server->http, on_request, server);
  struct evhttp_bound_socket *handle =
      evhttp_bind_socket_with_handle(server->http, web->address, (ev_uint16_t)web->port);
  if (handle == NULL) {
    web_server_free(server);
    return error_set(error, STATUS_RUNTIME, "cannot listen for HTTP on %s:%d", web->address,
                     web->port);
  }
  server->port = http_bound_port(handle);
  log_info(setup->log, "web: listening on %s:%d", web->address, server->port);
  *result = server;
  return STATUS_OK;
}

int web_server_port(const struct web_server *server) {
  return server->port;
}

void web_server_set_users(struct web_server *server, const struct web_users *users) {
  server->users = users;
}

void web_server_free(struct web_server *server) {
  if (server == NULL)
    return;
  if (server->http != NULL)
    evhttp_free(server->http);
  session_close(server->connection);
  free(server);
}
