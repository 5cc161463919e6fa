/*
 * server.h: `dunghen web`'s HTTP server (evhttp, inside the caller's event loop): routing to
 * the pages of web/page.h, sign-in, sessions, the audit trail and the security headers.
 *
 *   GET  /style.css          the stylesheet (no session needed)
 *   GET  /sign-in            the sign-in form;  POST /sign-in  signs in (user, password)
 *   POST /sign-out           ends the session here and in the database
 *   GET  the paths of page.h  the pages, for a signed-in viewer only
 * Anything else without a session is a 303 to /sign-in; with one, an unknown path is 404.
 *
 * Every answer carries the Content-Security-Policy (no script at all), nosniff, no-referrer and
 * frame-ancestors 'none'; every answer but the stylesheet is Cache-Control: no-store. A POST
 * whose Origin (or, without one, Referer) names another host, or that the browser marks
 * Sec-Fetch-Site: cross-site, is refused with 403. A page that showed a dossier or a letter is
 * written to dunghen.web_audit before its body is sent; when that fails the answer is 500
 * without the body. A letter is only ever read from the database: the path's two numbers are
 * all the server passes on (anything else under /letters/ is 404).
 *
 * Sessions (store/web_store.h): a random 32-byte token, hex in the cookie (HttpOnly; Secure;
 * SameSite=Strict; Path=/), its sha256 in the database, ending `session_lifetime` seconds after
 * sign-in by the server's clock. Failed sign-ins are counted per user name: `signin_failures`
 * within `signin_window` seconds lock the name for the window, whatever the password, with
 * the same answer whether the user exists or not. With `trusted_header` set, a request that
 * carries that header is signed in as the user it names (who must be in the users file); the
 * proxy in front must set or remove it on every request (docs/WEB.md).
 *
 * The database session is blocking and one per process: a handler runs to the end before the
 * next request is read. After a failure of the world the connection is reopened on the next
 * request. No global state.
 */
#ifndef DUNGHEN_WEB_SERVER_H
#define DUNGHEN_WEB_SERVER_H

#include <event2/event.h>

#include "core/error.h"
#include "rules/ruleset.h"
#include "service/clock.h"
#include "service/config.h"
#include "service/log.h"
#include "web/users.h"

struct web_server;

/* What the server borrows (all must outlive it): the web section and the database settings of
 * the config, the users, the rules the pages read, the clock and the log. */
struct web_server_setup {
  const struct config *config;
  const struct web_users *users;
  const struct ruleset *rules;
  const struct clock *clock;
  const struct log *log;
};

/* Connects to the database (config->web.conninfo) and listens on web.address:web.port (0: any
 * free port, web_server_port() tells which). */
enum status web_server_start(struct event_base *base, const struct web_server_setup *setup,
                             struct web_server **server, struct error *error);
int web_server_port(const struct web_server *server);
/* Swaps the users (a reload); the old list is the caller's to free afterwards. */
void web_server_set_users(struct web_server *server, const struct web_users *users);
void web_server_free(struct web_server *server);

#endif
