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
  explanation->translation = NULL;
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

static void add_line(struct explanation *explanation, const char *format, va_list arguments) {
  char *line = NULL;
  int length = vasprintf(&line, format, arguments);
  if (length < 0 || !reserve(explanation)) {
    if (length >= 0)
      free(line);
    explanation->truncated = true;
    return;
  }
  explanation->lines[explanation->count++] = line;
}

void explanation_add(struct explanation *explanation, const char *format, ...) {
  if (explanation == NULL)
    return;
  va_list arguments;
  va_start(arguments, format);
  add_line(explanation, translation_text(explanation->translation, format), arguments);
  va_end(arguments);
}

void explanation_count(struct explanation *explanation, const char *singular, const char *plural,
                       unsigned long count, ...) {
  if (explanation == NULL)
    return;
  va_list arguments;
  va_start(arguments, count);
  add_line(explanation, translation_plural(explanation->translation, singular, plural, count),
           arguments);
  va_end(arguments);
}

const char *explanation_word(const struct explanation *explanation, const char *message) {
  return explanation != NULL ? translation_text(explanation->translation, message) : message;
}

void explanation_free(struct explanation *explanation) {
  if (explanation == NULL)
    return;
  for (size_t i = 0; i < explanation->count; i++)
    free(explanation->lines[i]);
  free(explanation->lines);
  explanation_init(explanation);
}
