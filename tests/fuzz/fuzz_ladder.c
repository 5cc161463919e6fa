/*
 * fuzz_ladder.c: any bytes as rules/ladder.yaml; an accepted ladder is searched by name.
 */
#include "fuzz_support.h"
#include "rules/ladder.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct ladder *ladder = NULL;
  struct error error;
  enum status status = ladder_load_buffer("ladder.yaml", (const char *)data, size, &ladder, &error);
  fuzz_check_message("ladder.yaml", status, error.message);
  if (status != STATUS_OK)
    return 0;
  for (size_t i = 0; i < ladder->count; i++)
    if (ladder_find(ladder, ladder->levels[i].name) != (int)i)
      __builtin_trap(); /* level names are unique: the first match is the level itself */
  ladder_free(ladder);
  return 0;
}
