/*
 * file_write.c: see file_write.h. The order is what makes it safe: data, fsync, rename.
 */
#include "service/file_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool file_write_all(int descriptor, const void *data, size_t size) {
  const unsigned char *bytes = data;
  while (size > 0) {
    ssize_t written = write(descriptor, bytes, size);
    if (written < 0 && errno == EINTR)
      continue;
    if (written <= 0) {
      if (written == 0)
        errno = EIO;
      return false;
    }
    bytes += written;
    size -= (size_t)written;
  }
  return true;
}

enum status file_write_atomically(const char *path, const void *data, size_t size, mode_t mode,
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
  if (fchmod(descriptor, mode) != 0)
    cause = errno;
  if (cause == 0 && !file_write_all(descriptor, data, size))
    cause = errno;
  if (cause == 0 && fsync(descriptor) != 0)
    cause = errno;
  if (close(descriptor) != 0 && cause == 0)
    cause = errno;
  if (cause == 0 && rename(temporary, path) != 0)
    cause = errno;
  if (cause != 0)
    unlink(temporary);
  free(temporary);
  if (cause != 0)
    return error_set(error, STATUS_RUNTIME, "%s: cannot write: %s", path, strerror(cause));
  return STATUS_OK;
}
