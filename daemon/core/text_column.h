/*
 * text_column.h: UTF-8 text in the aligned columns of a terminal table (`dunghen report`'s
 * text, `dunghen preview`'s counts). printf's `%-20s` pads by bytes, so a Vietnamese word (two
 * or three bytes a letter) comes out short of its column; these count the columns a text takes
 * instead: one per code point, none for a combining diacritical mark (U+0300..U+036F, which
 * decomposed Vietnamese uses). Wide (CJK) characters are not expected in these tables.
 */
#ifndef DUNGHEN_CORE_TEXT_COLUMN_H
#define DUNGHEN_CORE_TEXT_COLUMN_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buffer.h"

/* The columns the first `length` bytes of `text` take. */
size_t text_column_width(const char *text, size_t length);

/* How many bytes of `text` fit in `width` columns, cut at a code point. */
size_t text_column_fitting_bytes(const char *text, size_t width);

/* Appends `length` bytes of `text` padded with spaces to `width` columns: on the left when
 * `right` (numbers), else on the right. A text wider than the column is appended whole. */
void text_column_add(struct buffer *out, const char *text, size_t length, size_t width, bool right);

#endif
