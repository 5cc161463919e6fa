/*
 * sql_log.c: the shell's log behind the store's statements (see sql_log.h).
 */
#include "service/sql_log.h"

#include "store/sql.h"

static bool debug_enabled(const void *log) {
  return log_enabled(log, LOG_DEBUG);
}

static void debug_write(const void *log, const char *what, const char *sqlstate, const char *text) {
  log_debug((const struct log *)log, "%s: SQLSTATE %s: the server said: %s", what, sqlstate, text);
}

void sql_log_attach(PGconn *connection, const struct log *log) {
  sql_set_log(connection, &(struct sql_log){debug_enabled, debug_write, log});
}
