#include "service/session.h"

#include <stdio.h>
#include <string.h>

#include "service/sql_log.h"
#include "store/schema.h"
#include "store/session_limits.h"
#include "store/sql.h"

static void notice_processor(void *argument, const char *message) {
  const struct session *session = argument;
  log_debug(session->log, "%s: server notice: %s", session->name, message);
}

void session_disconnect(struct session *session) {
  if (session->connection != NULL)
    PQfinish(session->connection);
  session->connection = NULL;
}

bool session_lost(const struct session *session) {
  return session->connection != NULL && PQstatus(session->connection) == CONNECTION_BAD;
}

enum status session_set_timeouts(PGconn *connection, const struct config_timeouts *timeouts,
                                 struct error *error) {
  const int seconds[] = {timeouts->statement, timeouts->lock, timeouts->idle_in_transaction};
  int kept[3];
  for (size_t i = 0; i < 3; i++)
    kept[i] = seconds[i] == CONFIG_TIMEOUT_SERVER ? SESSION_LIMIT_KEEP : seconds[i];
  struct session_limits limits = {kept[0], kept[1], kept[2]};
  return session_limits_set(connection, &limits, error);
}

/* libpq's message without its trailing newlines. */
static enum status libpq_error(const char *message, struct error *error) {
  error_set(error, STATUS_RUNTIME, "%s", message);
  size_t length = strlen(error->message);
  while (length > 0 && error->message[length - 1] == '\n')
    error->message[--length] = '\0';
  return STATUS_RUNTIME;
}

enum status session_open(const char *conninfo, const char *application_name, bool quiet,
                         PGconn **connection, struct error *error) {
  *connection = NULL;
  if (conninfo != NULL && *conninfo != '\0') {
    /* A connection string, never a bare database name that expand_dbname would accept. */
    char *message = NULL;
    PQconninfoOption *options = PQconninfoParse(conninfo, &message);
    if (options == NULL) {
      libpq_error(message != NULL ? message : "out of memory", error);
      PQfreemem(message);
      return STATUS_RUNTIME;
    }
    PQconninfoFree(options);
  }
  /* Ours first, the operator's conninfo last: with expand_dbname its settings win. */
  const char *keywords[] = {"application_name", "dbname", NULL};
  const char *values[] = {application_name, conninfo, NULL};
  *connection = PQconnectdbParams(keywords, values, 1);
  if (*connection == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  if (PQstatus(*connection) != CONNECTION_OK) {
    libpq_error(PQerrorMessage(*connection), error);
    PQfinish(*connection);
    *connection = NULL;
    return STATUS_RUNTIME;
  }
  if (quiet)
    PQsetNoticeProcessor(*connection, sql_ignore_notice, NULL);
  return STATUS_OK;
}

enum status session_open_command(const char *conninfo, const struct config_timeouts *timeouts,
                                 const char *application_name, PGconn **connection, int *version,
                                 struct error *error) {
  if (session_open(conninfo, application_name, false, connection, error) != STATUS_OK)
    return error_prefix(error, "connect");
  enum status status = session_set_timeouts(*connection, timeouts, error);
  return status == STATUS_OK ? schema_check(*connection, version, error) : status;
}

void session_close(PGconn *connection) {
  if (connection != NULL)
    PQfinish(connection);
}

bool session_server_accepts(const char *conninfo) {
  return PQping(conninfo) == PQPING_OK;
}

enum status session_connect(struct session *session, const char *conninfo, int connect_timeout,
                            const struct config_timeouts *timeouts, int *schema_version,
                            struct error *error) {
  session_disconnect(session);
  char application_name[64];
  snprintf(application_name, sizeof application_name, "dunghen-%s", session->name);
  char timeout[16];
  snprintf(timeout, sizeof timeout, "%d", connect_timeout);
  const char *keywords[] = {"application_name", "connect_timeout", "keepalives",
                            "keepalives_idle",  "dbname",          NULL};
  const char *values[] = {application_name, timeout, "1", "30", conninfo, NULL};
  if (conninfo == NULL)
    keywords[4] = NULL; /* the PG* environment decides */
  session->connection = PQconnectdbParams(keywords, values, 1);
  if (session->connection == NULL)
    return error_set(error, STATUS_RUNTIME, "connect: out of memory");
  if (PQstatus(session->connection) != CONNECTION_OK) {
    error_set(error, STATUS_RUNTIME, "connect: %s", PQerrorMessage(session->connection));
    log_one_line(error->message);
    session_disconnect(session);
    return STATUS_RUNTIME;
  }
  PQsetNoticeProcessor(session->connection, notice_processor, session);
  sql_log_attach(session->connection, session->log); /* the server's texts, at debug level */
  if (session_set_timeouts(session->connection, timeouts, error) != STATUS_OK ||
      schema_check(session->connection, schema_version, error) != STATUS_OK) {
    session_disconnect(session);
    return STATUS_RUNTIME;
  }
  return STATUS_OK;
}
