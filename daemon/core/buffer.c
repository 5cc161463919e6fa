/*
 * buffer.c: a growable byte buffer (see buffer.h).
 */
#include "core/buffer.h"

#include <stdarg.h>
#include <stdio.h>
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

/* Measured first, then written in place: no line-sized scratch array to outgrow, and the NUL
 * after the data stays put if the room cannot be had. */
void buffer_add_format(struct buffer *buffer, const char *format, ...) {
  if (buffer->failed)
    return;
  va_list arguments;
  va_start(arguments, format);
  int length = vsnprintf(NULL, 0, format, arguments);
  va_end(arguments);
  if (length < 0) {
    buffer->failed = true;
    return;
  }
  buffer_reserve(buffer, (size_t)length);
  if (buffer->failed)
    return;
  va_start(arguments, format);
  vsnprintf(buffer->data + buffer->length, (size_t)length + 1, format, arguments);
  va_end(arguments);
  buffer->length += (size_t)length;
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
