#include "store/notifications.h"

/* One query, one implicit transaction: both LISTENs take effect at its commit. */
static const char listen_sql[] =
    "LISTEN " NOTIFICATIONS_DOSSIER_CHANNEL "; LISTEN " NOTIFICATIONS_LETTER_CHANNEL;

bool notifications_send_listen(PGconn *connection) {
  return PQsendQuery(connection, listen_sql) == 1;
}

bool notifications_send_ping(PGconn *connection) {
  return PQsendQuery(connection, "SELECT 1") == 1;
}
