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
  vsnprintf(error->message, sizeof error->message, format, arguments);
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
  int used = snprintf(error->message, sizeof error->message, "%s:%zu:%zu: ", file, line, column);
  if (used < 0 || (size_t)used >= sizeof error->message)
    used = 0;
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(error->message + used, sizeof error->message - (size_t)used, format, arguments);
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
