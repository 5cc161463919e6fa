/*
 * text_column.c: see text_column.h.
 */
#include "core/text_column.h"

#include <string.h>

size_t text_column_width(const char *text, size_t length) {
  size_t width = 0;
  const unsigned char *bytes = (const unsigned char *)text;
  for (size_t i = 0; i < length; i++) {
    if ((bytes[i] & 0xC0) == 0x80)
      continue;
    /* U+0300..U+036F is CC 80..CD AF. */
    if ((bytes[i] == 0xCC && i + 1 < length) ||
        (bytes[i] == 0xCD && i + 1 < length && bytes[i + 1] <= 0xAF))
      continue;
    width++;
  }
  return width;
}

size_t text_column_fitting_bytes(const char *text, size_t width) {
  size_t length = strlen(text);
  size_t used = 0;
  while (used < length) {
    size_t next = used + 1;
    while (next < length && ((unsigned char)text[next] & 0xC0) == 0x80)
      next++;
    if (text_column_width(text, next) > width)
      break;
    used = next;
  }
  return used;
}

static void add_spaces(struct buffer *out, size_t count) {
  static const char spaces[] = "                                ";
  while (count > 0) {
    size_t chunk = count < sizeof spaces - 1 ? count : sizeof spaces - 1;
    buffer_append(out, spaces, chunk);
    count -= chunk;
  }
}

void text_column_add(struct buffer *out, const char *text, size_t length, size_t width,
                     bool right) {
  size_t used = text_column_width(text, length);
  size_t padding = width > used ? width - used : 0;
  if (right)
    add_spaces(out, padding);
  buffer_append(out, text, length);
  if (!right)
    add_spaces(out, padding);
}
