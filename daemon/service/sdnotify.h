/*
 * sdnotify.h: the systemd notify protocol, without libsystemd.
 *
 * A message is one datagram of `KEY=VALUE` lines sent to the unix socket named by
 * $NOTIFY_SOCKET (a leading `@` names an abstract socket). Without $NOTIFY_SOCKET every send is
 * a silent no-op, so the daemon behaves the same outside systemd. The watchdog interval is half
 * of $WATCHDOG_USEC, and only when $WATCHDOG_PID is unset or names this process.
 */
#ifndef DUNGHEN_SDNOTIFY_H
#define DUNGHEN_SDNOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "core/error.h"

struct sdnotify {
  int socket; /* -1 when not under systemd */
  struct sockaddr_un address;
  socklen_t address_length;
};

/* Reads $NOTIFY_SOCKET; an unusable value is an error (the unit would wait for READY=1). */
enum status sdnotify_open(struct sdnotify *notify, struct error *error);
void sdnotify_close(struct sdnotify *notify);
bool sdnotify_enabled(const struct sdnotify *notify);
/* Sends one message such as "READY=1\nSTATUS=watching". Failures are returned, not logged. */
enum status sdnotify_send(const struct sdnotify *notify, const char *message, struct error *error);
/* Sends a formatted message. */
enum status sdnotify_sendf(const struct sdnotify *notify, struct error *error, const char *format,
                           ...) DUNGHEN_PRINTF(3, 4);
/* Microseconds between WATCHDOG=1 pings (half of $WATCHDOG_USEC), or 0 when not asked. */
uint64_t sdnotify_watchdog_interval(void);

#endif
