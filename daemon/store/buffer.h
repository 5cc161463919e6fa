/*
 * buffer.h: one growable byte buffer, the store's for whatever it builds before sending: array
 * literals (store/array.h), binary COPY data (store/copy.h), decoded texts.
 *
 * The data is always followed by a NUL (not counted in `length`), so text can be read in place.
 * Allocation failure is sticky: the buffer stops growing, sets `failed` and ignores what follows,
 * so a caller appends freely and checks once, before it uses the data. A zeroed buffer is empty
 * and ready; buffer_reset keeps the memory for the next use.
 */
#ifndef DUNGHEN_BUFFER_H
#define DUNGHEN_BUFFER_H

#include <stdbool.h>
#include <stddef.h>

struct buffer {
  char *data; /* NULL until the first append */
  size_t length;
  size_t capacity;
  bool failed; /* an allocation failed: the contents are incomplete */
};

/* Makes room for `extra` more bytes (and the NUL) without moving the data again. */
void buffer_reserve(struct buffer *buffer, size_t extra);
void buffer_append(struct buffer *buffer, const void *data, size_t length);
void buffer_add(struct buffer *buffer, const char *text);
/* Empties the buffer (and clears `failed`), keeping its memory. */
void buffer_reset(struct buffer *buffer);
void buffer_free(struct buffer *buffer);

#endif
