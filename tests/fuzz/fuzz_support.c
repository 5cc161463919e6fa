/*
 * fuzz_support.c: the helpers of fuzz_support.h (anonymous files, message checks).
 */
#include "fuzz_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/error.h"

char *fuzz_string(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  if (text == NULL)
    abort();
  if (size > 0)
    memcpy(text, data, size);
  text[size] = '\0';
  return text;
}

const char *fuzz_file(const uint8_t *data, size_t size, int *fd, char *path, size_t path_size) {
  *fd = memfd_create("fuzz-input", MFD_CLOEXEC);
  if (*fd < 0)
    abort();
  size_t written = 0;
  while (written < size) {
    ssize_t result = write(*fd, data + written, size - written);
    if (result <= 0)
      abort();
    written += (size_t)result;
  }
  snprintf(path, path_size, "/proc/self/fd/%d", *fd);
  return path;
}

void fuzz_file_close(int fd) {
  close(fd);
}

/* `name:LINE:COLUMN: ` with both numbers at least 1. */
static int located(const char *name, const char *message) {
  size_t length = strlen(name);
  if (strncmp(message, name, length) != 0 || message[length] != ':')
    return 0;
  char *end;
  unsigned long line = strtoul(message + length + 1, &end, 10);
  if (line == 0 || *end != ':')
    return 0;
  unsigned long column = strtoul(end + 1, &end, 10);
  return column != 0 && end[0] == ':' && end[1] == ' ';
}

void fuzz_check_message(const char *name, int status, const char *message) {
  if (status == STATUS_OK || status == STATUS_RUNTIME)
    return;
  if (status != STATUS_INVALID || !located(name, message)) {
    fprintf(stderr, "fuzz: status %d with an unlocated message: %s\n", status, message);
    abort();
  }
}
