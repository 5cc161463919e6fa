#include "store/transaction.h"

#include "store/sql.h"

enum status transaction_begin(PGconn *connection, const char *what, struct error *error) {
  return sql_exec(connection, what, "BEGIN", error);
}

enum status transaction_commit(PGconn *connection, const char *what, struct error *error) {
  return sql_exec(connection, what, "COMMIT", error);
}

void transaction_rollback(PGconn *connection) {
  sql_rollback(connection);
}
