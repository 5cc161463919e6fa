/*
 * explanation.c: a growable list of text lines (see explanation.h).
 */
#include "core/explanation.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void explanation_init(struct explanation *explanation) {
  explanation->lines = NULL;
  explanation->count = 0;
  explanation->capacity = 0;
  explanation->truncated = false;
}

static bool reserve(struct explanation *explanation) {
  if (explanation->count < explanation->capacity)
    return true;
  size_t capacity = explanation->capacity ? explanation->capacity * 2 : 16;
  char **lines = realloc(explanation->lines, capacity * sizeof *lines);
  if (lines == NULL)
    return false;
  explanation->lines = lines;
  explanation->capacity = capacity;
  return true;
}

void explanation_add(struct explanation *explanation, const char *format, ...) {
  if (explanation == NULL)
    return;
  va_list arguments;
  va_start(arguments, format);
  char *line = NULL;
  int length = vasprintf(&line, format, arguments);
  va_end(arguments);
  if (length < 0 || !reserve(explanation)) {
    if (length >= 0)
      free(line);
    explanation->truncated = true;
    return;
  }
  explanation->lines[explanation->count++] = line;
}

void explanation_free(struct explanation *explanation) {
  if (explanation == NULL)
    return;
  for (size_t i = 0; i < explanation->count; i++)
    free(explanation->lines[i]);
  free(explanation->lines);
  explanation_init(explanation);
}
