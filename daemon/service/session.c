#include "service/session.h"

#include <stdio.h>

#include "service/schema.h"
#include "service/sql.h"

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
  const struct {
    const char *name;
    int seconds;
  } settings[] = {
      {"statement_timeout", timeouts->statement},
      {"lock_timeout", timeouts->lock},
      {"idle_in_transaction_session_timeout", timeouts->idle_in_transaction},
  };
  char sql[256] = "";
  size_t used = 0;
  for (size_t i = 0; i < sizeof settings / sizeof settings[0]; i++)
    if (settings[i].seconds != CONFIG_TIMEOUT_SERVER && used < sizeof sql)
      used += (size_t)snprintf(sql + used, sizeof sql - used, "SET %s = '%ds';", settings[i].name,
                               settings[i].seconds);
  if (used == 0)
    return STATUS_OK;
  return sql_exec(connection, "setting the session's timeouts", sql, error);
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
  sql_attach_log(session->connection, session->log); /* the server's texts, at debug level */
  if (session_set_timeouts(session->connection, timeouts, error) != STATUS_OK ||
      schema_check(session->connection, schema_version, error) != STATUS_OK) {
    session_disconnect(session);
    return STATUS_RUNTIME;
  }
  return STATUS_OK;
}
