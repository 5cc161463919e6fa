/*
 * web_store.c: dunghen web's sessions, failed sign-ins and audit rows (see web_store.h).
 */
#include "store/web_store.h"

#include <inttypes.h>
#include <stdio.h>

#include "store/sql.h"

enum { NUMBER_SIZE = 24 };

enum status web_session_create(PGconn *connection, const char *token_sha256, const char *user_name,
                               const char *address, int64_t now, int64_t expires_at,
                               struct error *error) {
  char now_text[NUMBER_SIZE], expires_text[NUMBER_SIZE];
  snprintf(now_text, sizeof now_text, "%" PRId64, now);
  snprintf(expires_text, sizeof expires_text, "%" PRId64, expires_at);
  const char *values[] = {token_sha256, user_name, address, now_text, expires_text};
  PGresult *result = NULL;
  enum status status = sql_query(
      connection, "recording a web session",
      "WITH expired AS (DELETE FROM dunghen.web_session WHERE expires_at <= to_timestamp($4))"
      " INSERT INTO dunghen.web_session (token_sha256, user_name, address, created_at, expires_at)"
      " VALUES ($1, $2, $3, to_timestamp($4), to_timestamp($5))",
      5, values, &result, error);
  PQclear(result);
  return status;
}

enum status web_session_find(PGconn *connection, const char *token_sha256, int64_t now, bool *found,
                             char user_name[WEB_STORE_NAME_SIZE], struct error *error) {
  *found = false;
  user_name[0] = '\0';
  char now_text[NUMBER_SIZE];
  snprintf(now_text, sizeof now_text, "%" PRId64, now);
  const char *values[] = {token_sha256, now_text};
  PGresult *result = NULL;
  enum status status = sql_query(connection, "reading a web session",
                                 "SELECT user_name FROM dunghen.web_session"
                                 " WHERE token_sha256 = $1 AND expires_at > to_timestamp($2)",
                                 2, values, &result, error);
  if (status == STATUS_OK && PQntuples(result) == 1) {
    *found = true;
    snprintf(user_name, WEB_STORE_NAME_SIZE, "%s", PQgetvalue(result, 0, 0));
  }
  PQclear(result);
  return status;
}

enum status web_session_delete(PGconn *connection, const char *token_sha256, struct error *error) {
  const char *values[] = {token_sha256};
  PGresult *result = NULL;
  enum status status = sql_query(connection, "ending a web session",
                                 "DELETE FROM dunghen.web_session WHERE token_sha256 = $1", 1,
                                 values, &result, error);
  PQclear(result);
  return status;
}

enum status web_signin_failures(PGconn *connection, const char *user_name, int64_t now,
                                int64_t window, int64_t *count, struct error *error) {
  *count = 0;
  char now_text[NUMBER_SIZE], window_text[NUMBER_SIZE];
  snprintf(now_text, sizeof now_text, "%" PRId64, now);
  snprintf(window_text, sizeof window_text, "%" PRId64, window);
  const char *values[] = {user_name, now_text, window_text};
  PGresult *result = NULL;
  enum status status = sql_query(
      connection, "counting failed sign-ins",
      "SELECT count(*) FROM dunghen.web_signin_failure WHERE user_name = $1"
      " AND failed_at > to_timestamp($2::bigint - $3::bigint) AND failed_at <= to_timestamp($2)",
      3, values, &result, error);
  if (status == STATUS_OK)
    *count = sql_integer(result, 0, 0, 0);
  PQclear(result);
  return status;
}

enum status web_signin_failure_add(PGconn *connection, const char *user_name, const char *address,
                                   int64_t now, int64_t window, struct error *error) {
  char now_text[NUMBER_SIZE], window_text[NUMBER_SIZE];
  snprintf(now_text, sizeof now_text, "%" PRId64, now);
  snprintf(window_text, sizeof window_text, "%" PRId64, window);
  const char *values[] = {user_name, address, now_text, window_text};
  PGresult *result = NULL;
  enum status status =
      sql_query(connection, "recording a failed sign-in",
                "WITH old AS (DELETE FROM dunghen.web_signin_failure"
                "  WHERE failed_at <= to_timestamp($3::bigint - $4::bigint))"
                " INSERT INTO dunghen.web_signin_failure (user_name, address, failed_at)"
                " VALUES ($1, $2, to_timestamp($3))",
                4, values, &result, error);
  PQclear(result);
  return status;
}

enum status web_signin_failures_clear(PGconn *connection, const char *user_name,
                                      struct error *error) {
  const char *values[] = {user_name};
  PGresult *result = NULL;
  enum status status = sql_query(connection, "forgetting failed sign-ins",
                                 "DELETE FROM dunghen.web_signin_failure WHERE user_name = $1", 1,
                                 values, &result, error);
  PQclear(result);
  return status;
}

enum status web_audit_add(PGconn *connection, const struct web_audit_entry *entry,
                          struct error *error) {
  char now_text[NUMBER_SIZE], letter_text[NUMBER_SIZE], version_text[NUMBER_SIZE];
  snprintf(now_text, sizeof now_text, "%" PRId64, entry->now);
  snprintf(letter_text, sizeof letter_text, "%" PRId64, entry->letter_id);
  snprintf(version_text, sizeof version_text, "%" PRId64, entry->letter_version);
  bool has_letter = entry->letter_id > 0;
  bool has_dossier = entry->dossier_code != NULL && entry->dossier_code[0] != '\0';
  const char *values[] = {now_text,
                          entry->user_name,
                          entry->agency_code,
                          has_dossier ? entry->dossier_code : NULL,
                          has_letter ? letter_text : NULL,
                          has_letter ? version_text : NULL,
                          entry->address};
  PGresult *result = NULL;
  enum status status =
      sql_query(connection, "recording a view in the audit trail",
                "INSERT INTO dunghen.web_audit (viewed_at, user_name, agency_code, dossier_code,"
                " letter_id, letter_version, address)"
                " VALUES (to_timestamp($1), $2, $3, $4, $5::bigint, $6::integer, $7)",
                7, values, &result, error);
  PQclear(result);
  return status;
}
