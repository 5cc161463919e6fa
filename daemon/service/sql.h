/*
 * sql.h: small blocking libpq helpers shared by the schema and the passes.
 *
 * Each runs one command and turns a failure into STATUS_RUNTIME with the server's message
 * (one line, prefixed with `what`). Parameters are text. Nothing is kept between calls.
 */
#ifndef DUNGHEN_SQL_H
#define DUNGHEN_SQL_H

#include <libpq-fe.h>
#include <stdint.h>

#include "core/error.h"

/* Runs a command (or several, without parameters) that returns no rows. */
enum status sql_exec(PGconn *connection, const char *what, const char *sql, struct error *error);
/* Runs a query with text parameters; on success *result must be PQclear()ed by the caller. */
enum status sql_query(PGconn *connection, const char *what, const char *sql, int count,
                      const char *const *values, PGresult **result, struct error *error);
/* ROLLBACK when a transaction is open (after a failure); errors are ignored. */
void sql_rollback(PGconn *connection);
/* A notice processor that drops notices (libpq would print them to stderr). */
void sql_ignore_notice(void *argument, const char *message);
/* Field helpers: NULL-aware. */
int64_t sql_integer(const PGresult *result, int row, int column, int64_t if_null);
const char *sql_text(const PGresult *result, int row, int column); /* NULL for SQL NULL */

#endif
