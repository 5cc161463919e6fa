/*
 * letter_render() through its C API, for what YAML input cannot carry: invalid UTF-8 bytes and
 * NULL fields; and the thread-safety promise: renderers on two threads (sharing one template
 * library and one agency table) produce exactly the bytes a single thread produces.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "letter/letter.h"
#include "sample_input.h"
#include "tap.h"

enum { THREAD_LETTERS = 40 };

static struct letter_library *library;
static const struct agency *agency;

static struct letter_input input_for(long number, const char *name) {
  return sample_input(agency, number, name, "Chờ ý kiến cơ quan phối hợp.", APOLOGY_FORM_2025);
}

static char *pdftotext(const struct letter_output *output) {
  char path[] = "/tmp/dunghen-api-XXXXXX";
  int descriptor = mkstemp(path);
  FILE *file = fdopen(descriptor, "wb");
  fwrite(output->pdf, 1, output->size, file);
  fclose(file);
  char command[200];
  snprintf(command, sizeof command, "pdftotext -raw '%s' - 2>/dev/null", path);
  FILE *pipe = popen(command, "r");
  char *text = calloc(1, 65536);
  size_t used = fread(text, 1, 65535, pipe);
  text[used] = '\0';
  pclose(pipe);
  remove(path);
  return text;
}

struct job {
  int offset;
  unsigned char *pdfs[THREAD_LETTERS];
  size_t sizes[THREAD_LETTERS];
  int failures;
};

static void *render_many(void *argument) {
  struct job *job = argument;
  struct letter_renderer *renderer;
  struct error error;
  if (letter_renderer_new(library, NULL, &renderer, &error) != STATUS_OK) {
    job->failures = THREAD_LETTERS;
    return NULL;
  }
  for (int i = 0; i < THREAD_LETTERS; i++) {
    struct letter_input input = input_for(job->offset + i, i % 2 ? "Trần Văn Bình" : "Lê Thị Yến");
    struct letter_output output;
    if (letter_render(renderer, &input, &output, &error) != STATUS_OK) {
      job->failures++;
      continue;
    }
    job->pdfs[i] = output.pdf;
    job->sizes[i] = output.size;
  }
  letter_renderer_free(renderer);
  return NULL;
}

int main(void) {
  char path[4096];
  struct error error;
  const char *source = getenv("DUNGHEN_SOURCE_ROOT");
  snprintf(path, sizeof path, "%s/letters", source);
  if (letter_library_load(path, &library, &error) != STATUS_OK)
    return tap_skip_all(error.message);
  struct agency_table agencies;
  snprintf(path, sizeof path, "%s/agencies.yaml", getenv("DUNGHEN_RULES"));
  if (agencies_load(path, &agencies, &error) != STATUS_OK)
    return tap_skip_all(error.message);
  agency = agencies_find(&agencies, "DLK-TTPVHCC");
  struct letter_renderer *renderer;
  if (letter_renderer_new(library, NULL, &renderer, &error) != STATUS_OK)
    return tap_skip_all(error.message);

  struct letter_input input = input_for(7, "Nguy\xE1\xBB"
                                           "n \xFF"
                                           "An");
  struct letter_output output;
  tap_is_integer(letter_render(renderer, &input, &output, &error), STATUS_OK,
                 "invalid UTF-8 in a name still renders");
  tap_is_integer((long long)output.warning_count, 1, "one warning");
  tap_is_string(output.warnings[0],
                "applicant_name: 3 invalid UTF-8 sequence(s), 0 control character(s), "
                "0 character(s) outside the font (first U+0000) printed as \u25A1",
                "the warning counts the bad bytes");
  char *text = pdftotext(&output);
  tap_contains(text, "Kính gửi: Nguy□□n □An", "each bad byte prints as □");
  free(text);
  tap_is_string(output.number, "07/PXL-TTPVHCC", "the number as printed");
  tap_is_integer(output.pages, 1, "one page");
  letter_output_free(&output);

  input = input_for(8, "Lê Văn Hùng");
  input.reason = NULL;
  tap_is_integer(letter_render(renderer, &input, &output, &error), STATUS_INVALID,
                 "a NULL field the template uses is an error");
  char expected[4200];
  snprintf(expected, sizeof expected, "%s/letters/form-2025.yaml:", source);
  tap_ok(strncmp(error.message, expected, strlen(expected)) == 0 &&
             strstr(error.message, ": no value for placeholder {reason}") != NULL,
         "the error names the template's FILE:LINE:COLUMN: %s", error.message);
  tap_ok(output.pdf == NULL, "nothing to free after a failure");

  input = input_for(9, "Lê Văn Hùng");
  input.form = APOLOGY_FORM_2018;
  tap_is_integer(letter_render(renderer, &input, &output, &error), STATUS_OK, "the 2018 form");
  text = pdftotext(&output);
  tap_contains(text, "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "2018 title");
  free(text);
  letter_output_free(&output);

  struct job jobs[2] = {{.offset = 100}, {.offset = 100}};
  pthread_t threads[2];
  for (int i = 0; i < 2; i++)
    pthread_create(&threads[i], NULL, render_many, &jobs[i]);
  for (int i = 0; i < 2; i++)
    pthread_join(threads[i], NULL);
  struct job single = {.offset = 100};
  render_many(&single);
  int different = 0;
  for (int i = 0; i < THREAD_LETTERS; i++)
    for (int t = 0; t < 2; t++)
      different += jobs[t].sizes[i] != single.sizes[i] ||
                   memcmp(jobs[t].pdfs[i], single.pdfs[i], single.sizes[i]) != 0;
  tap_is_integer(jobs[0].failures + jobs[1].failures + single.failures, 0,
                 "two threads render %d letters each", THREAD_LETTERS);
  tap_is_integer(different, 0, "byte for byte what one thread renders");
  for (int i = 0; i < THREAD_LETTERS; i++) {
    free(jobs[0].pdfs[i]);
    free(jobs[1].pdfs[i]);
    free(single.pdfs[i]);
  }
  letter_renderer_free(renderer);
  agencies_free(&agencies);
  letter_library_free(library);
  return tap_finish();
}
