#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rules/translate.h"
#include "service/paths.h"

enum { CLI_FILE_MODE = 0640 };

int cli_report(const char *command, const struct error *error) {
  /* One line a failure, each with the command's name (core/error.h: a message may hold several). */
  for (const char *line = error->message;;) {
    const char *end = strchr(line, '\n');
    int length = (int)(end != NULL ? (size_t)(end - line) : strlen(line));
    fprintf(stderr, "dunghen %s: %.*s\n", command, length, line);
    if (end == NULL)
      break;
    line = end + 1;
  }
  return error->status == STATUS_OK ? 1 : (int)error->status;
}

int cli_usage_error(const char *command, const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  fprintf(stderr, "dunghen %s: ", command);
  vfprintf(stderr, _(format), arguments);
  va_end(arguments);
  fprintf(stderr, _("\nTry 'dunghen help %s'.\n"), command);
  return STATUS_INVALID;
}

const char *cli_rules_directory(const char *option) {
  return paths_rules(option);
}

const char *cli_letters_directory(const char *option) {
  return paths_letters(option);
}

/* Writes `data` to `path` whole or not at all: a temporary file beside it, mode 0640 whatever
 * the umask, fsynced, then renamed over it. */
enum status cli_write_atomically(const char *path, const void *data, size_t size,
                                 struct error *error) {
  size_t length = strlen(path);
  char *temporary = malloc(length + 16);
  if (temporary == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  const char *slash = strrchr(path, '/');
  size_t directory = slash != NULL ? (size_t)(slash - path) + 1 : 0;
  snprintf(temporary, length + 16, "%.*s.%s.XXXXXX", (int)directory, path, path + directory);
  int descriptor = mkstemp(temporary);
  if (descriptor < 0) {
    int cause = errno;
    free(temporary);
    return error_set(error, STATUS_RUNTIME, "%s: cannot create a file beside it: %s", path,
                     strerror(cause));
  }
  int cause = 0; /* errno of the first step that failed */
  if (fchmod(descriptor, CLI_FILE_MODE) != 0)
    cause = errno;
  for (size_t written = 0; cause == 0 && written < size;) {
    ssize_t count = write(descriptor, (const char *)data + written, size - written);
    if (count < 0 && errno == EINTR)
      continue;
    if (count <= 0)
      cause = count < 0 ? errno : EIO;
    else
      written += (size_t)count;
  }
  if (cause == 0 && fsync(descriptor) != 0)
    cause = errno;
  if (close(descriptor) != 0 && cause == 0)
    cause = errno;
  if (cause == 0 && rename(temporary, path) != 0)
    cause = errno;
  if (cause != 0) {
    unlink(temporary);
    free(temporary);
    return error_set(error, STATUS_RUNTIME, "%s: cannot write: %s", path, strerror(cause));
  }
  free(temporary);
  return STATUS_OK;
}
