/*
 * service/session against a real PostgreSQL: every session dunghen opens carries the limits of
 * database.statement_timeout, lock_timeout and idle_in_transaction_session_timeout (SHOW on the
 * session itself), `server` leaves a limit to the role's setting (ALTER ROLE ... SET), the lock
 * limit really ends a wait behind another session's lock, and the error that comes back names
 * the statement and the SQLSTATE only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_support.h"
#include "service/log.h"
#include "service/session.h"
#include "store/sql.h"
#include "tap.h"

static void show(PGconn *connection, const char *setting, char *value, size_t size) {
  char sql[128];
  snprintf(sql, sizeof sql, "SHOW %s", setting);
  db_text(connection, sql, value, size);
}

int main(void) {
  const char *conninfo = getenv("DUNGHEN_TEST_DB");
  if (conninfo == NULL)
    return tap_skip_all("DUNGHEN_TEST_DB is not set (run through with-cluster)");
  PGconn *admin = db_connect();
  if (!tap_ok(admin != NULL && db_prepare(admin), "database migrated"))
    return tap_finish();
  struct log log;
  log_init(&log, stderr, LOG_INFO);
  struct session session = {.log = &log, .name = "test"};
  struct error error = {0};
  char value[64];

  /* The defaults of dunghen.yaml(5). */
  struct config config;
  config_defaults(&config, &error);
  int version = 0;
  tap_is_integer(session_connect(&session, conninfo, 5, &config.timeouts, &version, &error),
                 STATUS_OK, "a session with the default limits connects");
  show(session.connection, "statement_timeout", value, sizeof value);
  tap_is_string(value, "5min", "SHOW statement_timeout: 5min");
  show(session.connection, "lock_timeout", value, sizeof value);
  tap_is_string(value, "30s", "SHOW lock_timeout: 30s");
  show(session.connection, "idle_in_transaction_session_timeout", value, sizeof value);
  tap_is_string(value, "10min", "SHOW idle_in_transaction_session_timeout: 10min");
  session_disconnect(&session);
  config_free(&config);

  /* 0 is no limit; `server` keeps what the DBA set on the role. */
  tap_ok(db_exec(admin, "ALTER ROLE CURRENT_USER SET lock_timeout = '7s'"),
         "the DBA sets lock_timeout on the role");
  struct config_timeouts timeouts = {0, CONFIG_TIMEOUT_SERVER, 45};
  tap_is_integer(session_connect(&session, conninfo, 5, &timeouts, &version, &error), STATUS_OK,
                 "a session with 0, server and 45 s connects");
  show(session.connection, "statement_timeout", value, sizeof value);
  tap_is_string(value, "0", "statement_timeout 0: no limit");
  show(session.connection, "lock_timeout", value, sizeof value);
  tap_is_string(value, "7s", "lock_timeout server: the role's 7s");
  show(session.connection, "idle_in_transaction_session_timeout", value, sizeof value);
  tap_is_string(value, "45s", "idle_in_transaction_session_timeout: 45s");
  session_disconnect(&session);
  db_exec(admin, "ALTER ROLE CURRENT_USER RESET lock_timeout");

  /* The lock limit ends a wait behind another session's lock, and says so without the server's
   * text. */
  timeouts = (struct config_timeouts){60, 1, 60};
  session_connect(&session, conninfo, 5, &timeouts, &version, &error);
  tap_ok(db_exec(admin, "BEGIN; LOCK TABLE dunghen.sync_state IN ACCESS EXCLUSIVE MODE"),
         "another session holds a lock dunghen needs");
  enum status status = sql_exec(session.connection, "reading the sync state",
                                "SELECT * FROM dunghen.sync_state", &error);
  tap_is_integer(status, STATUS_RUNTIME, "lock_timeout 1 s: the wait ends in an error");
  tap_is_string(error.message,
                "reading the sync state: SQLSTATE 55P03 (lock not available (lock_timeout); "
                "the server's text at log level debug)",
                "the error names the statement, the SQLSTATE and the limit");
  db_exec(admin, "ROLLBACK");
  session_disconnect(&session);
  PQfinish(admin);
  return tap_finish();
}
