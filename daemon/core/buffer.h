/*
 * buffer.h: the project's one growable byte buffer, for whatever is built in memory before it
 * is sent or written: store/'s encoders (array literals, store/array.h; binary COPY data,
 * store/copy.h; decoded texts) and mail/'s MIME builder (mail/mime.h).
 *
 * The data is always followed by a NUL (not counted in `length`), so text can be read in place.
 * Allocation failure is sticky: the buffer stops growing, sets `failed` and ignores what follows,
 * so a caller appends freely and checks once, before it uses the data. A zeroed buffer is empty
 * and ready; buffer_reset keeps the memory for the next use. `data` comes from malloc, so a
 * caller may keep it (and free() it) instead of calling buffer_free.
 */
#ifndef DUNGHEN_CORE_BUFFER_H
#define DUNGHEN_CORE_BUFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "core/error.h"

struct buffer {
  char *data; /* NULL until the first append */
  size_t length;
  size_t capacity;
  bool failed; /* an allocation failed: the contents are incomplete */
};

/* Makes room for `extra` more bytes (and the NUL) without moving the data again. */
void buffer_reserve(struct buffer *buffer, size_t extra);

/* Inline: the encoders append a few bytes at a time, tens of millions of times in a first pass
 * over a million dossiers, where a call per append showed in the pass's own CPU time. */
static inline void buffer_append(struct buffer *buffer, const void *data, size_t length) {
  if (buffer->failed)
    return;
  if (buffer->length + length + 1 > buffer->capacity) {
    buffer_reserve(buffer, length);
    if (buffer->failed)
      return;
  }
  memcpy(buffer->data + buffer->length, data, length);
  buffer->length += length;
  buffer->data[buffer->length] = '\0';
}

static inline void buffer_add(struct buffer *buffer, const char *text) {
  buffer_append(buffer, text, strlen(text));
}
/* Appends printf-style; a format that cannot be written (an encoding error) sets `failed` too. */
void buffer_add_format(struct buffer *buffer, const char *format, ...) DUNGHEN_PRINTF(2, 3);
/* Empties the buffer (and clears `failed`), keeping its memory. */
void buffer_reset(struct buffer *buffer);
void buffer_free(struct buffer *buffer);

#endif
