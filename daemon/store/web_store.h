/*
 * web_store.h: what `dunghen web` writes (migration 11): its sessions, its failed sign-ins and
 * its audit trail, each one short statement on the web role's connection. Blocking libpq.
 *
 * Sessions are found by the sha256 of their token (hex); one whose expires_at is not after
 * `now` does not exist for web_session_find. Sign-in failures are counted per user name within
 * a window ending at `now`. Times are Unix seconds from the web process's clock. Errors name
 * the statement and never its values (sql.h).
 */
#ifndef DUNGHEN_WEB_STORE_H
#define DUNGHEN_WEB_STORE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum { WEB_STORE_NAME_SIZE = 256 };

/* Records a new session (and deletes every expired one, so the table stays small). */
enum status web_session_create(PGconn *connection, const char *token_sha256, const char *user_name,
                               const char *address, int64_t now, int64_t expires_at,
                               struct error *error);
/* *found, and the session's user name into `user_name`, when a live session has the hash. */
enum status web_session_find(PGconn *connection, const char *token_sha256, int64_t now, bool *found,
                             char user_name[WEB_STORE_NAME_SIZE], struct error *error);
/* Ends the session now (sign-out); nothing happens when there is none. */
enum status web_session_delete(PGconn *connection, const char *token_sha256, struct error *error);

/* The failed sign-ins of `user_name` in (now - window, now]. */
enum status web_signin_failures(PGconn *connection, const char *user_name, int64_t now,
                                int64_t window, int64_t *count, struct error *error);
/* Records one failure (and deletes those older than `window`, which no count reads again). */
enum status web_signin_failure_add(PGconn *connection, const char *user_name, const char *address,
                                   int64_t now, int64_t window, struct error *error);
/* A successful sign-in forgets the user name's failures. */
enum status web_signin_failures_clear(PGconn *connection, const char *user_name,
                                      struct error *error);

/* One row of the audit trail: a dossier shown (`dossier_code`, letter_id 0) or a letter
 * downloaded (letter_id and version; `dossier_code` may be NULL or ""). */
struct web_audit_entry {
  const char *user_name;
  const char *agency_code; /* NULL: the provincial office */
  const char *dossier_code;
  int64_t letter_id;
  int64_t letter_version;
  const char *address;
  int64_t now;
};
enum status web_audit_add(PGconn *connection, const struct web_audit_entry *entry,
                          struct error *error);

#endif
