/*
 * array.h: PostgreSQL array literals in the text format, both ways.
 *
 * Writing: a batch sends each column of its rows as one array parameter ($4::text[] ...), built
 * in a buffer (core/buffer.h) opened with "{": elements are double-quoted with `"` and `\`
 * escaped (text) or written as plain digits (integers), SQL NULL as NULL. Several columns are
 * opened, filled and closed together.
 *
 * Reading: the elements of an array the server sent (array_out's text format), in order
 * whatever the dimensions, so a two-dimensional array of rows is read `width` elements a row.
 * Elements are decoded (quotes and escapes removed) into a caller's area of at least
 * strlen(literal) + 1 bytes, which holds every element of the literal at once.
 */
#ifndef DUNGHEN_ARRAY_H
#define DUNGHEN_ARRAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buffer.h"

/* Appends an element to an array literal opened with "{"; NULL for a NULL. */
void array_add_text(struct buffer *literal, const char *value);
/* Appends an integer element (bigint, integer, smallint); NULL when not `present`. */
void array_add_integer(struct buffer *literal, int64_t value, bool present);

/* Empties `count` literals and opens each with "{". */
void array_columns_open(struct buffer *columns, size_t count);
/* Closes each with "}"; false when any ran out of memory. */
bool array_columns_close(struct buffer *columns, size_t count);
void array_columns_free(struct buffer *columns, size_t count);

struct array_reader {
  const char *cursor;
  char *out; /* where the next decoded element goes */
};

/* Starts reading `literal` (NULL: SQL NULL, no elements), decoding into `area`. */
void array_reader_open(struct array_reader *reader, const char *literal, char *area);
/* The next element in *element (NULL for a NULL element): false after the last. */
bool array_reader_next(struct array_reader *reader, const char **element);

#endif
