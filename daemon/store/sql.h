/*
 * sql.h: small blocking libpq helpers shared by every statement of the store.
 *
 * Each runs one command and turns a failure into STATUS_RUNTIME with a message that can leave
 * the process (logs at info and above, /healthz, STATUS=): `what` (the statement's name, such
 * as "reading dossiers"), the SQLSTATE and a generic description of it, never the server's
 * text, which can quote a value from a row (and its DETAIL a whole row). That text goes to the
 * connection's debug log when the shell gave it one (sql_set_log; the store has no log of its
 * own). Errors without a SQLSTATE are libpq's own (the connection broke) and keep libpq's words,
 * on one line. Parameters are text.
 */
#ifndef DUNGHEN_SQL_H
#define DUNGHEN_SQL_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

/* Where the server's texts of failed statements go: a log at debug level, which may be turned
 * on and off while the connection lives. */
struct sql_log {
  bool (*enabled)(const void *context);
  void (*write)(const void *context, const char *what, const char *sqlstate, const char *text);
  const void *context;
};

/* Runs a command (or several, without parameters) that returns no rows. */
enum status sql_exec(PGconn *connection, const char *what, const char *sql, struct error *error);
/* Runs a query with text parameters; on success *result must be PQclear()ed by the caller. */
enum status sql_query(PGconn *connection, const char *what, const char *sql, int count,
                      const char *const *values, PGresult **result, struct error *error);
/* sql_query with the rows in binary format: a bytea comes as its bytes (the stored PDFs), a
 * text column as its text. */
enum status sql_query_binary(PGconn *connection, const char *what, const char *sql, int count,
                             const char *const *values, PGresult **result, struct error *error);
/* A stored PDF is 20-100 KB: a value near this is wrong, not a letter. */
enum { SQL_BYTES_LIMIT = 64 * 1024 * 1024 };
/* A malloc'ed copy of a binary-format bytea field in *bytes and *size, when it is not empty,
 * is under SQL_BYTES_LIMIT and its SHA-256 is the hex `sha256`; otherwise false, with nothing
 * allocated (memory running out included). */
bool sql_checked_bytes(const PGresult *result, int row, int column, const char *sha256,
                       unsigned char **bytes, size_t *size);
/* Fills `error` for a failed `result` (NULL: the connection's error) as described above; for
 * code that drives libpq itself (COPY). */
enum status sql_fail(PGconn *connection, const PGresult *result, const char *what,
                     struct error *error);
/* PostgreSQL's condition name for a SQLSTATE (or its class's), e.g. "invalid datetime format"
 * for 22007. */
const char *sql_state_description(const char *sqlstate);
/* Server texts of failed statements on `connection` go to `log` (copied and kept with the
 * connection until PQfinish; `log->context` must live as long). */
void sql_set_log(PGconn *connection, const struct sql_log *log);
/* ROLLBACK when a transaction is open (after a failure); errors are ignored. */
void sql_rollback(PGconn *connection);
/* A notice processor that drops notices (libpq would print them to stderr). */
void sql_ignore_notice(void *argument, const char *message);
/* Field helpers: NULL-aware. */
int64_t sql_integer(const PGresult *result, int row, int column, int64_t if_null);
const char *sql_text(const PGresult *result, int row, int column); /* NULL for SQL NULL */

#endif
