/*
 * array.c: array literals in PostgreSQL's text format (see array.h).
 */
#include "store/array.h"

#include <string.h>
#include <strings.h>

void array_add_text(struct buffer *literal, const char *value) {
  bool first = literal->length <= 1;
  if (value == NULL) {
    buffer_add(literal, first ? "NULL" : ",NULL");
    return;
  }
  buffer_add(literal, first ? "\"" : ",\"");
  const char *cursor = value;
  for (;;) {
    size_t plain = strcspn(cursor, "\"\\");
    buffer_append(literal, cursor, plain);
    cursor += plain;
    if (*cursor == '\0')
      break;
    buffer_append(literal, "\\", 1);
    buffer_append(literal, cursor++, 1);
  }
  buffer_add(literal, "\"");
}

/* Digits by hand: snprintf was the dunghen side's largest cost in a first pass over a million
 * dossiers. */
void array_add_integer(struct buffer *literal, int64_t value, bool present) {
  bool first = literal->length <= 1;
  if (!present) {
    buffer_add(literal, first ? "NULL" : ",NULL");
    return;
  }
  char digits[24];
  char *cursor = digits + sizeof digits;
  uint64_t magnitude = value < 0 ? 0 - (uint64_t)value : (uint64_t)value;
  do {
    *--cursor = (char)('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (value < 0)
    *--cursor = '-';
  if (!first)
    *--cursor = ',';
  buffer_append(literal, cursor, (size_t)(digits + sizeof digits - cursor));
}

void array_columns_open(struct buffer *columns, size_t count) {
  for (size_t i = 0; i < count; i++) {
    buffer_reset(&columns[i]);
    buffer_add(&columns[i], "{");
  }
}

bool array_columns_close(struct buffer *columns, size_t count) {
  bool failed = false;
  for (size_t i = 0; i < count; i++) {
    buffer_add(&columns[i], "}");
    failed = failed || columns[i].failed;
  }
  return !failed;
}

void array_columns_free(struct buffer *columns, size_t count) {
  for (size_t i = 0; i < count; i++)
    buffer_free(&columns[i]);
}

void array_reader_open(struct array_reader *reader, const char *literal, char *area) {
  reader->cursor = literal != NULL ? literal : "";
  /* array_out writes the bounds first ("[0:1]={...}") when they do not start at 1. */
  if (*reader->cursor == '[') {
    const char *equals = strchr(reader->cursor, '=');
    reader->cursor = equals != NULL ? equals + 1 : "";
  }
  reader->out = area;
}

/* Each element is followed by ',' or '}' in the literal, and its decoded text by one NUL: the
 * decoded elements never take more room than the literal. */
bool array_reader_next(struct array_reader *reader, const char **element) {
  const char *cursor = reader->cursor + strspn(reader->cursor, "{},");
  if (*cursor == '\0') {
    reader->cursor = cursor;
    return false;
  }
  char *start = reader->out;
  if (*cursor == '"') {
    for (cursor++; *cursor != '\0' && *cursor != '"'; cursor++) {
      if (*cursor == '\\' && cursor[1] != '\0')
        cursor++;
      *reader->out++ = *cursor;
    }
    if (*cursor == '"')
      cursor++;
    *reader->out++ = '\0';
    *element = start;
  } else {
    /* Unquoted: array_out quotes anything empty or holding a delimiter, brace or space. */
    size_t length = strcspn(cursor, ",}");
    memcpy(reader->out, cursor, length);
    reader->out[length] = '\0';
    reader->out += length + 1;
    *element = length == 4 && strncasecmp(start, "NULL", 4) == 0 ? NULL : start;
    cursor += length;
  }
  reader->cursor = cursor;
  return true;
}
