/*
 * What the letter says, read back with pdftotext (PRODUCT.md, "A letter an official can sign as
 * it is"): each form's wording before and after the promised time, and not the other one; the
 * reason as one sentence; no reason: a whole line of dots and reason_missing; the procedure name
 * without a doubled "Thủ tục". DUNGHEN_KEEP_PDF=DIR keeps the PDFs there, to look at them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "letter/letter.h"
#include "pdf_text.h"
#include "sample_input.h"
#include "tap.h"

static struct letter_renderer *renderer;
static const struct agency *agency;

/* pdftotext -raw of the whole letter, its white space collapsed to single spaces. */
static char *flat_text(const struct letter_output *output) {
  char *text = pdf_text(output, 0, "-raw");
  size_t written = 0;
  bool space = false;
  for (size_t i = 0; text[i] != '\0'; i++) {
    if (text[i] == ' ' || text[i] == '\n' || text[i] == '\f') {
      space = written > 0;
      continue;
    }
    if (space)
      text[written++] = ' ';
    space = false;
    text[written++] = text[i];
  }
  text[written] = '\0';
  return text;
}

static void keep(const struct letter_output *output, const char *name) {
  const char *directory = getenv("DUNGHEN_KEEP_PDF");
  if (directory == NULL)
    return;
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.pdf", directory, name);
  FILE *file = fopen(path, "wb");
  if (file == NULL)
    return;
  fwrite(output->pdf, 1, output->size, file);
  fclose(file);
}

/* Renders `input`; its flat text (free() it), or NULL after a failed check. */
static char *render(const struct letter_input *input, struct letter_output *output,
                    const char *name) {
  struct error error;
  if (!tap_is_integer(letter_render(renderer, input, output, &error), STATUS_OK, "%s renders",
                      name)) {
    tap_diagnostic("%s", error.message);
    return NULL;
  }
  keep(output, name);
  return flat_text(output);
}

struct wording_case {
  enum apology_form form;
  enum apology_wording wording;
  const char *name;
  const char *says[3];     /* in this order */
  const char *not_says[3]; /* the other wording's sentences */
};

