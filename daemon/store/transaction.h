/*
 * transaction.h: BEGIN, COMMIT and ROLLBACK on a blocking connection, for work that spans
 * several statements of store/ (claim, then work outside the database, then record) and must
 * commit or vanish as one.
 *
 * transaction_begin() and transaction_commit() fail with STATUS_RUNTIME and a message that
 * starts with `what` (store/sql.h: the SQLSTATE, never the server's text).
 * transaction_rollback() ends a transaction that a failure left open, ignoring errors (the
 * connection may be the thing that failed). Blocking libpq: call from the thread that owns the
 * connection.
 */
#ifndef DUNGHEN_TRANSACTION_H
#define DUNGHEN_TRANSACTION_H

#include <libpq-fe.h>

#include "core/error.h"

enum status transaction_begin(PGconn *connection, const char *what, struct error *error);
enum status transaction_commit(PGconn *connection, const char *what, struct error *error);
void transaction_rollback(PGconn *connection);

#endif
