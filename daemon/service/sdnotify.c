#include "service/sdnotify.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum status sdnotify_open(struct sdnotify *notify, struct error *error) {
  memset(notify, 0, sizeof *notify);
  notify->socket = -1;
  const char *path = getenv("NOTIFY_SOCKET");
  if (path == NULL || *path == '\0')
    return STATUS_OK;
  size_t length = strlen(path);
  if ((path[0] != '/' && path[0] != '@') || length >= sizeof notify->address.sun_path)
    return error_set(error, STATUS_RUNTIME, "NOTIFY_SOCKET '%s' is not a usable socket address",
                     path);
  notify->address.sun_family = AF_UNIX;
  memcpy(notify->address.sun_path, path, length);
  if (path[0] == '@')
    notify->address.sun_path[0] = '\0'; /* abstract: no terminating NUL, length is exact */
  notify->address_length =
      (socklen_t)(offsetof(struct sockaddr_un, sun_path) + length + (path[0] == '@' ? 0 : 1));
  notify->socket = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (notify->socket < 0)
    return error_set(error, STATUS_RUNTIME, "notify socket: %s", strerror(errno));
  return STATUS_OK;
}

void sdnotify_close(struct sdnotify *notify) {
  if (notify->socket >= 0)
    close(notify->socket);
  notify->socket = -1;
}

bool sdnotify_enabled(const struct sdnotify *notify) {
  return notify->socket >= 0;
}

enum status sdnotify_send(const struct sdnotify *notify, const char *message, struct error *error) {
  if (notify->socket < 0)
    return STATUS_OK;
  ssize_t sent = sendto(notify->socket, message, strlen(message), MSG_NOSIGNAL,
                        (const struct sockaddr *)&notify->address, notify->address_length);
  if (sent < 0) {
    /* sun_path holds a path as it is, and an abstract name after a NUL where `@` was. */
    bool abstract = notify->address.sun_path[0] == '\0';
    return error_set(error, STATUS_RUNTIME, "notify %s%s: %s", abstract ? "@" : "",
                     notify->address.sun_path + (abstract ? 1 : 0), strerror(errno));
  }
  return STATUS_OK;
}

enum status sdnotify_sendf(const struct sdnotify *notify, struct error *error, const char *format,
                           ...) {
  char message[512];
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(message, sizeof message, format, arguments);
  va_end(arguments);
  return sdnotify_send(notify, message, error);
}

uint64_t sdnotify_watchdog_interval(void) {
  const char *pid_text = getenv("WATCHDOG_PID");
  if (pid_text != NULL && *pid_text != '\0' && strtoll(pid_text, NULL, 10) != (long long)getpid())
    return 0;
  const char *usec_text = getenv("WATCHDOG_USEC");
  if (usec_text == NULL || *usec_text == '\0')
    return 0;
  char *end;
  errno = 0;
  unsigned long long usec = strtoull(usec_text, &end, 10);
  if (errno != 0 || *end != '\0' || usec == 0)
    return 0;
  return usec / 2;
}
