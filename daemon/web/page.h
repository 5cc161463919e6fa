/*
 * page.h: the seam between `dunghen web`'s server (web/server.c: routing, sign-in, sessions,
 * the audit trail, headers) and its pages (web/page_*.c: one query and one rendering each).
 *
 * The server authenticates the request, decodes path and query, and calls one page handler
 * with the viewer's identity and a read-only database session. The handler decides access for
 * what it shows (an agency's official sees that agency's dossiers and letters only; a viewer
 * whose `agency` is NULL sees all), fills the response and names in it the dossier or letter
 * whose personal data it showed, so the server can write the audit row before it answers.
 * Handlers never write to the database and never read the clock: `now` comes in the request.
 *
 * Status codes a handler may set: 200; 400 for a malformed parameter (the body says which);
 * 403 for a dossier or letter of another agency; 404 for anything that does not exist. The
 * server adds the security headers and the page frame's cookies; a handler sets only what is
 * in struct web_response.
 */
#ifndef DUNGHEN_WEB_PAGE_H
#define DUNGHEN_WEB_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buffer.h"
#include "core/error.h"

struct pg_conn; /* libpq's PGconn; web/ passes it through to store/ without including libpq */
struct ruleset;

/* One decoded query parameter (`?state=overdue&page=2`); repeated names keep their order. */
struct web_parameter {
  const char *name;
  const char *value;
};

/* Who is looking: the signed-in user and the agency they may see (NULL: every agency). */
struct web_viewer {
  const char *user;
  const char *display_name;
  const char *agency_code;
};

struct web_request {
  const char *path; /* percent-decoded, without the query; always starts with '/' */
  const struct web_parameter *parameters;
  size_t parameter_count;
  const struct web_viewer *viewer;
  struct pg_conn *connection; /* the web role's session: SELECT on dunghen's data only */
  const struct ruleset *rules;
  int64_t now; /* Unix seconds */
};

enum { WEB_NAME_SIZE = 256 };

struct web_response {
  int status;
  const char *content_type; /* static string; "text/html; charset=utf-8" for pages */
  struct buffer body;
  /* A download (letter PDF, report CSV/PDF): sent as Content-Disposition attachment. */
  char filename[WEB_NAME_SIZE];
  /* What the page showed that holds personal data, for the audit trail; "" when nothing. */
  char audited_dossier[WEB_NAME_SIZE];
  int64_t audited_letter_id; /* 0 when no letter was downloaded */
  int64_t audited_letter_version;
};

/* A page handler: STATUS_OK with the response filled (any HTTP status), or a failure of the
 * world (STATUS_RUNTIME: the server answers 500 and logs the message, never the body). */
typedef enum status (*web_page_handler)(const struct web_request *request,
                                        struct web_response *response, struct error *error);

/* The first value of parameter `name`, or NULL. */
const char *web_parameter(const struct web_request *request, const char *name);

/* The pages. Paths (the server's routing table, web/server.c, maps them):
 *   GET /                              overview
 *   GET /dossiers?state=&agency=&procedure=&q=&after=   dossier list (keyset: `after`)
 *   GET /dossiers/CODE                 one dossier (audited)
 *   GET /letters/ID/VERSION.pdf        a letter's draft (audited; 404 unless both are numbers)
 *   GET /report?from=&to=&by=&format=html|csv|pdf      the period's report
 *   GET /rules?year=                   calendar grid and procedures */
enum status web_page_overview(const struct web_request *request, struct web_response *response,
                              struct error *error);
enum status web_page_dossiers(const struct web_request *request, struct web_response *response,
                              struct error *error);
enum status web_page_dossier(const struct web_request *request, struct web_response *response,
                             struct error *error);
enum status web_page_letter(const struct web_request *request, struct web_response *response,
                            struct error *error);
enum status web_page_report(const struct web_request *request, struct web_response *response,
                            struct error *error);
enum status web_page_rules(const struct web_request *request, struct web_response *response,
                           struct error *error);

#endif
