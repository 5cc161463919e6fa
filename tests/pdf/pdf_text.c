#include "pdf_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

char *pdf_text(const struct letter_output *output, int page, const char *mode) {
  char *text = calloc(1, 1);
  char path[] = "/tmp/dunghen-pdf-text-XXXXXX";
  int descriptor = mkstemp(path);
  if (descriptor < 0 || text == NULL)
    return text;
  FILE *file = fdopen(descriptor, "wb");
  if (file == NULL) {
    close(descriptor);
    remove(path);
    return text;
  }
  fwrite(output->pdf, 1, output->size, file);
  fclose(file);
  char command[256];
  if (page > 0)
    snprintf(command, sizeof command, "pdftotext %s -f %d -l %d '%s' - 2>/dev/null", mode, page,
             page, path);
  else
    snprintf(command, sizeof command, "pdftotext %s '%s' - 2>/dev/null", mode, path);
  FILE *pipe = popen(command, "r");
  size_t used = 0, capacity = 1;
  while (pipe != NULL) {
    if (used + 4096 > capacity) {
      char *grown = realloc(text, capacity + 65536);
      if (grown == NULL)
        break;
      text = grown;
      capacity += 65536;
    }
    size_t got = fread(text + used, 1, capacity - used - 1, pipe);
    used += got;
    if (got == 0)
      break;
  }
  text[used] = '\0';
  if (pipe != NULL)
    pclose(pipe);
  remove(path);
  return text;
}
