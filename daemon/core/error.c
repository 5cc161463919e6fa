#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void error_clear(struct error *error) {
  if (error == NULL)
    return;
  error->status = STATUS_OK;
  error->message[0] = '\0';
}

static void format_into(struct error *error, const char *format, va_list arguments)
    DUNGHEN_PRINTF(2, 0);

static void format_into(struct error *error, const char *format, va_list arguments) {
  vsnprintf(error->message, ERROR_LINE_SIZE, format, arguments);
}

enum status error_set(struct error *error, enum status status, const char *format, ...) {
  if (error == NULL)
    return status;
  va_list arguments;
  va_start(arguments, format);
  format_into(error, format, arguments);
  va_end(arguments);
  error->status = status;
  return status;
}

enum status error_at(struct error *error, const char *file, size_t line, size_t column,
                     const char *format, ...) {
  if (error == NULL)
    return STATUS_INVALID;
  int used = snprintf(error->message, ERROR_LINE_SIZE, "%s:%zu:%zu: ", file, line, column);
  if (used < 0 || (size_t)used >= ERROR_LINE_SIZE)
    used = 0;
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(error->message + used, ERROR_LINE_SIZE - (size_t)used, format, arguments);
  va_end(arguments);
  error->status = STATUS_INVALID;
  return STATUS_INVALID;
}

enum status error_prefix(struct error *error, const char *format, ...) {
  if (error == NULL)
    return STATUS_RUNTIME;
  char prefix[ERROR_MESSAGE_SIZE];
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(prefix, sizeof prefix, format, arguments);
  va_end(arguments);
  char old[ERROR_MESSAGE_SIZE];
  memcpy(old, error->message, sizeof old);
  snprintf(error->message, sizeof error->message, "%s: %s", prefix, old);
  return error->status;
}

/* Room kept at the end of a joined message for the line that counts what did not fit. */
enum { JOIN_RESERVE = 48 };

enum status error_join(struct error *error, const struct error *other) {
  if (other == NULL || other->status == STATUS_OK)
    return error != NULL ? error->status : STATUS_OK;
  if (error == NULL)
    return other->status;
  if (error->status == STATUS_OK) {
    *error = *other;
    return error->status;
  }
  enum status status = error->status == STATUS_RUNTIME || other->status == STATUS_RUNTIME
                           ? STATUS_RUNTIME
                           : STATUS_INVALID;
  size_t used = strlen(error->message);
  size_t dropped = 0;
  for (const char *line = other->message; *line != '\0';) {
    const char *end = strchr(line, '\n');
    size_t length = end != NULL ? (size_t)(end - line) : strlen(line);
    if (dropped == 0 && used + 1 + length + JOIN_RESERVE < sizeof error->message) {
      error->message[used++] = '\n';
      memcpy(error->message + used, line, length);
      used += length;
      error->message[used] = '\0';
    } else {
      dropped++;
    }
    line = end != NULL ? end + 1 : line + length;
  }
  if (dropped > 0)
    snprintf(error->message + used, sizeof error->message - used, "\n%zu more error%s not shown",
             dropped, dropped == 1 ? "" : "s");
  error->status = status;
  return status;
}
