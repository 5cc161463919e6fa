/*
 * sql.c: blocking libpq helpers (see sql.h).
 */
#include "store/sql.h"

#include <libpq-events.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"

/*
 * What a SQLSTATE means, in words that can leave the process: PostgreSQL's condition names
 * (Appendix A of its manual) for the codes dunghen can meet, then the classes. The server's own
 * text is never used here: its primary message can quote a value (`invalid input syntax for
 * type timestamp with time zone: "..."`) and its DETAIL a whole row.
 */
struct sql_state_word {
  const char *code; /* five characters, or two for a class */
  const char *text;
};

static const struct sql_state_word CONDITIONS[] = {
    {"08000", "connection exception"},
    {"08003", "connection does not exist"},
    {"08006", "connection failure"},
    {"0A000", "feature not supported"},
    {"21000", "cardinality violation (a subquery returned more than one row)"},
    {"22001", "string data right truncation"},
    {"22003", "numeric value out of range"},
    {"22004", "null value not allowed"},
    {"22007", "invalid datetime format"},
    {"22008", "datetime field overflow"},
    {"22012", "division by zero"},
    {"22021", "character not in repertoire"},
    {"22023", "invalid parameter value"},
    {"22P02", "invalid text representation"},
    {"22P05", "untranslatable character"},
    {"23502", "not-null violation"},
    {"23503", "foreign key violation"},
    {"23505", "unique violation"},
    {"23514", "check violation"},
    {"25P02", "in failed transaction"},
    {"25P03", "idle-in-transaction session timeout"},
    {"28000", "invalid authorization specification"},
    {"28P01", "invalid password"},
    {"3D000", "invalid catalog name (no such database)"},
    {"3F000", "invalid schema name"},
    {"40001", "serialization failure"},
    {"40P01", "deadlock detected"},
    {"42501", "insufficient privilege"},
    {"42601", "syntax error"},
    {"42703", "undefined column"},
    {"42804", "datatype mismatch"},
    {"42809", "wrong object type"},
    {"42883", "undefined function"},
    {"42P01", "undefined table"},
    {"53100", "disk full"},
    {"53200", "out of memory"},
    {"53300", "too many connections"},
    {"54000", "program limit exceeded"},
    {"55P03", "lock not available (lock_timeout)"},
    {"57014", "query canceled (statement_timeout or a cancel request)"},
    {"57P01", "admin shutdown"},
    {"57P02", "crash shutdown"},
    {"57P03", "cannot connect now"},
    {"58030", "I/O error"},
    {"XX000", "internal error"},
    {"XX001", "data corrupted"},
    {"XX002", "index corrupted"},
};

static const struct sql_state_word CLASSES[] = {
    {"08", "connection exception"},
    {"0A", "feature not supported"},
    {"22", "data exception"},
    {"23", "integrity constraint violation"},
    {"25", "invalid transaction state"},
    {"28", "invalid authorization specification"},
    {"2B", "dependent privilege descriptors still exist"},
    {"39", "external routine invocation exception"},
    {"3D", "invalid catalog name"},
    {"3F", "invalid schema name"},
    {"40", "transaction rollback"},
    {"42", "syntax error or access rule violation"},
    {"53", "insufficient resources"},
    {"54", "program limit exceeded"},
    {"55", "object not in prerequisite state"},
    {"57", "operator intervention"},
    {"58", "system error"},
    {"F0", "configuration file error"},
    {"P0", "PL/pgSQL error"},
    {"XX", "internal error"},
};

const char *sql_state_description(const char *sqlstate) {
  if (sqlstate == NULL || strlen(sqlstate) != 5)
    return "unknown error";
  for (size_t i = 0; i < sizeof CONDITIONS / sizeof CONDITIONS[0]; i++)
    if (strcmp(CONDITIONS[i].code, sqlstate) == 0)
      return CONDITIONS[i].text;
  for (size_t i = 0; i < sizeof CLASSES / sizeof CLASSES[0]; i++)
    if (strncmp(CLASSES[i].code, sqlstate, 2) == 0)
      return CLASSES[i].text;
  return "error";
}

/* The event procedure that keys the log kept as the connection's instance data (sql_set_log),
 * since libpq keeps no other per-connection pointer for us, and frees it with the connection. */
static int log_key(PGEventId event, void *information, void *pass_through) {
  (void)pass_through;
  if (event == PGEVT_CONNDESTROY) {
    PGconn *connection = ((PGEventConnDestroy *)information)->conn;
    free(PQinstanceData(connection, log_key));
  }
  return 1;
}

