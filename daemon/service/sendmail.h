/*
 * sendmail.h: hands one message to the system's sendmail interface, without a shell.
 *
 * The program (an absolute path from the config) is executed directly (fork, execve) with the
 * argv given, and dies with the daemon (PR_SET_PDEATHSIG). The message is written on its
 * standard input, and its standard error is kept (the first KB) for the delivery log. The child
 * gets `timeout` seconds in all, for reading the message and for exiting; after that it is killed
 * (SIGKILL) and reaped. Success is exit status 0 (sendmail's EX_OK); anything else is a failure
 * described in `error` (which may hold the child's stderr, so it may name addresses: it goes to the
 * delivery log, not to logs). Blocking: call it from a worker thread, never from the event loop.
 */
#ifndef DUNGHEN_SENDMAIL_H
#define DUNGHEN_SENDMAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

struct sendmail_result {
  int exit_status; /* -1: killed, not started or signalled */
  bool timed_out;
};

/* `arguments` is the NULL-terminated argv[1..]. */
enum status sendmail_run(const char *program, char *const *arguments, const char *message,
                         size_t length, int timeout, struct sendmail_result *result,
                         struct error *error);

#endif
