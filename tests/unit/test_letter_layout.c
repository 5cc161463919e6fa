/*
 * Letter layout with made-up metrics (every glyph 500/1000 em, space 250): line breaking,
 * justification, character-boundary breaks, page breaks and page numbers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "letter/layout.h"
#include "tap.h"

static struct font_metrics metrics;

static char *repeat(const char *piece, int times, const char *separator) {
  size_t size = (strlen(piece) + strlen(separator)) * (size_t)times + 1;
  char *text = malloc(size);
  text[0] = '\0';
  for (int i = 0; i < times; i++) {
    if (i > 0)
      strcat(text, separator);
    strcat(text, piece);
  }
  return text;
}

static bool valid_utf8(const char *text, size_t length) {
  size_t offset = 0;
  uint32_t code_point;
  while (offset < length)
    if (!text_next(text, length, &offset, &code_point))
      return false;
  return true;
}

/* Lays out `text` left-aligned between 100 and 100 + width; the lines joined with '|'. */
static void lines_of(struct layout *layout, const char *text, double width, char *out,
                     size_t size) {
  struct layout_style left = {FACE_REGULAR, 10, 12, LAYOUT_LEFT, 0, 0, 0, 0};
  layout_reset(layout);
  layout_paragraph(layout, text, &left, 100, 100 + width, NULL);
  out[0] = '\0';
  for (size_t i = 0; i < layout->run_count; i++) {
    size_t used = strlen(out);
    snprintf(out + used, size - used, "%s%s", i > 0 ? "|" : "",
             layout->text + layout->runs[i].text_offset);
  }
}

static void test_bound_numbers(struct layout *layout) {
  const char *text = "ngày 03 tháng 02 năm 2026, 09 giờ 30 x";
  size_t date = strlen("ngày"), month = strlen("ngày 03 tháng");
  tap_ok(layout_is_bound(text, 0, date, date + 3), "`ngày 03` is bound");
  tap_ok(layout_is_bound(text, date + 1, date + 3, month), "`03 tháng` is bound");
  tap_ok(layout_is_bound(text, month + 1, month + 3, month + 3 + strlen(" năm")),
         "`02 năm` is bound: the whole date is one group");
  tap_ok(!layout_is_bound("có 03 người", 3, 5, strlen("có 03 người")),
         "a number before another word is free");
  tap_ok(layout_is_bound(text, date + 4, month, month + 3), "`tháng 02` is bound");
  const char *time = "09 giờ 30, sau";
  tap_ok(layout_is_bound(time, 0, 2, 2 + strlen(" giờ")), "`09 giờ` is bound");
  tap_ok(layout_is_bound(time, 3, 3 + strlen("giờ"), 3 + strlen("giờ 30,")), "`giờ 30,` is bound");
  tap_ok(!layout_is_bound("năm người", 0, strlen("năm"), strlen("năm người")),
         "a unit word before a non-number is free");
  char lines[512];
  lines_of(layout, "aaaaaaaaaaaaa 09 giờ 30 bbb", 80, lines, sizeof lines);
  tap_is_string(lines, "aaaaaaaaaaaaa|09 giờ 30 bbb", "a time moves to the next line whole");
  lines_of(layout, "xxxxx ngày 03 tháng 02", 50, lines, sizeof lines);
  tap_is_string(lines, "xxxxx|ngày 03|tháng 02",
                "a date wider than the whole line breaks between its words, never inside one");
  lines_of(layout, "xxxxxxxxx ngày 03 tháng 02 năm 2026 yy", 150, lines, sizeof lines);
  tap_is_string(lines, "xxxxxxxxx|ngày 03 tháng 02 năm 2026 yy",
                "a date moves to the next line whole");
  struct layout_style justified = {FACE_REGULAR, 10, 12, LAYOUT_JUSTIFY, 0, 0, 0, 0};
  layout_reset(layout);
  layout_paragraph(layout, "a b 09 giờ 30 c d e f g h i j k l m n o p q r", &justified, 100, 150,
                   NULL);
  tap_is_string(layout->text + layout->runs[2].text_offset, "09 giờ 30",
                "a justified line sets a bound group as one run");
  tap_ok(layout->runs[2].width == 7 * 5 + 2 * 2.5, "with its natural spaces inside");
}

