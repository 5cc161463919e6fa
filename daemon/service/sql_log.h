/*
 * sql_log.h: the shell's log as the store's debug log of a connection (store/sql.h): the
 * server's texts of failed statements, which can quote a row, go to `log` at debug level only.
 */
#ifndef DUNGHEN_SQL_LOG_H
#define DUNGHEN_SQL_LOG_H

#include <libpq-fe.h>

#include "service/log.h"

/* `log` must outlive the connection. */
void sql_log_attach(PGconn *connection, const struct log *log);

#endif
