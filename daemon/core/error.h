/*
 * error.h: the one way dunghen reports failure.
 *
 * Every fallible function returns an `enum status` and, when it fails, fills a caller-owned
 * `struct error` with a message that names the cause. STATUS_INVALID means the input was wrong
 * (a file, a flag, a row) and maps to exit status 2; STATUS_RUNTIME means the world failed (I/O,
 * the database, memory) and maps to exit status 1. Messages about files start with
 * `FILE:LINE:COLUMN: ` (1-based), built by error_at(). A NULL error pointer is allowed and
 * discards the message.
 *
 * One failure is one line of at most ERROR_LINE_SIZE - 1 bytes. The message may hold several
 * failures, one a line (`dunghen check` reports every error of the rules, rules/error_list.h;
 * error_join adds another failure): whoever prints or logs it prints one line per failure.
 */
#ifndef DUNGHEN_ERROR_H
#define DUNGHEN_ERROR_H

#include <stddef.h>

enum status {
  STATUS_OK = 0,
  STATUS_RUNTIME = 1,
  STATUS_INVALID = 2,
};

enum { ERROR_LINE_SIZE = 1024, ERROR_MESSAGE_SIZE = 8192 };

struct error {
  enum status status;
  char message[ERROR_MESSAGE_SIZE];
};

#if defined(__GNUC__)
#define DUNGHEN_PRINTF(format_index, first_argument)                                               \
  __attribute__((format(printf, format_index, first_argument)))
#else
#define DUNGHEN_PRINTF(format_index, first_argument)
#endif

/* Clears the error to STATUS_OK with an empty message. */
void error_clear(struct error *error);

/* Sets status and message; returns status so callers can `return error_set(...)`. */
enum status error_set(struct error *error, enum status status, const char *format, ...)
    DUNGHEN_PRINTF(3, 4);

/* STATUS_INVALID with the message `FILE:LINE:COLUMN: ...`; line and column are 1-based. */
enum status error_at(struct error *error, const char *file, size_t line, size_t column,
                     const char *format, ...) DUNGHEN_PRINTF(5, 6);

/* Prepends `context: ` to an existing message, keeping its status; returns the status. */
enum status error_prefix(struct error *error, const char *format, ...) DUNGHEN_PRINTF(2, 3);

/*
 * Adds the failure(s) in `other` after those already in `error`, one a line, so one report can
 * name the failures of several files. Nothing happens when `other` holds no failure; when
 * `error` holds none, it becomes a copy of `other`. The status is STATUS_RUNTIME when either
 * is, else STATUS_INVALID. Lines that do not fit are dropped whole and counted in a last line,
 * `N more errors not shown`. Returns the resulting status.
 */
enum status error_join(struct error *error, const struct error *other);

#endif
