/*
 * session_limits.h: the limits a database session keeps for its whole life: statement_timeout,
 * lock_timeout and idle_in_transaction_session_timeout (service/session.h applies the
 * config's).
 *
 * One constant statement with the values as parameters (set_config, not a SET built from
 * text). Each value is seconds, 0 for no limit, or SESSION_LIMIT_KEEP to leave the session's
 * own setting (the role's, the database's or the server's). Blocking libpq.
 */
#ifndef DUNGHEN_SESSION_LIMITS_H
#define DUNGHEN_SESSION_LIMITS_H

#include <libpq-fe.h>

#include "core/error.h"

enum { SESSION_LIMIT_KEEP = -1 };

struct session_limits {
  int statement;           /* seconds */
  int lock;                /* seconds */
  int idle_in_transaction; /* seconds */
};

enum status session_limits_set(PGconn *connection, const struct session_limits *limits,
                               struct error *error);

#endif
