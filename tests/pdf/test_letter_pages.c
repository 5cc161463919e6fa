/*
 * The signature block never stands alone on a page (PRODUCT.md, "A letter an official can sign
 * as it is"): reasons of 1 to 40 sentences, in both forms and both wordings, each read back
 * with `pdftotext -layout -f N -l N` on its last page, which must carry at least two body lines
 * before the signer's title, and, after page 1, its page number first.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "letter/letter.h"
#include "pdf_text.h"
#include "sample_input.h"
#include "tap.h"

enum { MOST_SENTENCES = 40 };

static const char *const sentences[] = {
    "Hồ sơ cần xác minh thêm nguồn gốc sử dụng đất với Ủy ban nhân dân xã Ea Kar.",
    "Kết quả đo đạc thửa đất chưa được Văn phòng đăng ký đất đai gửi về.",
    "Cơ quan phối hợp đề nghị lấy thêm ý kiến của các hộ liền kề về ranh giới thửa đất.",
    "Biên bản kiểm tra hiện trạng ngày 03 tháng 02 năm 2026 chưa có đủ chữ ký của các bên.",
    "Hệ thống thông tin đất đai tạm dừng để nâng cấp từ 08 giờ 00 đến 17 giờ 00.",
};

/* `count` sentences, taken in turn from the list above, into a new string. */
static char *reason_of(int count) {
  size_t size = 1;
  for (int i = 0; i < count; i++)
    size += strlen(sentences[i % 5]) + 1;
  char *reason = malloc(size);
  reason[0] = '\0';
  for (int i = 0; i < count; i++) {
    if (i > 0)
      strcat(reason, " ");
    strcat(reason, sentences[i % 5]);
  }
  return reason;
}

static bool blank(const char *line, size_t length) {
  for (size_t i = 0; i < length; i++)
    if (!isspace((unsigned char)line[i]))
      return false;
  return true;
}

static bool only_digits(const char *line, size_t length) {
  size_t digits = 0;
  for (size_t i = 0; i < length; i++) {
    if (isdigit((unsigned char)line[i]))
      digits++;
    else if (!isspace((unsigned char)line[i]))
      return false;
  }
  return digits > 0;
}

/*
 * On one page's text: how many non-blank lines come before the first one holding the signer's
 * title (the page number aside); -1 when the title is not on the page. *number_first tells
 * whether the page's first non-blank line is the page number `page`.
 */
static int lines_before_signature(const char *text, const char *title, int page,
                                  bool *number_first) {
  int lines = 0;
  bool first = true;
  *number_first = false;
  for (const char *line = text; *line != '\0';) {
    size_t length = strcspn(line, "\n");
    if (!blank(line, length)) {
      if (memmem(line, length, title, strlen(title)) != NULL)
        return lines;
      if (first && only_digits(line, length) && atoi(line) == page)
        *number_first = true;
      else
        lines++;
      first = false;
    }
    line += length + (line[length] == '\n');
  }
  return -1;
}

static void check_lengths(struct letter_renderer *renderer, const struct agency *agency,
                          enum apology_form form, enum apology_wording wording) {
  const char *form_name = form == APOLOGY_FORM_2018 ? "2018" : "2025";
  const char *wording_name = wording == APOLOGY_BEFORE_DEADLINE ? "before" : "after";
  char failures[1024] = "";
  int multi_page = 0, failed = 0;
  for (int count = 1; count <= MOST_SENTENCES; count++) {
    char *reason = reason_of(count);
    struct letter_input input = sample_input(agency, count, "Nguyễn Thị Thu Hương", reason, form);
    input.wording = wording;
    struct letter_output output;
    struct error error;
    if (letter_render(renderer, &input, &output, &error) != STATUS_OK) {
      tap_diagnostic("%d sentences: %s", count, error.message);
      failed++;
      free(reason);
      continue;
    }
    char *text = pdf_text(&output, output.pages, "-layout");
    bool number_first;
    int lines = lines_before_signature(text, agency->signer_title, output.pages, &number_first);
    bool good = lines >= 2 && (output.pages == 1 || number_first);
    multi_page += output.pages > 1;
    if (!good) {
      failed++;
      size_t used = strlen(failures);
      snprintf(failures + used, sizeof failures - used,
               "%s%d sentences: page %d of %d has %d body line(s) before the signature%s",
               used > 0 ? "; " : "", count, output.pages, output.pages, lines,
               output.pages > 1 && !number_first ? ", no page number" : "");
    }
    free(text);
    letter_output_free(&output);
    free(reason);
  }
  tap_ok(failed == 0,
         "form %s, %s the deadline: reasons of 1 to %d sentences; the page with the signature "
         "carries at least two body lines (%d letters on more than one page)",
         form_name, wording_name, MOST_SENTENCES, multi_page);
  if (failed > 0)
    tap_diagnostic("%s", failures);
  tap_ok(multi_page >= 10, "form %s, %s: the longer reasons do reach a second page (%d)", form_name,
         wording_name, multi_page);
}

int main(void) {
  struct sample_input_setup setup;
  struct error error;
  if (!sample_input_setup_load(&setup, &error))
    return tap_skip_all(error.message);
  enum apology_form forms[] = {APOLOGY_FORM_2025, APOLOGY_FORM_2018};
  enum apology_wording wordings[] = {APOLOGY_AFTER_DEADLINE, APOLOGY_BEFORE_DEADLINE};
  for (int f = 0; f < 2; f++)
    for (int w = 0; w < 2; w++)
      check_lengths(setup.renderer, setup.agency, forms[f], wordings[w]);
  sample_input_setup_free(&setup);
  return tap_finish();
}
