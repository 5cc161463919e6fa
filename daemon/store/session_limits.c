#include "store/session_limits.h"

#include <stdio.h>

#include "store/sql.h"

/* NULL keeps the session's value: the role's, database's or server's setting. */
static const char limits_sql[] =
    "SELECT set_config('statement_timeout', coalesce($1, current_setting('statement_timeout')),"
    " false), set_config('lock_timeout', coalesce($2, current_setting('lock_timeout')), false),"
    " set_config('idle_in_transaction_session_timeout',"
    " coalesce($3, current_setting('idle_in_transaction_session_timeout')), false)";

enum status session_limits_set(PGconn *connection, const struct session_limits *limits,
                               struct error *error) {
  const int seconds[] = {limits->statement, limits->lock, limits->idle_in_transaction};
  char texts[3][24];
  const char *values[3];
  for (size_t i = 0; i < 3; i++) {
    snprintf(texts[i], sizeof texts[i], "%ds", seconds[i]);
    values[i] = seconds[i] == SESSION_LIMIT_KEEP ? NULL : texts[i];
  }
  PGresult *result;
  enum status status = sql_query(connection, "setting the session's timeouts", limits_sql, 3,
                                 values, &result, error);
  PQclear(result);
  return status;
}
