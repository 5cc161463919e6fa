#include "store/notifications.h"

bool notifications_send_listen(PGconn *connection) {
  return PQsendQuery(connection, "LISTEN " NOTIFICATIONS_DOSSIER_CHANNEL
                                 "; LISTEN " NOTIFICATIONS_LETTER_CHANNEL) == 1;
}

bool notifications_send_ping(PGconn *connection) {
  return PQsendQuery(connection, "SELECT 1") == 1;
}
