/*
 * fuzz_config.c: any bytes as the daemon's config file (config_load_buffer takes a C string,
 * so the input stops at its first NUL byte, as a file read with fgets-style code would not:
 * the file path is fuzzed through yaml_tree_load_buffer in fuzz_yaml_tree).
 */
#include <stdlib.h>

#include "fuzz_support.h"
#include "service/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = fuzz_string(data, size);
  struct config config;
  struct error error;
  enum status status = config_load_buffer("dunghen.yaml", text, &config, &error);
  fuzz_check_message("dunghen.yaml", status, error.message);
  if (status == STATUS_OK)
    config_free(&config);
  free(text);
  return 0;
}
