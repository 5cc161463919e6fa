/*
 * ladder.c: lookups in the ladder model (see ladder.h).
 */
#include "core/ladder.h"

#include <string.h>

int ladder_find(const struct ladder *ladder, const char *name) {
  for (size_t i = 0; i < ladder->count; i++)
    if (strcmp(ladder->levels[i].name, name) == 0)
      return (int)i;
  return -1;
}