/* On a justified line only the spaces between groups stretch; a date keeps its own spaces. */
static void test_justified_date(struct layout *layout) {
  struct layout_style justified = {FACE_REGULAR, 10, 12, LAYOUT_JUSTIFY, 0, 0, 0, 0};
  const char *text = "aa bb ngày 05 tháng 02 năm 2026 cc 16 giờ 00 dd ee ff gg hh ii jj kk";
  layout_reset(layout);
  layout_paragraph(layout, text, &justified, 100, 300, NULL);
  const struct layout_run *date = NULL, *time = NULL;
  for (size_t i = 0; i < layout->run_count; i++) {
    const char *run = layout->text + layout->runs[i].text_offset;
    if (strcmp(run, "ngày 05 tháng 02 năm 2026") == 0)
      date = &layout->runs[i];
    if (strcmp(run, "16 giờ 00") == 0)
      time = &layout->runs[i];
  }
  tap_ok(date != NULL && time != NULL,
         "a justified line sets a whole date and a time as one run each");
  if (date == NULL || time == NULL)
    return;
  /* 20 glyphs and 5 spaces of 2.5 pt: the spaces inside keep their natural width. */
  tap_ok(date->width == 20 * 5 + 5 * 2.5, "the date run has its natural width (%.3f pt)",
         date->width);
  tap_ok(time->width == 7 * 5 + 2 * 2.5, "the time run has its natural width (%.3f pt)",
         time->width);
  const struct layout_run *before = date - 1, *after = date + 1;
  double gap_before = date->x - (before->x + before->width);
  double gap_after = after->x - (date->x + date->width);
  tap_ok(date->y == layout->runs[0].y && after->y == date->y, "all on the first line");
  tap_ok(gap_before > 2.5 + 0.5 && gap_after > 2.5 + 0.5 && gap_before == gap_after,
         "the spaces between groups stretch (%.3f and %.3f pt), all alike", gap_before, gap_after);
  const struct layout_run *last = &layout->runs[0];
  for (size_t i = 0; i < layout->run_count; i++)
    if (layout->runs[i].y == layout->runs[0].y)
      last = &layout->runs[i];
  tap_ok(last->x + last->width > 299.99 && last->x + last->width < 300.01,
         "and the line still ends at the right edge");
}

/* The room a blank to fill in may take on a paragraph's last line. */
static void test_room(void) {
  struct layout_style left = {FACE_REGULAR, 10, 12, LAYOUT_LEFT, 20, 0, 0, 0};
  tap_ok(layout_paragraph_room(&metrics, "", &left, 100) == 80,
         "an empty paragraph leaves its first line less the indent");
  tap_ok(layout_paragraph_room(&metrics, "Lý do:", &left, 100) == 100 - 20 - 27.5 - 2.5,
         "after a short first line: the rest of it less a space");
  tap_ok(layout_paragraph_room(&metrics, "aaaa bbbb cccc dddd", &left, 100) == 100 - 20 - 2.5,
         "after a run-over: the second line's rest (%.3f)",
         layout_paragraph_room(&metrics, "aaaa bbbb cccc dddd", &left, 100));
  tap_ok(layout_paragraph_room(&metrics, "aaaaaaaaaaaaaaaa", &left, 100) == 0,
         "a full line leaves no room");
}

/* break_before_line starts a new page before a given line; line_pages tells each line's page. */
static void test_break_before(struct layout *layout) {
  struct layout_style left = {FACE_REGULAR, 10, 12, LAYOUT_LEFT, 0, 0, 0, 0};
  layout_reset(layout);
  tap_ok(layout->break_before_line == SIZE_MAX, "layout_reset clears the forced break");
  layout->break_before_line = 3;
  layout_paragraph(layout, "aaaa bbbb cccc dddd eeee", &left, 100, 130, NULL); /* a word a line */
  tap_is_integer((long long)layout->line_count, 5, "five lines counted");
  tap_ok(layout->line_pages[0] == 0 && layout->line_pages[2] == 0 && layout->line_pages[3] == 1 &&
             layout->line_pages[4] == 1,
         "lines 3 and 4 go to page 2");
  tap_is_integer(layout->page_count, 2, "two pages");
  layout_reset(layout);
  layout->break_before_line = 0;
  layout_paragraph(layout, "aaaa", &left, 100, 150, NULL);
  tap_is_integer(layout->page_count, 1, "no empty page when the line already starts a page");
}

static void test_hanging_indent(struct layout *layout) {
  struct layout_style item = {FACE_REGULAR, 10, 12, LAYOUT_LEFT, 0, 0, 0, 7.5};
  layout_reset(layout);
  layout_paragraph(layout, "- aaaa bbbb cccc dddd eeee", &item, 100, 160, NULL);
  tap_is_integer((long long)layout->run_count, 3, "a list item over three lines");
  tap_ok(layout->runs[0].x == 100 && layout->runs[1].x == 107.5 && layout->runs[2].x == 107.5,
         "lines after the first hang under the text, not the dash");
  tap_ok(layout_paragraph_height(&metrics, "- aaaa bbbb cccc dddd eeee", &item, 60) == 36,
         "layout_paragraph_height counts the hanging indent");
}

