/*
 * fuzz_template.c: any bytes as a letter template (letters/form-*.yaml). The loader takes only
 * a path, so the input goes through an in-memory file. An accepted template is expanded in full
 * twice: with every value present (the output must be a string) and with every value missing
 * (the first placeholder used must be reported with its location).
 */
#include <stdlib.h>

#include "fuzz_support.h"
#include "letter/template.h"

static void expand(const struct letter_template *template_in, const struct template_text *text,
                   const char *const *values, const char *name) {
  char *output = NULL;
  struct error error;
  enum status status = template_expand(template_in, text, values, &output, &error);
  fuzz_check_message(name, status, error.message);
  free(output);
}

static void expand_all(const struct letter_template *template_in, const char *const *values,
                       const char *name) {
  const struct template_text *fixed[] = {
      &template_in->national_title, &template_in->motto,
      &template_in->number_line,    &template_in->date_line,
      &template_in->title,          &template_in->salutation,
      &template_in->signer_note,    &template_in->recipients_heading,
  };
  for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
    expand(template_in, fixed[i], values, name);
  for (size_t i = 0; i < template_in->paragraph_count; i++)
    expand(template_in, &template_in->paragraphs[i], values, name);
  for (size_t i = 0; i < template_in->recipient_count; i++)
    expand(template_in, &template_in->recipients[i], values, name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int fd;
  char path[64];
  fuzz_file(data, size, &fd, path, sizeof path);
  struct letter_template *template_in = NULL;
  struct error error;
  enum status status = letter_template_load(path, &template_in, &error);
  fuzz_check_message(path, status, error.message);
  if (status == STATUS_OK) {
    const char *present[PLACEHOLDER_COUNT], *missing[PLACEHOLDER_COUNT] = {0};
    for (int i = 0; i < PLACEHOLDER_COUNT; i++)
      present[i] = letter_placeholder_name((enum letter_placeholder)i);
    expand_all(template_in, present, path);
    expand_all(template_in, missing, path);
    letter_template_free(template_in);
  }
  fuzz_file_close(fd);
  return 0;
}
