/*
 * fuzz_procedures.c: any bytes as rules/procedures.yaml; an accepted catalogue is looked up
 * by every code it holds and every version is formatted.
 */
#include "fuzz_support.h"
#include "rules/procedures.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct procedure_table table;
  struct error error;
  enum status status =
      procedures_load_buffer("procedures.yaml", (const char *)data, size, &table, &error);
  fuzz_check_message("procedures.yaml", status, error.message);
  if (status != STATUS_OK)
    return 0;
  for (size_t i = 0; i < table.count; i++) {
    const struct procedure *procedure = procedures_find(&table, table.items[i].code);
    for (size_t j = 0; procedure != NULL && j < procedure->version_count; j++) {
      const struct procedure_version *version = &procedure->versions[j];
      char text[64];
      for (int channel = 0; channel < CHANNEL_COUNT; channel++)
        deadline_format_duration(&version->durations[channel], text);
      deadline_format_duration(&version->extension, text);
      procedure_version_at(procedure, version->valid_from);
    }
  }
  procedures_suggest(&table, "1.00422");
  procedures_free(&table);
  return 0;
}