int main(void) {
  for (int face = 0; face < FACE_COUNT; face++)
    for (int i = 0; i < TEXT_REPERTOIRE_SIZE; i++)
      metrics.width[face][i] = 500;
  for (int face = 0; face < FACE_COUNT; face++)
    metrics.width[face][text_repertoire_index(' ')] = 250;
  struct page_geometry geometry = layout_a4_geometry();
  struct layout layout;
  layout_init(&layout, &metrics, &geometry);

  tap_ok(layout_text_width(&metrics, FACE_REGULAR, 10, "abc", 3) == 15, "width of 3 glyphs");
  tap_ok(layout_text_width(&metrics, FACE_REGULAR, 10, "ệđ", strlen("ệđ")) == 10,
         "widths count characters, not bytes");

  /* 100 pt wide, 10 pt type: "aaaa" is 20 pt, a space 2.5 pt: four words per line. */
  struct layout_style justified = {FACE_REGULAR, 10, 12, LAYOUT_JUSTIFY, 0, 0, 0, 0};
  char *words = repeat("aaaa", 10, " ");
  layout_paragraph(&layout, words, &justified, 100, 200, NULL);
  tap_is_integer((long long)layout.run_count, 9,
                 "one run per word on justified lines, one for the last line");
  const struct layout_run *last_of_first_line = &layout.runs[3];
  tap_ok(last_of_first_line->x + last_of_first_line->width > 199.99 &&
             last_of_first_line->x + last_of_first_line->width < 200.01,
         "a justified line ends at the right edge (%.3f)",
         last_of_first_line->x + last_of_first_line->width);
  tap_ok(layout.runs[8].x == 100 && layout.runs[8].width == 42.5, "the last line is not stretched");
  tap_ok(layout.runs[0].y > layout.runs[4].y && layout.runs[4].y - layout.runs[8].y == 12,
         "lines go down by the leading");
  bool inside = true;
  for (size_t i = 0; i < layout.run_count; i++)
    inside &= layout.runs[i].x >= 100 && layout.runs[i].x + layout.runs[i].width <= 200.01;
  tap_ok(inside, "every run lies between the left and right edges");
  free(words);

  /* A 2,000-character word with 3-byte letters breaks between characters. */
  layout_reset(&layout);
  char *long_word = repeat("ệ", 2000, "");
  struct layout_style left = {FACE_REGULAR, 10, 12, LAYOUT_LEFT, 0, 0, 0, 0};
  layout_paragraph(&layout, long_word, &left, 100, 200, NULL);
  bool utf8 = true, fits = true;
  size_t characters = 0;
  for (size_t i = 0; i < layout.run_count; i++) {
    const struct layout_run *run = &layout.runs[i];
    if (run->page > 0 && i > 0 && layout.runs[i - 1].page != run->page)
      continue; /* the page number */
    utf8 &= valid_utf8(layout.text + run->text_offset, run->text_length);
    fits &= run->width <= 100.001;
    characters += run->text_length / 3;
  }
  tap_ok(utf8, "no run cuts a UTF-8 sequence");
  tap_ok(fits, "every piece of the long word fits the line");
  tap_is_integer((long long)characters, 2000, "no character lost");
  tap_is_integer((long long)layout.runs[0].text_length, 20 * 3, "20 characters per 100 pt line");
  free(long_word);

  /* Enough text for three pages: numbers on pages 2 and 3, text inside the margins. */
  layout_reset(&layout);
  char *reason = repeat("lý do chậm trễ", 500, " ");
  struct layout_style body = {FACE_REGULAR, 14, 17, LAYOUT_JUSTIFY, 36, 0, 6, 0};
  double height = layout_paragraph_height(&metrics, reason, &body,
                                          geometry.width - geometry.left - geometry.right);
  layout_paragraph(&layout, reason, &body, geometry.left, geometry.width - geometry.right, NULL);
  tap_ok(layout.page_count >= 3, "a long paragraph takes %d pages", layout.page_count);
  int numbers = 0;
  bool margins = true;
  for (size_t i = 0; i < layout.run_count; i++) {
    const struct layout_run *run = &layout.runs[i];
    double top = run->y + LAYOUT_ASCENT * run->size, bottom = run->y - LAYOUT_DESCENT * run->size;
    if (bottom > geometry.height - geometry.top) {
      char expected[8];
      snprintf(expected, sizeof expected, "%d", run->page + 1);
      numbers += strcmp(layout.text + run->text_offset, expected) == 0 && run->page > 0 &&
                 top < geometry.height;
      continue;
    }
    margins &= top <= geometry.height - geometry.top + 0.01 && bottom >= geometry.bottom - 0.01 &&
               run->x >= geometry.left - 0.01 &&
               run->x + run->width <= geometry.width - geometry.right + 0.01;
  }
  tap_is_integer(numbers, layout.page_count - 1, "every page after the first has its number");
  tap_ok(margins, "all other text lies inside the margins");
  tap_ok(height > 2 * (geometry.height - geometry.top - geometry.bottom),
         "layout_paragraph_height agrees that it needs more than two pages");
  free(reason);

  test_bound_numbers(&layout);
  test_hanging_indent(&layout);
  test_justified_date(&layout);
  test_room();
  test_break_before(&layout);

  layout_reset(&layout);
  layout_paragraph(&layout, "", &left, 100, 200, NULL);
  tap_is_integer((long long)layout.run_count, 0, "empty text sets no run");
  struct error error;
  tap_is_integer(layout_status(&layout, &error), STATUS_OK, "no allocation failure");
  layout_free(&layout);
  return tap_finish();
}