void sql_set_log(PGconn *connection, const struct sql_log *log) {
  if (connection == NULL)
    return;
  struct sql_log *copy = malloc(sizeof *copy);
  if (copy == NULL)
    return; /* the server's texts are dropped: the messages say nothing of them */
  *copy = *log;
  struct sql_log *previous = PQinstanceData(connection, log_key);
  if (previous == NULL && !PQregisterEventProc(connection, log_key, "dunghen-log", NULL)) {
    free(copy);
    return;
  }
  if (!PQsetInstanceData(connection, log_key, copy)) {
    free(copy);
    return;
  }
  free(previous);
}

/* libpq's own text (which can span lines) on one line: whitespace runs become one space. The
 * shell's log_one_line does the same for log lines; the store may not use the shell. */
static void one_line(char *text) {
  char *out = text;
  bool space = false;
  for (const char *in = text; *in != '\0'; in++) {
    if (*in == ' ' || *in == '\n' || *in == '\t' || *in == '\r') {
      space = out != text;
      continue;
    }
    if (space)
      *out++ = ' ';
    space = false;
    *out++ = *in;
  }
  *out = '\0';
}

enum status sql_fail(PGconn *connection, const PGresult *result, const char *what,
                     struct error *error) {
  const char *message = result != NULL ? PQresultErrorMessage(result) : "";
  if (message == NULL || *message == '\0')
    message = connection != NULL ? PQerrorMessage(connection) : "";
  const char *sqlstate = result != NULL ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
  if (sqlstate == NULL || *sqlstate == '\0') {
    /* libpq's own text (the connection broke, out of memory): it carries no row data. */
    char line[ERROR_MESSAGE_SIZE];
    snprintf(line, sizeof line, "%s", *message != '\0' ? message : "unknown error");
    one_line(line);
    return error_set(error, STATUS_RUNTIME, "%s: %s", what, line);
  }
  const struct sql_log *log = connection != NULL ? PQinstanceData(connection, log_key) : NULL;
  if (log == NULL)
    return error_set(error, STATUS_RUNTIME, "%s: SQLSTATE %s (%s)", what, sqlstate,
                     sql_state_description(sqlstate));
  if (log->enabled(log->context))
    log->write(log->context, what, sqlstate, message);
  return error_set(error, STATUS_RUNTIME,
                   "%s: SQLSTATE %s (%s; the server's text at log level debug)", what, sqlstate,
                   sql_state_description(sqlstate));
}

enum status sql_exec(PGconn *connection, const char *what, const char *sql, struct error *error) {
  PGresult *result = PQexec(connection, sql);
  ExecStatusType kind = PQresultStatus(result);
  enum status status = STATUS_OK;
  if (kind != PGRES_COMMAND_OK && kind != PGRES_TUPLES_OK)
    status = sql_fail(connection, result, what, error);
  PQclear(result);
  return status;
}

static enum status run_query(PGconn *connection, const char *what, const char *sql, int count,
                             const char *const *values, int format, PGresult **result,
                             struct error *error) {
  *result = PQexecParams(connection, sql, count, NULL, values, NULL, NULL, format);
  ExecStatusType kind = PQresultStatus(*result);
  if (kind == PGRES_TUPLES_OK || kind == PGRES_COMMAND_OK)
    return STATUS_OK;
  enum status status = sql_fail(connection, *result, what, error);
  PQclear(*result);
  *result = NULL;
  return status;
}

enum status sql_query(PGconn *connection, const char *what, const char *sql, int count,
                      const char *const *values, PGresult **result, struct error *error) {
  return run_query(connection, what, sql, count, values, 0, result, error);
}

enum status sql_query_binary(PGconn *connection, const char *what, const char *sql, int count,
                             const char *const *values, PGresult **result, struct error *error) {
  return run_query(connection, what, sql, count, values, 1, result, error);
}

bool sql_checked_bytes(const PGresult *result, int row, int column, const char *sha256,
                       unsigned char **bytes, size_t *size) {
  *bytes = NULL;
  *size = 0;
  int length = PQgetlength(result, row, column);
  if (sha256 == NULL || length <= 0 || length >= SQL_BYTES_LIMIT)
    return false;
  unsigned char *data = malloc((size_t)length);
  if (data == NULL)
    return false;
  memcpy(data, PQgetvalue(result, row, column), (size_t)length);
  char hex[SHA256_HEX_SIZE];
  sha256_hex(data, (size_t)length, hex);
  if (strcmp(hex, sha256) != 0) {
    free(data);
    return false;
  }
  *bytes = data;
  *size = (size_t)length;
  return true;
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
