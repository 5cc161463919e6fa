/*
 * sql.c: blocking libpq helpers (see sql.h).
 */
#include "service/sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The server's message on one line, without libpq's trailing newline. */
static enum status fail(PGconn *connection, const PGresult *result, const char *what,
                        struct error *error) {
  const char *message = result != NULL ? PQresultErrorMessage(result) : "";
  if (message == NULL || *message == '\0')
    message = PQerrorMessage(connection);
  char line[ERROR_MESSAGE_SIZE];
  snprintf(line, sizeof line, "%s", message != NULL ? message : "unknown error");
  for (char *cursor = line; *cursor != '\0'; cursor++)
    if (*cursor == '\n')
      *cursor = cursor[1] == '\0' ? '\0' : ' ';
  return error_set(error, STATUS_RUNTIME, "%s: %s", what, line);
}

enum status sql_exec(PGconn *connection, const char *what, const char *sql, struct error *error) {
  PGresult *result = PQexec(connection, sql);
  ExecStatusType kind = PQresultStatus(result);
  enum status status = STATUS_OK;
  if (kind != PGRES_COMMAND_OK && kind != PGRES_TUPLES_OK)
    status = fail(connection, result, what, error);
  PQclear(result);
  return status;
}

enum status sql_query(PGconn *connection, const char *what, const char *sql, int count,
                      const char *const *values, PGresult **result, struct error *error) {
  *result = PQexecParams(connection, sql, count, NULL, values, NULL, NULL, 0);
  ExecStatusType kind = PQresultStatus(*result);
  if (kind == PGRES_TUPLES_OK || kind == PGRES_COMMAND_OK)
    return STATUS_OK;
  enum status status = fail(connection, *result, what, error);
  PQclear(*result);
  *result = NULL;
  return status;
}

void sql_rollback(PGconn *connection) {
  if (PQtransactionStatus(connection) == PQTRANS_IDLE ||
      PQtransactionStatus(connection) == PQTRANS_UNKNOWN)
    return;
  PQclear(PQexec(connection, "ROLLBACK"));
}

void sql_ignore_notice(void *argument, const char *message) {
  (void)argument;
  (void)message;
}

int64_t sql_integer(const PGresult *result, int row, int column, int64_t if_null) {
  if (PQgetisnull(result, row, column))
    return if_null;
  return strtoll(PQgetvalue(result, row, column), NULL, 10);
}

const char *sql_text(const PGresult *result, int row, int column) {
  return PQgetisnull(result, row, column) ? NULL : PQgetvalue(result, row, column);
}
