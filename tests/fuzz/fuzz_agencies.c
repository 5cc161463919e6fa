/*
 * fuzz_agencies.c: any bytes as rules/agencies.yaml; every accepted agency formats letter
 * numbers at the extremes (the buffer is fixed: an overflow here would be a real one).
 */
#include <limits.h>

#include "fuzz_support.h"
#include "rules/agencies.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct agency_table table;
  struct error error;
  enum status status =
      agencies_load_buffer("agencies.yaml", (const char *)data, size, &table, &error);
  fuzz_check_message("agencies.yaml", status, error.message);
  if (status != STATUS_OK)
    return 0;
  static const long numbers[] = {0, 7, 99999, LONG_MAX, -1};
  for (size_t i = 0; i < table.count; i++) {
    char buffer[AGENCY_NUMBER_SIZE];
    for (size_t j = 0; j < sizeof numbers / sizeof numbers[0]; j++)
      agency_format_number(&table.agencies[i], numbers[j], 2026, buffer, &error);
    if (agencies_find(&table, table.agencies[i].code) == NULL)
      __builtin_trap();
  }
  agencies_free(&table);
  return 0;
}
