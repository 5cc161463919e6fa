/*
 * buffer.c: a growable byte buffer (see buffer.h).
 */
#include "core/buffer.h"

#include <stdlib.h>
#include <string.h>

enum { FIRST_CAPACITY = 4096 };

void buffer_reserve(struct buffer *buffer, size_t extra) {
  if (buffer->failed || buffer->length + extra + 1 <= buffer->capacity)
    return;
  size_t capacity = buffer->capacity ? buffer->capacity : FIRST_CAPACITY;
  while (capacity < buffer->length + extra + 1)
    capacity *= 2;
  char *grown = realloc(buffer->data, capacity);
  if (grown == NULL) {
    buffer->failed = true;
    return;
  }
  buffer->data = grown;
  buffer->capacity = capacity;
}

void buffer_reset(struct buffer *buffer) {
  buffer->length = 0;
  buffer->failed = false;
  if (buffer->data != NULL)
    buffer->data[0] = '\0';
}

void buffer_free(struct buffer *buffer) {
  free(buffer->data);
  memset(buffer, 0, sizeof *buffer);
}
