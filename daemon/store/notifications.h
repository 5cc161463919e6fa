/*
 * notifications.h: the statements of the LISTEN connection; service/listener.h owns the
 * connection, its socket and the notifications it reads.
 *
 * Two channels carry hints, never records: dunghen_dossier (a source row changed: the pass
 * re-reads the views) and dunghen_letter (letters were queued, by any instance). Both statements
 * are sent without waiting (PQsendQuery, on a non-blocking connection) and return false when
 * libpq could not queue them; the caller flushes, and reads their results on the socket:
 * notifications_send_listen() subscribes to both channels in one implicit transaction
 * (NOTIFICATIONS_LISTEN_RESULTS results, the last after both took effect);
 * notifications_send_ping() is the keep-alive query that notices a dead peer (one result).
 */
#ifndef DUNGHEN_NOTIFICATIONS_H
#define DUNGHEN_NOTIFICATIONS_H

#include <libpq-fe.h>
#include <stdbool.h>

#define NOTIFICATIONS_DOSSIER_CHANNEL "dunghen_dossier"
#define NOTIFICATIONS_LETTER_CHANNEL "dunghen_letter"

enum { NOTIFICATIONS_LISTEN_RESULTS = 2 };

bool notifications_send_listen(PGconn *connection);
bool notifications_send_ping(PGconn *connection);

#endif
