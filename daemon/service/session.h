/*
 * session.h: the blocking database session of a worker thread (the pass worker, the letter
 * thread), connected one way for all of them.
 *
 * session_connect() connects with application_name "dunghen-NAME" (operators and the fault
 * tests find the session in pg_stat_activity by it), the configured connect timeout and TCP
 * keepalives (so a session whose server vanished is noticed), sends the server's notices to the
 * log at debug level (with the server's texts of failed statements: sql_attach_log), sets the
 * session limits (statement_timeout, lock_timeout, idle_in_transaction_session_timeout) from
 * the config, and checks that the schema is migrated (schema_check). On failure nothing is
 * left open and the error says why. Only the owning thread touches a session.
 *
 * The command-line tools (`once`, `migrate`, `demo`) open a plain connection with
 * session_open(), and the private cluster asks whether its server accepts connections yet
 * with session_server_accepts(): all of libpq's connection handling stays in this module.
 */
#ifndef DUNGHEN_SESSION_H
#define DUNGHEN_SESSION_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "core/error.h"
#include "service/config.h"
#include "service/log.h"

struct session {
  PGconn *connection; /* NULL while disconnected */
  const struct log *log;
  const char *name; /* "worker", "letters": the log prefix and the application name */
};

/* `conninfo` NULL: the PG* environment. */
enum status session_connect(struct session *session, const char *conninfo, int connect_timeout,
                            const struct config_timeouts *timeouts, int *schema_version,
                            struct error *error);
/* SETs the limits of `timeouts` (those not CONFIG_TIMEOUT_SERVER) for the connection's whole
 * life; `dunghen once` calls it on its own connection. */
enum status session_set_timeouts(PGconn *connection, const struct config_timeouts *timeouts,
                                 struct error *error);
void session_disconnect(struct session *session);

/* A plain blocking connection for a command: `conninfo` (a connection string or URI, as
 * PQconnectdb takes it; NULL or "" for the PG* environment) and `application_name` (NULL: libpq's
 * default); server notices dropped when `quiet` (else libpq prints them on stderr). On failure
 * *connection is NULL and the error is libpq's message without its trailing newline (it may span
 * several lines). */
enum status session_open(const char *conninfo, const char *application_name, bool quiet,
                         PGconn **connection, struct error *error);
/* session_open for a one-shot command, then the config's timeouts and the check that the schema
 * is one this version can use (store/schema.h); *version is its migration number. A refusal by
 * the server is prefixed "connect". */
enum status session_open_command(const char *conninfo, const struct config_timeouts *timeouts,
                                 const char *application_name, PGconn **connection, int *version,
                                 struct error *error);
/* PQfinish; NULL is allowed. */
void session_close(PGconn *connection);
/* True when the server of `conninfo` accepts connections now (PQping). */
bool session_server_accepts(const char *conninfo);
/* True when the session has a connection and libpq has found it broken. */
bool session_lost(const struct session *session);

#endif
