#include "service/session.h"

#include <stdio.h>

#include "service/schema.h"
#include "service/sql_log.h"
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

/* NULL (`server`) keeps the session's value: the role's, database's or server's setting. */
static const char timeouts_sql[] =
    "SELECT set_config('statement_timeout', coalesce($1, current_setting('statement_timeout')),"
    " false), set_config('lock_timeout', coalesce($2, current_setting('lock_timeout')), false),"
    " set_config('idle_in_transaction_session_timeout',"
    " coalesce($3, current_setting('idle_in_transaction_session_timeout')), false)";

enum status session_set_timeouts(PGconn *connection, const struct config_timeouts *timeouts,
                                 struct error *error) {
  const int seconds[] = {timeouts->statement, timeouts->lock, timeouts->idle_in_transaction};
  char texts[3][24];
  const char *values[3];
  for (size_t i = 0; i < 3; i++) {
    snprintf(texts[i], sizeof texts[i], "%ds", seconds[i]);
    values[i] = seconds[i] == CONFIG_TIMEOUT_SERVER ? NULL : texts[i];
  }
  PGresult *result;
  enum status status = sql_query(connection, "setting the session's timeouts", timeouts_sql, 3,
                                 values, &result, error);
  PQclear(result);
  return status;
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