static void test_wordings(void) {
  static const struct wording_case cases[] = {
      {APOLOGY_FORM_2025,
       APOLOGY_BEFORE_DEADLINE,
       "form-2025-before",
       {"Tuy nhiên, đến thời điểm này, Trung tâm Phục vụ hành chính công tỉnh Đắk Lắk dự kiến "
        "không trả được kết quả giải quyết hồ sơ cho ông/bà/tổ chức đúng thời hạn nêu trên. "
        "Lý do: Chờ ý kiến cơ quan phối hợp.",
        "Sự chậm trễ này sẽ gây phiền hà", "đề nghị gia hạn thời gian giải quyết hồ sơ"},
       {"đến thời hạn nêu trên", "chưa trả được kết quả", "đã gây phiền hà"}},
      {APOLOGY_FORM_2025,
       APOLOGY_AFTER_DEADLINE,
       "form-2025-after",
       {"Tuy nhiên, đến thời hạn nêu trên, Trung tâm Phục vụ hành chính công tỉnh Đắk Lắk chưa "
        "trả được kết quả giải quyết hồ sơ cho ông/bà/tổ chức. Lý do: Chờ ý kiến cơ quan phối "
        "hợp.",
        "Sự chậm trễ này đã gây phiền hà", "đề nghị gia hạn thời gian giải quyết hồ sơ"},
       {"dự kiến không trả được", "đến thời điểm này", "sẽ gây phiền hà"}},
      {APOLOGY_FORM_2018,
       APOLOGY_BEFORE_DEADLINE,
       "form-2018-before",
       {"Tuy nhiên, Trung tâm Phục vụ hành chính công tỉnh Đắk Lắk dự kiến không trả được kết "
        "quả giải quyết hồ sơ của ông/bà/tổ chức đúng thời hạn nêu trên. Lý do: Chờ ý kiến cơ "
        "quan phối hợp.",
        "Sự chậm trễ này sẽ gây phiền hà", "hẹn lại ngày trả kết quả giải quyết hồ sơ"},
       {"Tuy nhiên đến nay", "chưa trả kết quả", "đã gây phiền hà"}},
      {APOLOGY_FORM_2018,
       APOLOGY_AFTER_DEADLINE,
       "form-2018-after",
       {"Tuy nhiên đến nay, Trung tâm Phục vụ hành chính công tỉnh Đắk Lắk chưa trả kết quả "
        "giải quyết hồ sơ của ông/bà/tổ chức. Lý do: Chờ ý kiến cơ quan phối hợp.",
        "Sự chậm trễ này đã gây phiền hà", "sẽ trả kết quả giải quyết hồ sơ"},
       {"dự kiến không trả được", "sẽ gây phiền hà", "hẹn lại ngày trả"}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const struct wording_case *c = &cases[i];
    struct letter_input input =
        sample_input(agency, 10 + (long)i, "Lê Thị Yến", "Chờ ý kiến cơ quan phối hợp", c->form);
    input.wording = c->wording;
    struct letter_output output;
    char *text = render(&input, &output, c->name);
    if (text == NULL)
      continue;
    const char *at = text;
    bool in_order = true;
    for (int s = 0; s < 3; s++) {
      const char *found = strstr(at, c->says[s]);
      if (found == NULL) {
        tap_diagnostic("%s lacks, in order: %s", c->name, c->says[s]);
        in_order = false;
        break;
      }
      at = found + strlen(c->says[s]);
    }
    tap_ok(in_order, "%s: its wording, in order, the reason as a sentence", c->name);
    bool other = false;
    for (int s = 0; s < 3; s++)
      if (strstr(text, c->not_says[s]) != NULL) {
        tap_diagnostic("%s says: %s", c->name, c->not_says[s]);
        other = true;
      }
    tap_ok(!other, "%s: none of the other wording", c->name);
    tap_contains(text,
                 c->form == APOLOGY_FORM_2025
                     ? "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"
                     : "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
                 "%s: the form's title", c->name);
    tap_ok(strstr(text, "..") == NULL, "%s: no '..' anywhere", c->name);
    tap_ok(!output.reason_missing, "%s: reason_missing is false", c->name);
    free(text);
    letter_output_free(&output);
  }
}

static void test_reason_sentence(void) {
  static const struct {
    const char *reason, *printed, *name;
  } cases[] = {
      {"Chờ ý kiến cơ quan phối hợp.   ", "Lý do: Chờ ý kiến cơ quan phối hợp. Sự chậm trễ",
       "a full stop and trailing spaces: one stop"},
      {"Hồ sơ đã chuyển về xã./.", "Lý do: Hồ sơ đã chuyển về xã./. Sự chậm trễ", "./. stays"},
      {"Vì sao chưa có kết quả?", "Lý do: Vì sao chưa có kết quả? Sự chậm trễ", "a question"},
      {"Chờ ý kiến..", "Lý do: Chờ ý kiến. Sự chậm trễ", "'..' becomes one stop"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    struct letter_input input =
        sample_input(agency, 20 + (long)i, "Lê Thị Yến", cases[i].reason, APOLOGY_FORM_2025);
    struct letter_output output;
    char *text = render(&input, &output, "reason");
    if (text == NULL)
      continue;
    tap_contains(text, cases[i].printed, "reason printed as a sentence: %s", cases[i].name);
    free(text);
    letter_output_free(&output);
  }
}

/* The longest run of '.' on one line of `text`. */
static size_t longest_dots(const char *text) {
  size_t longest = 0, run = 0;
  for (const char *at = text; *at != '\0'; at++) {
    run = *at == '.' ? run + 1 : 0;
    if (run > longest)
      longest = run;
  }
  return longest;
}

/* The lines of `text` (pdftotext -layout) that hold a run of at least `least` dots. */
static int lines_with_dots(const char *text, size_t least) {
  int lines = 0;
  for (const char *line = text; *line != '\0';) {
    size_t length = strcspn(line, "\n");
    char *copy = strndup(line, length);
    lines += longest_dots(copy) >= least;
    free(copy);
    line += length + (line[length] == '\n');
  }
  return lines;
}

#define MM (72 / 25.4)
#define LEFT_EDGE (30 * MM)
#define RIGHT_EDGE (210 * MM - 15 * MM)
#define DOT_WIDTH 3.5 /* 14 pt Liberation Serif */

/* From pdftotext -bbox: where the dots after `do:` end, and where the next word (the next
 * line of dots) starts and ends. */
static void blank_boxes(const char *boxes, double *rest_end, double *line_start, double *line_end) {
  const char *word = strstr(boxes, ">do:</word>");
  for (int i = 0; word != NULL && i < 2; i++) {
    word = strstr(word + 1, "<word ");
    double x0, y0, x1, y1;
    if (word == NULL || sscanf(word, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"",
                               &x0, &y0, &x1, &y1) != 4)
      return;
    if (i == 0)
      *rest_end = x1;
    else {
      *line_start = x0;
      *line_end = x1;
    }
  }
}

static void test_missing_reason(void) {
  const char *blanks[] = {"", "  \t \n ", "\xE2\x80\x83"}; /* empty, blank, an em space */
  for (size_t i = 0; i < sizeof blanks / sizeof blanks[0]; i++) {
    enum apology_form form = i == 1 ? APOLOGY_FORM_2018 : APOLOGY_FORM_2025;
    struct letter_input input = sample_input(agency, 30 + (long)i, "Lê Thị Yến", blanks[i], form);
    input.wording = i == 2 ? APOLOGY_BEFORE_DEADLINE : APOLOGY_AFTER_DEADLINE;
    struct letter_output output;
    char name[64];
    snprintf(name, sizeof name, "no-reason-%zu", i);
    char *flat = render(&input, &output, name);
    if (flat == NULL)
      continue;
    char *text = pdf_text(&output, 0, "-layout");
    tap_ok(output.reason_missing, "%s: reason_missing is true", name);
    /* A whole line at 14 pt holds about 133 dots; what follows `Lý do:` on its line too. */
    tap_ok(lines_with_dots(text, 120) >= 1,
           "%s: a whole line of dots (%zu at most on one line) after `Lý do:`", name,
           longest_dots(text));
    const char *after = strstr(flat, "Lý do: ");
    tap_ok(after != NULL && after[strlen("Lý do: ")] == '.',
           "%s: the dots start right after `Lý do:`, on its line", name);
    double rest_end = 0, line_start = 0, line_end = 0;
    char *boxes = pdf_text(&output, 0, "-bbox");
    blank_boxes(boxes, &rest_end, &line_start, &line_end);
    free(boxes);
    tap_ok(rest_end > RIGHT_EDGE - DOT_WIDTH,
           "%s: the dots after `Lý do:` reach the right margin (%.1f of %.1f pt)", name, rest_end,
           RIGHT_EDGE);
    tap_ok(line_start < LEFT_EDGE + 0.5 && line_end > RIGHT_EDGE - DOT_WIDTH,
           "%s: the next line is dots from margin to margin (%.1f to %.1f pt)", name, line_start,
           line_end);
    bool warned = false;
    for (size_t w = 0; w < output.warning_count; w++)
      warned |= strcmp(output.warnings[w], "reason: empty; the letter leaves dotted lines to "
                                           "write it in by hand") == 0;
    tap_ok(warned, "%s: the warning says the reason is missing", name);
    free(text);
    free(flat);
    letter_output_free(&output);
  }
}

static void test_procedure_name(void) {
  const char *names[] = {"Thủ tục đăng ký khai sinh", "thủ tục đăng ký khai sinh",
                         "Thu\xCC\x89 tu\xCC\xA3"
                         "c đăng ký khai sinh"}; /* NFD */
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    struct letter_input input =
        sample_input(agency, 40 + (long)i, "Lê Thị Yến", "Chờ ý kiến", APOLOGY_FORM_2025);
    input.procedure_name = names[i];
    struct letter_output output;
    char *text = render(&input, &output, "procedure");
    if (text == NULL)
      continue;
    tap_contains(text, "giải quyết thủ tục hành chính đăng ký khai sinh của ông/bà/tổ chức",
                 "procedure name %zu: no doubled 'Thủ tục'", i);
    free(text);
    letter_output_free(&output);
  }
}

int main(void) {
  struct sample_input_setup setup;
  struct error error;
  if (!sample_input_setup_load(&setup, &error))
    return tap_skip_all(error.message);
  renderer = setup.renderer;
  agency = setup.agency;
  test_wordings();
  test_reason_sentence();
  test_missing_reason();
  test_procedure_name();
  sample_input_setup_free(&setup);
  return tap_finish();
}
