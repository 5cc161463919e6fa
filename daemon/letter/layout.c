/*
 * layout.c: greedy line breaking in font units, so that positions match what a PDF viewer
 * computes from the same integer widths (the W array libharu writes).
 */
#include "letter/layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PAGE_NUMBER_SIZE = 13 };

struct page_geometry layout_a4_geometry(void) {
  struct page_geometry geometry = {
      .width = 210 * LAYOUT_POINTS_PER_MM,
      .height = 297 * LAYOUT_POINTS_PER_MM,
      .top = 20 * LAYOUT_POINTS_PER_MM,
      .bottom = 20 * LAYOUT_POINTS_PER_MM,
      .left = 30 * LAYOUT_POINTS_PER_MM,
      .right = 15 * LAYOUT_POINTS_PER_MM,
  };
  return geometry;
}

void layout_init(struct layout *layout, const struct font_metrics *metrics,
                 const struct page_geometry *geometry) {
  memset(layout, 0, sizeof *layout);
  layout->metrics = metrics;
  layout->geometry = *geometry;
  layout_reset(layout);
}

void layout_reset(struct layout *layout) {
  layout->run_count = 0;
  layout->rule_count = 0;
  layout->box_count = 0;
  layout->line_shape_count = 0;
  layout->field_count = 0;
  layout->text_length = 0;
  layout->page_count = 1;
  layout->page = 0;
  layout->line_count = 0;
  layout->break_before_line = SIZE_MAX;
  layout->y = layout->geometry.height - layout->geometry.top;
  layout->failed = false;
}

void layout_free(struct layout *layout) {
  free(layout->runs);
  free(layout->rules);
  free(layout->boxes);
  free(layout->lines);
  free(layout->text);
  free(layout->line_pages);
  memset(layout, 0, sizeof *layout);
}

enum status layout_status(const struct layout *layout, struct error *error) {
  if (layout->failed)
    return error_set(error, STATUS_RUNTIME, "out of memory laying out a letter");
  return STATUS_OK;
}

static bool grow(void **items, size_t *capacity, size_t needed, size_t item_size) {
  if (needed <= *capacity)
    return true;
  size_t next = *capacity == 0 ? 64 : *capacity;
  while (next < needed)
    next *= 2;
  void *grown = realloc(*items, next * item_size);
  if (grown == NULL)
    return false;
  *items = grown;
  *capacity = next;
  return true;
}

static unsigned char_units(const struct font_metrics *metrics, enum letter_face face,
                           uint32_t code_point) {
  int index = text_repertoire_index(code_point);
  if (index < 0)
    index = text_repertoire_index(TEXT_REPLACEMENT);
  return metrics->width[face][index];
}

/* Width in 1/1000 em of text[start, end). */
static double units_of(const struct font_metrics *metrics, enum letter_face face, const char *text,
                       size_t start, size_t end) {
  double units = 0;
  size_t offset = start;
  uint32_t code_point;
  while (offset < end) {
    if (!text_next(text, end, &offset, &code_point))
      code_point = TEXT_REPLACEMENT;
    units += char_units(metrics, face, code_point);
  }
  return units;
}

double layout_text_width(const struct font_metrics *metrics, enum letter_face face, double size,
                         const char *text, size_t length) {
  return units_of(metrics, face, text, 0, length) * size / 1000.0;
}

struct line {
  size_t start, end; /* bytes of the line, without surrounding spaces */
  double units;      /* natural width in 1/1000 em */
  size_t spaces;     /* spaces inside the line */
  bool last;         /* the paragraph's last line */
};

static size_t word_end(const char *text, size_t length, size_t offset) {
  while (offset < length && text[offset] != ' ')
    offset++;
  return offset;
}

static bool word_is(const char *text, size_t start, size_t end, const char *const *words) {
  for (; *words != NULL; words++)
    if (strlen(*words) == end - start && memcmp(text + start, *words, end - start) == 0)
      return true;
  return false;
}

static bool word_is_number(const char *text, size_t start, size_t end) {
  return start < end && text[start] >= '0' && text[start] <= '9';
}

bool layout_is_bound(const char *text, size_t before_start, size_t space, size_t after_end) {
  static const char *const date_units[] = {"ngày", "tháng", "năm", "Ngày", "Tháng", "Năm", NULL};
  static const char *const hours[] = {"giờ", NULL};
  static const char *const later_units[] = {"tháng", "năm", "giờ", "phút", NULL};
  size_t after_start = space + 1;
  if (word_is_number(text, after_start, after_end))
    return word_is(text, before_start, space, date_units) ||
           word_is(text, before_start, space, hours);
  return word_is_number(text, before_start, space) &&
         word_is(text, after_start, after_end, later_units);
}

