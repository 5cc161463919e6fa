/*
 * fuzz_mail_template.c: any bytes as a mail wording file (letters/mail-*.yaml). An accepted
 * file is expanded like a message (subject and body, with every value present and with every
 * value missing) and its words are looked up, so a structure that loads cleanly but breaks
 * later is caught too.
 */
#include <stdlib.h>

#include "fuzz_support.h"
#include "mail/mail_template.h"

static void expand(const struct letter_template *wording, const struct template_text *text,
                   const char *const *values, const char *name) {
  char *output = NULL;
  struct error error;
  enum status status = template_expand(wording, text, values, &output, &error);
  fuzz_check_message(name, status, error.message);
  free(output);
}

static void expand_message(const struct letter_template *wording, const char *const *values,
                           const char *name) {
  expand(wording, &wording->title, values, name);
  for (size_t i = 0; i < wording->paragraph_count; i++)
    expand(wording, &wording->paragraphs[i], values, name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int fd;
  char path[64];
  fuzz_file(data, size, &fd, path, sizeof path);
  struct letter_template *wording = NULL;
  struct error error;
  enum status status = mail_template_load(path, &wording, &error);
  fuzz_check_message(path, status, error.message);
  if (status == STATUS_OK) {
    const char *present[MAIL_PLACEHOLDER_COUNT], *missing[MAIL_PLACEHOLDER_COUNT] = {0};
    for (int i = 0; i < MAIL_PLACEHOLDER_COUNT; i++)
      present[i] = mail_placeholder_name(i);
    expand_message(wording, present, path);
    expand_message(wording, missing, path);
    for (size_t i = 0; i < wording->word_count; i++)
      if (mail_template_word(wording, wording->word_keys[i], NULL) == NULL)
        abort(); /* a stored word that cannot be found again */
    if (mail_template_word(wording, "level.no-such-level.title", NULL) != NULL &&
        wording->word_count == 0)
      abort();
    letter_template_free(wording);
  }
  fuzz_file_close(fd);
  return 0;
}
