/*
 * fuzz_text.c: any bytes through the letter text policy (text_clean, text_upper) and the line
 * breaker (layout_paragraph), checking the promises of text.h and layout.h:
 *   - cleaned text is valid UTF-8 drawn only from the repertoire, with no control character,
 *     no leading, trailing or doubled space, and cleaning it again changes nothing;
 *   - every laid-out run is whole UTF-8 characters, on a page that exists, and starts inside
 *     the line's margins.
 * The first four bytes choose the style (size, alignment, indent, line width), so the breaker
 * is also tried on narrow columns and large type; the widths are made up but realistic.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_support.h"
#include "letter/layout.h"
#include "letter/text.h"

static void check_clean(const char *text) {
  size_t length = strlen(text), offset = 0;
  if (length > 0 && (text[0] == ' ' || text[length - 1] == ' '))
    __builtin_trap();
  if (strstr(text, "  ") != NULL)
    __builtin_trap();
  while (offset < length) {
    uint32_t code_point;
    if (!text_next(text, length, &offset, &code_point))
      __builtin_trap(); /* not valid UTF-8 */
    if (text_repertoire_index(code_point) < 0 || code_point < 0x20 || code_point == 0x7F)
      __builtin_trap();
  }
}

static void check_idempotent(const char *text) {
  char *again = NULL;
  struct text_report report = {0};
  struct error error;
  if (text_clean(text, strlen(text), &again, &report, &error) != STATUS_OK)
    return;
  if (strcmp(again, text) != 0 || report.invalid + report.controls + report.unsupported != 0)
    __builtin_trap();
  free(again);
}

static void make_metrics(struct font_metrics *metrics) {
  for (int face = 0; face < FACE_COUNT; face++)
    for (int i = 0; i < TEXT_REPERTOIRE_SIZE; i++)
      metrics->width[face][i] = (uint16_t)(200 + (i * 37 + face * 11) % 800);
}

static void check_runs(const struct layout *layout, double left, double right) {
  for (size_t i = 0; i < layout->run_count; i++) {
    const struct layout_run *run = &layout->runs[i];
    const char *text = layout->text + run->text_offset;
    size_t offset = 0;
    uint32_t code_point;
    while (offset < run->text_length)
      if (!text_next(text, run->text_length, &offset, &code_point))
        __builtin_trap(); /* a run cut inside a UTF-8 sequence */
    if (run->page < 0 || run->page >= layout->page_count)
      __builtin_trap();
    /* Page numbers sit in the top margin, centred on the page, outside the column. */
    if (run->y < layout->geometry.height - layout->geometry.top &&
        (run->x < left - 0.01 || run->x > right + 0.01))
      __builtin_trap();
  }
}

static void lay_out(const char *text, const uint8_t *knobs) {
  static const enum letter_face faces[] = {FACE_REGULAR, FACE_BOLD, FACE_ITALIC, FACE_BOLD_ITALIC};
  struct font_metrics *metrics = malloc(sizeof *metrics);
  if (metrics == NULL)
    abort();
  make_metrics(metrics);
  struct page_geometry geometry = layout_a4_geometry();
  double size = 4 + knobs[0] % 60;
  struct layout_style style = {
      .face = faces[knobs[1] % 4],
      .size = size,
      .leading = size * (1.2 + (knobs[1] >> 4) / 16.0),
      .align = (enum layout_align)((knobs[1] >> 2) % 4),
      .first_indent = knobs[2] % 100,
      .space_before = 6,
      .space_after = 6,
  };
  double left = geometry.left, right = geometry.width - geometry.right;
  right = left + 120 + (right - left - 120) * (knobs[3] / 255.0); /* wider than any indent */
  struct layout layout;
  layout_init(&layout, metrics, &geometry);
  layout_paragraph_height(metrics, text, &style, right - left);
  double widest = 0;
  layout_paragraph(&layout, text, &style, left, right, &widest);
  layout_paragraph(&layout, text, &style, left, right, &widest); /* a second one below */
  struct error error;
  if (layout_status(&layout, &error) == STATUS_OK)
    check_runs(&layout, left, right);
  layout_free(&layout);
  free(metrics);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  uint8_t knobs[4] = {10, 3, 40, 255};
  if (size >= 4) {
    memcpy(knobs, data, 4);
    data += 4;
    size -= 4;
  }
  char *clean = NULL, *upper = NULL;
  struct text_report report = {0};
  struct error error;
  if (text_clean((const char *)data, size, &clean, &report, &error) != STATUS_OK)
    return 0;
  check_clean(clean);
  check_idempotent(clean);
  if (text_upper(clean, &upper, &error) == STATUS_OK) {
    check_clean(upper);
    lay_out(upper, knobs);
    free(upper);
  }
  lay_out(clean, knobs);
  free(clean);
  return 0;
}