/* The end of the unbreakable group of words starting at `offset` (one word, or several bound
 * by layout_is_bound): lines break only between groups. */
static size_t group_end(const char *text, size_t length, size_t offset) {
  size_t start = offset, end = word_end(text, length, offset);
  while (end < length && end + 1 < length && text[end + 1] != ' ') {
    size_t next_end = word_end(text, length, end + 1);
    if (!layout_is_bound(text, start, end, next_end))
      break;
    start = end + 1;
    end = next_end;
  }
  return end;
}

/*
 * The longest prefix of text[start, end) at most `limit` units wide, cut at a character
 * boundary; at least one character so that every line makes progress.
 */
static size_t fit_characters(const struct font_metrics *metrics, enum letter_face face,
                             const char *text, size_t start, size_t end, double limit,
                             double *units) {
  size_t offset = start, fitted = start;
  double total = 0;
  uint32_t code_point;
  while (offset < end) {
    size_t before = offset;
    if (!text_next(text, end, &offset, &code_point))
      code_point = TEXT_REPLACEMENT;
    double width = char_units(metrics, face, code_point);
    if (total + width > limit && before > start) {
      offset = before;
      break;
    }
    total += width;
    fitted = offset;
  }
  *units = total;
  return fitted;
}

/*
 * A group of words [start, end) wider than a whole line (a date on a very narrow line): as many
 * of its words as fit, or, when its first word alone is wider, that word's first characters.
 */
static void take_part(const struct font_metrics *metrics, enum letter_face face, const char *text,
                      size_t start, size_t end, double limit, struct line *line) {
  double space_units = char_units(metrics, face, ' ');
  size_t at = start;
  double units = 0;
  while (at < end) {
    size_t next = word_end(text, end, at);
    double word = units_of(metrics, face, text, at, next);
    double candidate = at == start ? word : units + space_units + word;
    if (candidate > limit)
      break;
    units = candidate;
    line->end = next; /* its spaces are inside a group: they never stretch */
    at = next + 1;
  }
  if (line->end > start) {
    line->units = units;
    return;
  }
  line->end =
      fit_characters(metrics, face, text, start, word_end(text, end, start), limit, &line->units);
}

/* Takes the next line starting at *offset, at most `limit` units wide. False at the end. */
static bool next_line(const struct font_metrics *metrics, enum letter_face face, const char *text,
                      size_t length, size_t *offset, double limit, struct line *line) {
  size_t at = *offset;
  if (at < length && text[at] == ' ')
    at++;
  if (at >= length)
    return false;
  double space_units = char_units(metrics, face, ' ');
  memset(line, 0, sizeof *line);
  line->start = at;
  line->end = at;
  bool empty = true;
  while (at < length) {
    size_t end = group_end(text, length, at);
    double word = units_of(metrics, face, text, at, end);
    double candidate = empty ? word : line->units + space_units + word;
    if (candidate > limit) {
      if (empty)
        take_part(metrics, face, text, at, end, limit, line);
      break;
    }
    if (!empty)
      line->spaces++;
    line->units = candidate;
    line->end = end;
    empty = false;
    at = end;
    if (at < length)
      at++; /* the space */
  }
  *offset = line->end;
  line->last = line->end >= length;
  return true;
}

double layout_paragraph_height(const struct font_metrics *metrics, const char *text,
                               const struct layout_style *style, double width) {
  size_t length = strlen(text), offset = 0, lines = 0;
  struct line line;
  double indent = style->first_indent;
  while (next_line(metrics, style->face, text, length, &offset,
                   (width - indent) * 1000.0 / style->size, &line)) {
    lines++;
    indent = style->hanging_indent;
  }
  return style->space_before + (double)lines * style->leading + style->space_after;
}

double layout_paragraph_room(const struct font_metrics *metrics, const char *text,
                             const struct layout_style *style, double width) {
  size_t length = strlen(text), offset = 0;
  double indent = style->first_indent, room = width - indent;
  struct line line;
  while (next_line(metrics, style->face, text, length, &offset,
                   (width - indent) * 1000.0 / style->size, &line)) {
    double used = (line.units + char_units(metrics, style->face, ' ')) * style->size / 1000.0;
    room = width - indent - used;
    indent = style->hanging_indent;
  }
  return room > 0 ? room : 0;
}

