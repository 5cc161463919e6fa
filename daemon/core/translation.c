/*
 * translation.c: the caller's translation, or the English as written (see translation.h).
 */
#include "core/translation.h"

#include <stddef.h>

const char *translation_text(const struct translation *translation, const char *message) {
  if (translation == NULL || translation->text == NULL)
    return message;
  return translation->text(message);
}

const char *translation_plural(const struct translation *translation, const char *singular,
                               const char *plural, unsigned long count) {
  if (translation == NULL || translation->plural == NULL)
    return count == 1 ? singular : plural;
  return translation->plural(singular, plural, count);
}