static void add_run(struct layout *layout, double x, double baseline, enum letter_face face,
                    double size, const char *text, size_t length, double width) {
  if (layout->failed)
    return;
  if (!grow((void **)&layout->runs, &layout->run_capacity, layout->run_count + 1,
            sizeof *layout->runs) ||
      !grow((void **)&layout->text, &layout->text_capacity, layout->text_length + length + 1, 1)) {
    layout->failed = true;
    return;
  }
  struct layout_run *run = &layout->runs[layout->run_count++];
  run->page = layout->page;
  run->x = x;
  run->y = baseline;
  run->face = face;
  run->size = size;
  run->width = width;
  run->text_offset = layout->text_length;
  run->text_length = length;
  memcpy(layout->text + layout->text_length, text, length);
  layout->text[layout->text_length + length] = '\0'; /* each run is a C string for libharu */
  layout->text_length += length + 1;
}

/* Room for one more item at the end of a list of shapes: false (and `failed` set) when memory
 * runs out or a previous call failed. */
static bool room_for_one(struct layout *layout, void **items, size_t *capacity, size_t count,
                         size_t item_size) {
  if (layout->failed)
    return false;
  if (!grow(items, capacity, count + 1, item_size))
    layout->failed = true;
  return !layout->failed;
}

void layout_rule(struct layout *layout, double x1, double x2, double y) {
  if (room_for_one(layout, (void **)&layout->rules, &layout->rule_capacity, layout->rule_count,
                   sizeof *layout->rules))
    layout->rules[layout->rule_count++] = (struct layout_rule){layout->page, x1, x2, y};
}

void layout_box(struct layout *layout, double x, double y, double width, double height,
                const double colour[3], double outline) {
  if (room_for_one(layout, (void **)&layout->boxes, &layout->box_capacity, layout->box_count,
                   sizeof *layout->boxes))
    layout->boxes[layout->box_count++] = (struct layout_box){
        layout->page, x, y, width, height, colour[0], colour[1], colour[2], outline};
}

void layout_field(struct layout *layout, const char *name, double x, double y, double width,
                  double height) {
  if (layout->failed)
    return;
  if (layout->field_count == LAYOUT_FIELD_MAX || strlen(name) >= LAYOUT_FIELD_NAME_SIZE) {
    layout->failed = true;
    return;
  }
  struct layout_field *field = &layout->fields[layout->field_count++];
  field->page = layout->page;
  field->x = x;
  field->y = y;
  field->width = width;
  field->height = height;
  snprintf(field->name, sizeof field->name, "%s", name);
}

void layout_line(struct layout *layout, double x1, double y1, double x2, double y2, double width) {
  if (room_for_one(layout, (void **)&layout->lines, &layout->line_shape_capacity,
                   layout->line_shape_count, sizeof *layout->lines))
    layout->lines[layout->line_shape_count++] =
        (struct layout_line){layout->page, x1, y1, x2, y2, width};
}

double layout_text_at(struct layout *layout, double x, double baseline, enum letter_face face,
                      double size, const char *text) {
  size_t length = strlen(text);
  double width = layout_text_width(layout->metrics, face, size, text, length);
  add_run(layout, x, baseline, face, size, text, length, width);
  return width;
}

void layout_new_page(struct layout *layout) {
  layout->page = layout->page_count++;
  layout->y = layout->geometry.height - layout->geometry.top;
  char number[16];
  int length = snprintf(number, sizeof number, "%d", layout->page + 1);
  double width =
      layout_text_width(layout->metrics, FACE_REGULAR, PAGE_NUMBER_SIZE, number, (size_t)length);
  /* Centred in the top margin, its glyph box well inside it. */
  double baseline = layout->geometry.height - layout->geometry.top / 2 -
                    (LAYOUT_ASCENT - LAYOUT_DESCENT) / 2 * PAGE_NUMBER_SIZE;
  add_run(layout, (layout->geometry.width - width) / 2, baseline, FACE_REGULAR, PAGE_NUMBER_SIZE,
          number, (size_t)length, width);
}

static bool at_page_top(const struct layout *layout) {
  return layout->y >= layout->geometry.height - layout->geometry.top - 1e-6;
}

/* Counts a line about to be set on the current page, starting a new page first if needed. */
static void start_line(struct layout *layout, double leading) {
  bool forced = layout->line_count == layout->break_before_line && !at_page_top(layout);
  if (forced || !layout_fits(layout, leading))
    layout_new_page(layout);
  if (layout->failed)
    return;
  if (!grow((void **)&layout->line_pages, &layout->line_capacity, layout->line_count + 1,
            sizeof *layout->line_pages)) {
    layout->failed = true;
    return;
  }
  layout->line_pages[layout->line_count++] = layout->page;
}

bool layout_fits(const struct layout *layout, double height) {
  return layout->y - height >= layout->geometry.bottom - 1e-6;
}

void layout_space(struct layout *layout, double points) {
  /* Clamped, not a page break: a page is started only by a line that needs one. */
  layout->y -= points;
  if (layout->y < layout->geometry.bottom)
    layout->y = layout->geometry.bottom;
}

static void set_line(struct layout *layout, const char *text, const struct line *line,
                     const struct layout_style *style, double left, double right, double indent) {
  double size = style->size;
  double available = right - left - indent;
  double natural = line->units * size / 1000.0;
  /* The glyph box (ascent + descent) is centred in the leading. */
  double baseline = layout->y - (style->leading - (LAYOUT_ASCENT + LAYOUT_DESCENT) * size) / 2 -
                    LAYOUT_ASCENT * size;
  double x = left + indent;
  if (style->align == LAYOUT_JUSTIFY && !line->last && line->spaces > 0 && natural < available) {
    double space = char_units(layout->metrics, style->face, ' ') * size / 1000.0;
    double gap = space + (available - natural) / (double)line->spaces;
    size_t at = line->start;
    while (at < line->end) {
      size_t end = group_end(text, line->end, at);
      double width = layout_text_width(layout->metrics, style->face, size, text + at, end - at);
      add_run(layout, x, baseline, style->face, size, text + at, end - at, width);
      x += width + gap;
      at = end + 1;
    }
    return;
  }
  if (style->align == LAYOUT_CENTER)
    x += (available - natural) / 2;
  else if (style->align == LAYOUT_RIGHT)
    x += available - natural;
  add_run(layout, x, baseline, style->face, size, text + line->start, line->end - line->start,
          natural);
}

void layout_paragraph(struct layout *layout, const char *text, const struct layout_style *style,
                      double left, double right, double *widest) {
  size_t length = strlen(text), offset = 0;
  double indent = style->first_indent, most = 0;
  struct line line;
  layout_space(layout, style->space_before);
  while (next_line(layout->metrics, style->face, text, length, &offset,
                   (right - left - indent) * 1000.0 / style->size, &line)) {
    start_line(layout, style->leading);
    set_line(layout, text, &line, style, left, right, indent);
    layout->y -= style->leading;
    double width = line.units * style->size / 1000.0;
    if (width > most)
      most = width;
    indent = style->hanging_indent;
  }
  layout_space(layout, style->space_after);
  if (widest != NULL)
    *widest = most;
}

/* The widest unbreakable group of words of `text`, in points. */
static double widest_group(const struct font_metrics *metrics, const char *text,
                           const struct layout_style *style) {
  size_t length = strlen(text), at = 0;
  double widest = 0;
  while (at < length) {
    size_t end = group_end(text, length, at);
    double width = units_of(metrics, style->face, text, at, end) * style->size / 1000.0;
    widest = width > widest ? width : widest;
    at = end + 1;
  }
  return widest;
}

double layout_balanced(struct layout *layout, const char *text, const struct layout_style *style,
                       double left, double right) {
  double width = right - left;
  double lines = layout_paragraph_height(layout->metrics, text, style, width);
  if (lines > style->leading * 1.5 + style->space_before + style->space_after) {
    /* Never narrower than a word: a narrow column would otherwise cut one as often as not. */
    double low = width / 2, high = width;
    double word = widest_group(layout->metrics, text, style);
    if (word > low)
      low = word < high ? word : high;
    for (int step = 0; step < 12; step++) {
      double middle = (low + high) / 2;
      if (layout_paragraph_height(layout->metrics, text, style, middle) > lines)
        low = middle;
      else
        high = middle;
    }
    width = high + 0.01;
  }
  double middle = (left + right) / 2, widest = 0;
  layout_paragraph(layout, text, style, middle - width / 2, middle + width / 2, &widest);
  return widest;
}
