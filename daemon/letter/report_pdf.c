/*
 * report_pdf.c: the progress report as PDF (see report_pdf.h). Everything is laid out by
 * letter/layout.h on A4 landscape pages, in the letter's font (letter/font_files.h) and written
 * by letter/pdf.h, so the text extracts exactly as in letters.
 *
 * The order is a report's: letterhead (letter/letterhead.h), title, period and grouping; I. the
 * table of Decision 766's progress index, its header repeated on every page it runs onto and a
 * total row kept with the last group; II. the charts, two stacked bars a group with a legend and
 * an axis on every page they run onto; III. the late dossiers without an apology letter; IV. the
 * notes; the signature block, kept on one page with the last note. Counts are written the
 * Vietnamese way (1.234; 85,71).
 */
#include "letter/report_pdf.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "letter/font_files.h"
#include "letter/layout.h"
#include "letter/letter.h"
#include "letter/letterhead.h"
#include "letter/pdf.h"
#include "letter/text.h"

#define MM LAYOUT_POINTS_PER_MM
#define LEFT_COLUMN_WIDTH (90 * MM)   /* governing body, unit, number; `Nơi nhận` */
#define RIGHT_COLUMN_WIDTH (110 * MM) /* national title, motto, date; the signature */
#define SIGNATURE_SPACE (24 * MM)     /* room to sign and stamp */
#define TABLE_SIZE 8.5                /* the table's labels and figures, unless they need less */
#define SMALLEST_TABLE_SIZE 6.0
#define HEADER_SIZE 8.0    /* the table's header */
#define NUMBERING_SIZE 7.0 /* the row of column numbers under the header */
#define CELL_PADDING 2.5
#define NARROWEST_FIGURE 24.0     /* points: a figure column is never narrower */
#define WIDEST_LABEL (70 * MM)    /* the label column, when the figures leave more room */
#define NARROWEST_LABEL (40 * MM) /* below this, the table's figures get smaller */
#define GRID_WIDTH 0.4
#define BODY_SIZE 11.0 /* the lists and the notes */
#define SECTION_SIZE 12.0
/* Charts: label, bar captions, bars, room for the bar's total after its end. */
#define CHART_LABEL_WIDTH (62 * MM)
#define CHART_CAPTION_WIDTH (24 * MM)
#define CHART_END_ROOM (16 * MM)
#define CHART_LABEL_SIZE 9.0
#define CHART_FIGURE_SIZE 7.0
#define BAR_HEIGHT 8.0
#define BAR_GAP 2.0
#define BLOCK_GAP 6.0
#define AXIS_HEIGHT 15.0
#define BAR_OUTLINE 0.3

/* The bars' colours: each of a distinct lightness (about 0.91, 0.70 and 0.51 for done early,
 * on time and late; 0.84 and 0.56 for in progress on time and overdue, as grey = 0.299 R +
 * 0.587 G + 0.114 B), so a grey print still tells them apart, and none so dark that the black
 * figure written on it is lost. */
static const double colour_early[3] = {0.85, 0.95, 0.85};
static const double colour_done_on_time[3] = {0.55, 0.80, 0.55};
static const double colour_late[3] = {0.90, 0.36, 0.30};
static const double colour_progress_on_time[3] = {0.76, 0.86, 0.96};
static const double colour_overdue[3] = {0.93, 0.45, 0.15};
static const double colour_grid[3] = {0.75, 0.75, 0.75};

/* ---------------------------------------------------------------- the table's columns */

enum value {
  VALUE_INDEX,
  VALUE_LABEL,
  VALUE_RECEIVED,
  VALUE_CARRIED_OVER,
  VALUE_ONLINE,
  VALUE_DIRECT,
  VALUE_POSTAL,
  VALUE_OTHER,
  VALUE_DONE,
  VALUE_EARLY,
  VALUE_DONE_ON_TIME,
  VALUE_LATE,
  VALUE_IN_PROGRESS,
  VALUE_PROGRESS_ON_TIME,
  VALUE_OVERDUE,
  VALUE_WITHDRAWN,
  VALUE_UNCLASSIFIED,
  VALUE_SHARE,
  VALUE_SCORE,
  VALUE_LETTERS,
  VALUE_WITHOUT_LETTER,
  VALUE_MISSED_NEW_DATE,
};

enum { HEADER_LEVELS = 3, COLUMN_MOST = 24 };

/* Header cells merge across columns whose headers are the same pointers down to their level. */
static const char RECEIVED[] = "Số hồ sơ tiếp nhận";
static const char IN_PERIOD[] = "Trong kỳ";
static const char DONE[] = "Đã giải quyết";
static const char IN_PROGRESS[] = "Đang giải quyết";
static const char TOTAL[] = "Tổng số";

/* A column's headers from the top; NULL: the cell above runs down through this level. */
struct column_spec {
  enum value value;
  const char *headers[HEADER_LEVELS];
};

static const struct column_spec column_specs[] = {
    {VALUE_INDEX, {"STT", NULL, NULL}},
    {VALUE_LABEL, {NULL, NULL, NULL}}, /* named by the grouping */
    {VALUE_RECEIVED, {RECEIVED, TOTAL, NULL}},
    {VALUE_CARRIED_OVER, {RECEIVED, "Kỳ trước chuyển qua", NULL}},
    {VALUE_ONLINE, {RECEIVED, IN_PERIOD, "Trực tuyến"}},
    {VALUE_DIRECT, {RECEIVED, IN_PERIOD, "Trực tiếp"}},
    {VALUE_POSTAL, {RECEIVED, IN_PERIOD, "Bưu chính"}},
    {VALUE_OTHER, {RECEIVED, IN_PERIOD, "Khác"}},
    {VALUE_DONE, {DONE, TOTAL, NULL}},
    {VALUE_EARLY, {DONE, "Trước hạn", NULL}},
    {VALUE_DONE_ON_TIME, {DONE, "Đúng hạn", NULL}},
    {VALUE_LATE, {DONE, "Trễ hạn", NULL}},
    {VALUE_IN_PROGRESS, {IN_PROGRESS, TOTAL, NULL}},
    {VALUE_PROGRESS_ON_TIME, {IN_PROGRESS, "Trong hạn", NULL}},
    {VALUE_OVERDUE, {IN_PROGRESS, "Quá hạn", NULL}},
    {VALUE_WITHDRAWN, {"Rút/từ chối", NULL, NULL}},
    {VALUE_UNCLASSIFIED, {"Chưa phân loại", NULL, NULL}},
    {VALUE_SHARE, {"Tỷ lệ đúng hạn (%)", NULL, NULL}},
    {VALUE_SCORE, {"Điểm (/20)", NULL, NULL}},
    {VALUE_LETTERS, {"Phiếu xin lỗi", NULL, NULL}},
    {VALUE_WITHOUT_LETTER, {"Trễ hạn chưa có phiếu", NULL, NULL}},
    {VALUE_MISSED_NEW_DATE, {"Trễ hẹn lại", NULL, NULL}},
};

struct column {
  const struct column_spec *spec;
  double x, width;
};

struct header_cell {
  const char *text;
  size_t first, last; /* columns */
  int top, bottom;    /* header levels */
};

/* ---------------------------------------------------------------- composition state */

struct composer {
  const struct report_pdf_input *input;
  const struct report *report;
  struct layout *layout;
  const struct font_metrics *metrics;
  double left, right;
  char **labels; /* cleaned; [group_count] is the total's */
  struct column columns[COLUMN_MOST];
  size_t column_count;
  struct header_cell cells[COLUMN_MOST * HEADER_LEVELS];
  size_t cell_count;
  double header_rows[HEADER_LEVELS + 1]; /* the last: the column numbers */
  double table_size;                     /* TABLE_SIZE, or less for very large figures */
  bool failed;                           /* out of memory */
};

static struct layout_style style_of(enum letter_face face, double size, enum layout_align align) {
  struct layout_style result = {face, size, size * 1.2, align, 0, 0, 0, 0};
  return result;
}

/* Input text made printable (letter/text.h); NULL, with `failed` set, when memory runs out. */
static char *clean(struct composer *composer, const char *text) {
  struct text_report ignored = {0};
  struct error error;
  char *result = NULL;
  if (text == NULL)
    text = "";
  if (text_clean(text, strlen(text), &result, &ignored, &error) != STATUS_OK)
    composer->failed = true;
  return result;
}

static char *clean_upper(struct composer *composer, const char *text) {
  char *cleaned = clean(composer, text), *result = NULL;
  struct error error;
  if (cleaned != NULL && text_upper(cleaned, &result, &error) != STATUS_OK)
    composer->failed = true;
  free(cleaned);
  return result;
}

static double paragraph_height(const struct composer *composer, const char *text,
                               struct layout_style style, double width) {
  return layout_paragraph_height(composer->metrics, text, &style, width);
}

/* A paragraph set at the cursor between left and right. */
static void paragraph(struct composer *composer, const char *text, struct layout_style style,
                      double left, double right) {
  if (style.align == LAYOUT_CENTER)
    layout_balanced(composer->layout, text, &style, left, right);
  else
    layout_paragraph(composer->layout, text, &style, left, right, NULL);
}

/* A list item or a note: on one page, unless it is longer than a whole page. */
static void whole_paragraph(struct composer *composer, const char *text,
                            struct layout_style style) {
  struct layout *layout = composer->layout;
  double height = paragraph_height(composer, text, style, composer->right - composer->left);
  double page = layout->geometry.height - layout->geometry.top - layout->geometry.bottom;
  if (height <= page && !layout_fits(layout, height))
    layout_new_page(layout);
  paragraph(composer, text, style, composer->left, composer->right);
}

/* Text set in a box, centred vertically in [top - height, top]. */
static void text_in_box(struct composer *composer, const char *text, struct layout_style style,
                        double left, double right, double top, double height) {
  double own = paragraph_height(composer, text, style, right - left);
  composer->layout->y = top - (height - own) / 2;
  paragraph(composer, text, style, left, right);
}

/* ---------------------------------------------------------------- figures */

/* 1234567 as 1.234.567. */
static void format_count(int64_t count, char *buffer, size_t size) {
  char digits[32];
  int length = snprintf(digits, sizeof digits, "%" PRId64, count < 0 ? -count : count);
  size_t at = 0;
  if (count < 0 && at + 1 < size)
    buffer[at++] = '-';
  for (int i = 0; i < length && at + 2 < size; i++) {
    if (i > 0 && (length - i) % 3 == 0)
      buffer[at++] = '.';
    buffer[at++] = digits[i];
  }
  buffer[at] = '\0';
}

/* 85.714 as 85,71. */
static void format_decimal(double value, char *buffer, size_t size) {
  snprintf(buffer, size, "%.2f", value);
  char *point = strchr(buffer, '.');
  if (point != NULL)
    *point = ',';
}

static int64_t figure(const struct report_group *group, enum value value) {
  const struct report_figures *figures = &group->figures;
  switch (value) {
  case VALUE_RECEIVED:
    return report_received(figures);
  case VALUE_CARRIED_OVER:
    return figures->carried_over;
  case VALUE_ONLINE:
    return figures->received_online;
  case VALUE_DIRECT:
    return figures->received_direct;
  case VALUE_POSTAL:
    return figures->received_postal;
  case VALUE_OTHER:
    return figures->received_other;
  case VALUE_DONE:
    return report_done(figures);
  case VALUE_EARLY:
    return figures->done_early;
  case VALUE_DONE_ON_TIME:
    return figures->done_on_time;
  case VALUE_LATE:
    return figures->done_late;
  case VALUE_IN_PROGRESS:
    return report_in_progress(figures);
  case VALUE_PROGRESS_ON_TIME:
    return figures->progress_on_time;
  case VALUE_OVERDUE:
    return figures->progress_overdue;
  case VALUE_WITHDRAWN:
    return figures->withdrawn;
  case VALUE_UNCLASSIFIED:
    return figures->unclassified;
  case VALUE_LETTERS:
    return figures->letters;
  case VALUE_WITHOUT_LETTER:
    return (int64_t)group->late_without_letter.count;
  case VALUE_MISSED_NEW_DATE:
    return figures->missed_new_date;
  default:
    return 0;
  }
}

/* What a figure column's cell prints; the share and score print "-" when undefined. */
static void cell_text(const struct report_group *group, enum value value, char *buffer,
                      size_t size) {
  double share;
  if (value == VALUE_SHARE || value == VALUE_SCORE) {
    if (!report_on_time_share(&group->figures, &share))
      snprintf(buffer, size, "-");
    else
      format_decimal(value == VALUE_SHARE ? share * 100 : share * 20, buffer, size);
    return;
  }
  format_count(figure(group, value), buffer, size);
}

/* ---------------------------------------------------------------- the table */

/* What the label column is called, and the grouping in the subtitle. */
static const struct {
  const char *header, *words;
} grouping_texts[] = {
    [REPORT_BY_AGENCY] = {"Cơ quan, đơn vị", "cơ quan, đơn vị"},
    [REPORT_BY_FIELD] = {"Lĩnh vực", "lĩnh vực"},
    [REPORT_BY_PROCEDURE] = {"Thủ tục hành chính", "thủ tục hành chính"},
    [REPORT_BY_CHANNEL] = {"Kênh tiếp nhận", "kênh tiếp nhận"},
};

static const char *header_text(const struct composer *composer, size_t column, int level) {
  const struct column_spec *spec = composer->columns[column].spec;
  if (spec->value == VALUE_LABEL)
    return level == 0 ? grouping_texts[composer->report->grouping].header : NULL;
  return spec->headers[level];
}

/* The optional columns print only when some row has a figure in them. */
static bool column_shown(const struct report *report, enum value value) {
  if (value != VALUE_OTHER && value != VALUE_UNCLASSIFIED)
    return true;
  if (figure(&report->total, value) != 0)
    return true;
  for (size_t i = 0; i < report->group_count; i++)
    if (figure(&report->groups[i], value) != 0)
      return true;
  return false;
}

static void find_header_cells(struct composer *composer) {
  composer->cell_count = 0;
  for (int level = 0; level < HEADER_LEVELS; level++) {
    for (size_t first = 0; first < composer->column_count;) {
      const char *text = header_text(composer, first, level);
      if (text == NULL) {
        first++;
        continue;
      }
      size_t last = first;
      while (last + 1 < composer->column_count) {
        bool same = true;
        for (int above = 0; above <= level; above++)
          same =
              same && header_text(composer, last + 1, above) == header_text(composer, first, above);
        if (!same)
          break;
        last++;
      }
      int bottom = level;
      while (bottom + 1 < HEADER_LEVELS && header_text(composer, first, bottom + 1) == NULL)
        bottom++;
      composer->cells[composer->cell_count++] =
          (struct header_cell){text, first, last, level, bottom};
      first = last + 1;
    }
  }
}

static double cells_width(const struct composer *composer, size_t first, size_t last) {
  return composer->columns[last].x + composer->columns[last].width - composer->columns[first].x;
}

/* The widest word of a header, so that a narrow column never cuts one. */
static double widest_word(const struct composer *composer, const char *text) {
  double widest = 0;
  while (*text != '\0') {
    size_t length = strcspn(text, " ");
    double width = layout_text_width(composer->metrics, FACE_BOLD, HEADER_SIZE, text, length);
    if (width > widest)
      widest = width;
    text += length + (text[length] == ' ');
  }
  return widest;
}

static const struct report_group *row_group(const struct composer *composer, size_t row) {
  return row < composer->report->group_count ? &composer->report->groups[row]
                                             : &composer->report->total;
}

/* Figure columns as wide as their widest figure or header word at the table's size; returns
 * the room left for the label. */
static double size_figures(struct composer *composer) {
  const struct report *report = composer->report;
  double used = 0;
  for (size_t c = 0; c < composer->column_count; c++) {
    struct column *column = &composer->columns[c];
    enum value value = column->spec->value;
    if (value == VALUE_LABEL)
      continue;
    double width = NARROWEST_FIGURE - 2 * CELL_PADDING;
    for (int level = 0; level < HEADER_LEVELS; level++) {
      const char *text = column->spec->headers[level];
      if (text != NULL && (level + 1 == HEADER_LEVELS || column->spec->headers[level + 1] == NULL ||
                           value == VALUE_INDEX)) {
        double word = widest_word(composer, text);
        width = word > width ? word : width;
      }
    }
    for (size_t row = 0; row <= report->group_count; row++) {
      char text[64];
      if (value == VALUE_INDEX)
        snprintf(text, sizeof text, "%zu", row + 1);
      else
        cell_text(row_group(composer, row), value, text, sizeof text);
      double figure_width = layout_text_width(composer->metrics,
                                              row == report->group_count ? FACE_BOLD : FACE_REGULAR,
                                              composer->table_size, text, strlen(text));
      width = figure_width > width ? figure_width : width;
    }
    column->width = width + 2 * CELL_PADDING + 0.5; /* rounding never wraps a figure */
    used += column->width;
  }
  return composer->right - composer->left - used;
}

/* The label takes what the figures leave; figures of a million shrink the table's type until
 * the label has a readable width, and a label wider than it needs gives the rest back. */
static void size_columns(struct composer *composer) {
  const struct report *report = composer->report;
  composer->column_count = 0;
  size_t label = 0;
  for (size_t i = 0; i < sizeof column_specs / sizeof column_specs[0]; i++)
    if (column_shown(report, column_specs[i].value)) {
      if (column_specs[i].value == VALUE_LABEL)
        label = composer->column_count;
      composer->columns[composer->column_count++].spec = &column_specs[i];
    }
  double rest = 0;
  for (composer->table_size = TABLE_SIZE;; composer->table_size -= 0.5) {
    rest = size_figures(composer);
    if (rest >= NARROWEST_LABEL || composer->table_size <= SMALLEST_TABLE_SIZE)
      break;
  }
  if (rest > WIDEST_LABEL && composer->column_count > 2) {
    double share = (rest - WIDEST_LABEL) / (double)(composer->column_count - 2);
    for (size_t c = 0; c < composer->column_count; c++)
      if (c != label && composer->columns[c].spec->value != VALUE_INDEX)
        composer->columns[c].width += share;
    rest = WIDEST_LABEL;
  }
  composer->columns[label].width = rest;
  double x = composer->left;
  for (size_t c = 0; c < composer->column_count; c++) {
    composer->columns[c].x = x;
    x += composer->columns[c].width;
  }
}

static struct layout_style header_style(void) {
  return style_of(FACE_BOLD, HEADER_SIZE, LAYOUT_CENTER);
}

static void size_header(struct composer *composer) {
  find_header_cells(composer);
  double *rows = composer->header_rows;
  for (int level = 0; level <= HEADER_LEVELS; level++)
    rows[level] = 0;
  for (int pass = 0; pass < 2; pass++)
    for (size_t i = 0; i < composer->cell_count; i++) {
      const struct header_cell *cell = &composer->cells[i];
      if ((cell->top == cell->bottom) != (pass == 0))
        continue;
      double width = cells_width(composer, cell->first, cell->last) - 2 * CELL_PADDING;
      double needed =
          paragraph_height(composer, cell->text, header_style(), width) + 2 * CELL_PADDING;
      double spanned = 0;
      for (int level = cell->top; level <= cell->bottom; level++)
        spanned += rows[level];
      if (needed > spanned)
        rows[cell->bottom] += needed - spanned;
    }
  rows[HEADER_LEVELS] = NUMBERING_SIZE * 1.2 + 2 * CELL_PADDING;
}

static double header_height(const struct composer *composer) {
  double height = 0;
  for (int level = 0; level <= HEADER_LEVELS; level++)
    height += composer->header_rows[level];
  return height;
}

/* The four edges of a cell. */
static void cell_frame(struct composer *composer, double x, double top, double width,
                       double height) {
  struct layout *layout = composer->layout;
  layout_line(layout, x, top, x + width, top, GRID_WIDTH);
  layout_line(layout, x, top - height, x + width, top - height, GRID_WIDTH);
  layout_line(layout, x, top, x, top - height, GRID_WIDTH);
  layout_line(layout, x + width, top, x + width, top - height, GRID_WIDTH);
}

static void draw_header(struct composer *composer) {
  struct layout *layout = composer->layout;
  double top = layout->y;
  const double *rows = composer->header_rows;
  for (size_t i = 0; i < composer->cell_count; i++) {
    const struct header_cell *cell = &composer->cells[i];
    double cell_top = top, height = 0;
    for (int level = 0; level < cell->top; level++)
      cell_top -= rows[level];
    for (int level = cell->top; level <= cell->bottom; level++)
      height += rows[level];
    double x = composer->columns[cell->first].x;
    double width = cells_width(composer, cell->first, cell->last);
    cell_frame(composer, x, cell_top, width, height);
    text_in_box(composer, cell->text, header_style(), x + CELL_PADDING, x + width - CELL_PADDING,
                cell_top, height);
  }
  double numbers_top = top - header_height(composer) + rows[HEADER_LEVELS];
  for (size_t c = 0; c < composer->column_count; c++) {
    const struct column *column = &composer->columns[c];
    char number[16];
    snprintf(number, sizeof number, "(%zu)", c + 1);
    cell_frame(composer, column->x, numbers_top, column->width, rows[HEADER_LEVELS]);
    text_in_box(composer, number, style_of(FACE_ITALIC, NUMBERING_SIZE, LAYOUT_CENTER), column->x,
                column->x + column->width, numbers_top, rows[HEADER_LEVELS]);
  }
  layout->y = top - header_height(composer);
}

static double label_width(const struct composer *composer) {
  for (size_t c = 0; c < composer->column_count; c++)
    if (composer->columns[c].spec->value == VALUE_LABEL)
      return composer->columns[c].width - 2 * CELL_PADDING;
  return 0;
}

static double row_height(const struct composer *composer, size_t row) {
  bool total = row == composer->report->group_count;
  double label = paragraph_height(
      composer, composer->labels[row],
      style_of(total ? FACE_BOLD : FACE_REGULAR, composer->table_size, LAYOUT_LEFT),
      label_width(composer));
  double line = composer->table_size * 1.2;
  return (label > line ? label : line) + 2 * CELL_PADDING;
}

static void draw_row(struct composer *composer, size_t row) {
  struct layout *layout = composer->layout;
  bool total = row == composer->report->group_count;
  enum letter_face face = total ? FACE_BOLD : FACE_REGULAR;
  double top = layout->y, height = row_height(composer, row);
  const struct report_group *group = row_group(composer, row);
  for (size_t c = 0; c < composer->column_count; c++) {
    const struct column *column = &composer->columns[c];
    enum value value = column->spec->value;
    char text[64];
    enum layout_align align = LAYOUT_RIGHT;
    const char *shown = text;
    if (value == VALUE_LABEL) {
      shown = composer->labels[row];
      align = LAYOUT_LEFT;
    } else if (value == VALUE_INDEX) {
      snprintf(text, sizeof text, "%zu", row + 1);
      shown = total ? "" : text;
      align = LAYOUT_CENTER;
    } else {
      cell_text(group, value, text, sizeof text);
    }
    text_in_box(composer, shown, style_of(face, composer->table_size, align),
                column->x + CELL_PADDING, column->x + column->width - CELL_PADDING, top, height);
    layout_line(layout, column->x, top, column->x, top - height, GRID_WIDTH);
  }
  layout_line(layout, composer->right, top, composer->right, top - height, GRID_WIDTH);
  layout_line(layout, composer->left, top - height, composer->right, top - height, GRID_WIDTH);
  layout->y = top - height;
}

static void section_heading(struct composer *composer, const char *text, double keep) {
  struct layout_style style = style_of(FACE_BOLD, SECTION_SIZE, LAYOUT_LEFT);
  style.space_before = 10;
  style.space_after = 4;
  if (!layout_fits(composer->layout,
                   paragraph_height(composer, text, style, composer->right - composer->left) +
                       keep))
    layout_new_page(composer->layout);
  paragraph(composer, text, style, composer->left, composer->right);
}

static void compose_table(struct composer *composer) {
  struct layout *layout = composer->layout;
  size_t rows = composer->report->group_count + 1;
  section_heading(composer, "I. BẢNG TỔNG HỢP", header_height(composer) + row_height(composer, 0));
  draw_header(composer);
  for (size_t row = 0; row < rows; row++) {
    double needed = row_height(composer, row);
    /* The last group goes with the total, so the total never starts a page alone. */
    if (row + 2 == rows)
      needed += row_height(composer, row + 1);
    if (!layout_fits(layout, needed)) {
      layout_new_page(layout);
      draw_header(composer);
    }
    draw_row(composer, row);
  }
}

/* ---------------------------------------------------------------- the charts */

/* An axis from 0 to `maximum` in steps of `step` (1, 2 or 5 times a power of ten). */
struct scale {
  int64_t maximum, step;
};

static struct scale scale_for(int64_t largest) {
  int64_t magnitude = 1;
  while (magnitude * 10 <= largest / 5)
    magnitude *= 10;
  int64_t step = magnitude;
  static const int multiples[] = {1, 2, 5, 10};
  for (size_t i = 0; i < sizeof multiples / sizeof multiples[0]; i++) {
    step = magnitude * multiples[i];
    if (step * 5 >= largest)
      break;
  }
  int64_t maximum = (largest + step - 1) / step * step;
  return (struct scale){maximum > 0 ? maximum : step, step};
}

struct chart_geometry {
  double caption, bars, bars_end; /* x of the bar captions, of the bars' zero and end */
};

static struct chart_geometry chart_geometry(const struct composer *composer) {
  struct chart_geometry geometry;
  geometry.caption = composer->left + CHART_LABEL_WIDTH;
  geometry.bars = geometry.caption + CHART_CAPTION_WIDTH;
  geometry.bars_end = composer->right - CHART_END_ROOM;
  return geometry;
}

static double chart_x(const struct chart_geometry *geometry, const struct scale *scale,
                      int64_t value) {
  return geometry->bars +
         (geometry->bars_end - geometry->bars) * (double)value / (double)scale->maximum;
}

static void centred_at(struct composer *composer, double middle, double baseline,
                       enum letter_face face, double size, const char *text) {
  double width = layout_text_width(composer->metrics, face, size, text, strlen(text));
  layout_text_at(composer->layout, middle - width / 2, baseline, face, size, text);
}

static void draw_axis(struct composer *composer, const struct scale *scale) {
  struct layout *layout = composer->layout;
  struct chart_geometry geometry = chart_geometry(composer);
  double line = layout->y - AXIS_HEIGHT + 2;
  layout_line(layout, geometry.bars, line, geometry.bars_end, line, GRID_WIDTH);
  for (int64_t tick = 0; tick <= scale->maximum; tick += scale->step) {
    double x = chart_x(&geometry, scale, tick);
    char text[32];
    format_count(tick, text, sizeof text);
    layout_line(layout, x, line, x, line + 2.5, GRID_WIDTH); /* up: the bars start below */
    centred_at(composer, x, line + 4.5, FACE_REGULAR, CHART_FIGURE_SIZE, text);
  }
  layout_text_at(layout, geometry.caption, line + 4.5, FACE_ITALIC, CHART_FIGURE_SIZE, "Số hồ sơ");
  layout->y -= AXIS_HEIGHT;
}

struct segment {
  int64_t value;
  const double *colour;
  const char *name;
};

static void legend_item(struct composer *composer, double *x, double baseline,
                        const struct segment *segment) {
  layout_box(composer->layout, *x, baseline - 1, 12, 8, segment->colour, BAR_OUTLINE);
  *x += 15;
  *x += layout_text_at(composer->layout, *x, baseline, FACE_REGULAR, CHART_LABEL_SIZE,
                       segment->name) +
        12;
}

static const struct segment legend_done[] = {
    {0, colour_early, "Trước hạn"},
    {0, colour_done_on_time, "Đúng hạn"},
    {0, colour_late, "Trễ hạn"},
};
static const struct segment legend_progress[] = {
    {0, colour_progress_on_time, "Trong hạn"},
    {0, colour_overdue, "Quá hạn"},
};

static double legend_height(void) {
  return CHART_LABEL_SIZE * 1.2 + 6;
}

static void draw_legend(struct composer *composer) {
  struct layout *layout = composer->layout;
  double baseline = layout->y - CHART_LABEL_SIZE;
  double x = composer->left;
  x += layout_text_at(layout, x, baseline, FACE_BOLD, CHART_LABEL_SIZE, "Đã giải quyết: ") + 4;
  for (size_t i = 0; i < 3; i++)
    legend_item(composer, &x, baseline, &legend_done[i]);
  x += 12;
  x += layout_text_at(layout, x, baseline, FACE_BOLD, CHART_LABEL_SIZE, "Đang giải quyết: ") + 4;
  for (size_t i = 0; i < 2; i++)
    legend_item(composer, &x, baseline, &legend_progress[i]);
  layout->y -= legend_height();
}

static double block_height(const struct composer *composer, const char *label, bool bold) {
  double text = paragraph_height(
      composer, label, style_of(bold ? FACE_BOLD : FACE_REGULAR, CHART_LABEL_SIZE, LAYOUT_LEFT),
      CHART_LABEL_WIDTH - 6);
  double bars = 2 * BAR_HEIGHT + BAR_GAP;
  return (text > bars ? text : bars) + BLOCK_GAP;
}

/* One stacked bar whose top is at `top`: its segments, each figure written inside its segment
 * when it fits there, and the bar's total after its end. */
static void draw_bar(struct composer *composer, const struct scale *scale, double top,
                     const struct segment *segments, size_t count, const char *caption) {
  struct layout *layout = composer->layout;
  struct chart_geometry geometry = chart_geometry(composer);
  double bottom = top - BAR_HEIGHT;
  double baseline =
      bottom + (BAR_HEIGHT - (LAYOUT_ASCENT - LAYOUT_DESCENT) * CHART_FIGURE_SIZE) / 2 + 0.3;
  layout_text_at(layout, geometry.caption, baseline, FACE_ITALIC, CHART_FIGURE_SIZE, caption);
  int64_t sum = 0;
  for (size_t i = 0; i < count; i++) {
    if (segments[i].value <= 0)
      continue;
    double start = chart_x(&geometry, scale, sum);
    sum += segments[i].value;
    double end = chart_x(&geometry, scale, sum);
    layout_box(layout, start, bottom, end - start, BAR_HEIGHT, segments[i].colour, BAR_OUTLINE);
    char text[32];
    format_count(segments[i].value, text, sizeof text);
    double width =
        layout_text_width(composer->metrics, FACE_REGULAR, CHART_FIGURE_SIZE, text, strlen(text));
    if (width + 3 <= end - start)
      centred_at(composer, (start + end) / 2, baseline, FACE_REGULAR, CHART_FIGURE_SIZE, text);
  }
  char total[32];
  format_count(sum, total, sizeof total);
  layout_text_at(layout, chart_x(&geometry, scale, sum) + 3, baseline, FACE_BOLD, CHART_FIGURE_SIZE,
                 total);
}

static void draw_block(struct composer *composer, const struct scale *scale, size_t row) {
  struct layout *layout = composer->layout;
  bool total = row == composer->report->group_count;
  const struct report_group *group = row_group(composer, row);
  const struct report_figures *figures = &group->figures;
  struct chart_geometry geometry = chart_geometry(composer);
  double top = layout->y, height = block_height(composer, composer->labels[row], total);
  double bars_bottom = top - 2 * BAR_HEIGHT - BAR_GAP;
  /* Grid lines under the bars, and the zero line. */
  for (int64_t tick = scale->step; tick <= scale->maximum; tick += scale->step)
    layout_box(layout, chart_x(&geometry, scale, tick) - 0.2, bars_bottom - 2, 0.4,
               top - bars_bottom + 4, colour_grid, 0);
  layout_line(layout, geometry.bars, top + 2, geometry.bars, bars_bottom - 2, GRID_WIDTH);
  struct segment done[3], progress[2];
  memcpy(done, legend_done, sizeof done);
  memcpy(progress, legend_progress, sizeof progress);
  done[0].value = figures->done_early;
  done[1].value = figures->done_on_time;
  done[2].value = figures->done_late;
  progress[0].value = figures->progress_on_time;
  progress[1].value = figures->progress_overdue;
  draw_bar(composer, scale, top, done, 3, DONE);
  draw_bar(composer, scale, top - BAR_HEIGHT - BAR_GAP, progress, 2, IN_PROGRESS);
  layout->y = top;
  paragraph(composer, composer->labels[row],
            style_of(total ? FACE_BOLD : FACE_REGULAR, CHART_LABEL_SIZE, LAYOUT_LEFT),
            composer->left, composer->left + CHART_LABEL_WIDTH - 6);
  layout->y = top - height;
}

static int64_t largest_bar(const struct report_group *group) {
  int64_t done = report_done(&group->figures), progress = report_in_progress(&group->figures);
  return done > progress ? done : progress;
}

static void chart_heading(struct composer *composer, const char *text) {
  section_heading(composer, text, 0);
  draw_legend(composer);
}

static void compose_charts(struct composer *composer) {
  const struct report *report = composer->report;
  struct layout *layout = composer->layout;
  static const char heading[] = "II. BIỂU ĐỒ TIẾN ĐỘ GIẢI QUYẾT HỒ SƠ";
  static const char continued[] = "II. BIỂU ĐỒ TIẾN ĐỘ GIẢI QUYẾT HỒ SƠ (tiếp theo)";
  /* The total on its own scale, then the groups on one common scale. */
  size_t total_row = report->group_count;
  struct scale total_scale = scale_for(largest_bar(&report->total));
  double first = SECTION_SIZE * 1.2 + 14 + legend_height() + AXIS_HEIGHT +
                 block_height(composer, composer->labels[total_row], true);
  if (!layout_fits(layout, first))
    layout_new_page(layout);
  chart_heading(composer, heading);
  draw_axis(composer, &total_scale);
  draw_block(composer, &total_scale, total_row);
  if (report->group_count == 0)
    return;
  int64_t largest = 0;
  for (size_t i = 0; i < report->group_count; i++)
    if (largest_bar(&report->groups[i]) > largest)
      largest = largest_bar(&report->groups[i]);
  struct scale scale = scale_for(largest);
  layout_space(layout, 6);
  bool axis_drawn = false;
  for (size_t row = 0; row < report->group_count; row++) {
    double height = block_height(composer, composer->labels[row], false);
    if (!layout_fits(layout, height + (axis_drawn ? 0 : AXIS_HEIGHT))) {
      layout_new_page(layout);
      chart_heading(composer, continued);
      axis_drawn = false;
    }
    if (!axis_drawn)
      draw_axis(composer, &scale);
    axis_drawn = true;
    draw_block(composer, &scale, row);
  }
}

/* ---------------------------------------------------------------- lists, notes, signature */

static struct layout_style list_style(const struct composer *composer, const char *marker) {
  struct layout_style style = style_of(FACE_REGULAR, BODY_SIZE, LAYOUT_JUSTIFY);
  style.hanging_indent =
      layout_text_width(composer->metrics, FACE_REGULAR, BODY_SIZE, marker, strlen(marker));
  style.space_after = 3;
  return style;
}

/* "- Label (3 hồ sơ): A, B, C." for one group; a new string or NULL. */
static char *late_line(struct composer *composer, size_t row) {
  const struct report_codes *codes = &composer->report->groups[row].late_without_letter;
  struct buffer line = {0};
  buffer_add_format(&line, "- %s (%zu hồ sơ): ", composer->labels[row], codes->count);
  for (size_t i = 0; i < codes->count; i++) {
    char *code = clean(composer, codes->codes[i]);
    if (code != NULL)
      buffer_add_format(&line, "%s%s", code, i + 1 < codes->count ? ", " : ".");
    free(code);
  }
  if (line.failed) {
    composer->failed = true;
    buffer_free(&line);
    return NULL;
  }
  return line.data;
}

static void compose_late(struct composer *composer) {
  const struct report *report = composer->report;
  size_t count = 0;
  for (size_t i = 0; i < report->group_count; i++)
    count += report->groups[i].late_without_letter.count;
  char sentence[160];
  if (count == 0)
    snprintf(sentence, sizeof sentence,
             "Trong kỳ không có hồ sơ trễ hạn nào chưa có phiếu xin lỗi.");
  else
    snprintf(sentence, sizeof sentence, "Có %zu hồ sơ trễ hạn chưa có phiếu xin lỗi:", count);
  struct layout_style body = style_of(FACE_REGULAR, BODY_SIZE, LAYOUT_LEFT);
  body.space_after = 3;
  double width = composer->right - composer->left;
  section_heading(composer, "III. HỒ SƠ TRỄ HẠN CHƯA CÓ PHIẾU XIN LỖI",
                  paragraph_height(composer, sentence, body, width));
  paragraph(composer, sentence, body, composer->left, composer->right);
  for (size_t i = 0; i < report->group_count; i++) {
    if (report->groups[i].late_without_letter.count == 0)
      continue;
    char *line = late_line(composer, i);
    if (line != NULL)
      whole_paragraph(composer, line, list_style(composer, "- "));
    free(line);
  }
}

/* The signature block's lines, top to bottom, and `Nơi nhận` beside it. */
struct signature {
  char *title_lines[4];
  size_t title_count;
  char *name;
  char *keep_line; /* Lưu: VT, {symbol}. */
};

static const char SIGNER_NOTE[] = "(Ký, ghi rõ họ tên)";
static const char RECIPIENTS[] = "Nơi nhận:";
static const char RECIPIENT_AGENCIES[] = "- Các cơ quan, đơn vị trong báo cáo;";

static void prepare_signature(struct composer *composer, struct signature *signature) {
  const struct agency *issuer = composer->input->issuer;
  const char *title = issuer->signer_title != NULL ? issuer->signer_title : "";
  while (*title != '\0' && signature->title_count < 4) {
    size_t length = strcspn(title, "\n");
    char *line = strndup(title, length);
    if (line == NULL)
      composer->failed = true;
    else
      signature->title_lines[signature->title_count++] = clean_upper(composer, line);
    free(line);
    title += length + (title[length] == '\n');
  }
  signature->name = clean(composer, issuer->signer_name);
  char *symbol = clean(composer, issuer->symbol);
  char keep[AGENCY_NUMBER_SIZE + 32];
  snprintf(keep, sizeof keep, "- Lưu: VT, %s.", symbol != NULL ? symbol : "");
  free(symbol);
  signature->keep_line = clean(composer, keep);
}

static void signature_free(struct signature *signature) {
  for (size_t i = 0; i < signature->title_count; i++)
    free(signature->title_lines[i]);
  free(signature->name);
  free(signature->keep_line);
}

static double signature_height(const struct composer *composer, const struct signature *signature) {
  double height = 12 + SIGNATURE_SPACE;
  for (size_t i = 0; i < signature->title_count; i++)
    if (signature->title_lines[i] != NULL)
      height += paragraph_height(composer, signature->title_lines[i],
                                 style_of(FACE_BOLD, 13, LAYOUT_CENTER), RIGHT_COLUMN_WIDTH);
  height += paragraph_height(composer, SIGNER_NOTE, style_of(FACE_ITALIC, 12, LAYOUT_CENTER),
                             RIGHT_COLUMN_WIDTH);
  if (signature->name != NULL)
    height += paragraph_height(composer, signature->name, style_of(FACE_BOLD, 13, LAYOUT_CENTER),
                               RIGHT_COLUMN_WIDTH);
  return height;
}

static void draw_signature(struct composer *composer, const struct signature *signature) {
  struct layout *layout = composer->layout;
  layout_space(layout, 12);
  double top = layout->y;
  double right_start = composer->right - RIGHT_COLUMN_WIDTH;
  for (size_t i = 0; i < signature->title_count; i++)
    if (signature->title_lines[i] != NULL)
      paragraph(composer, signature->title_lines[i], style_of(FACE_BOLD, 13, LAYOUT_CENTER),
                right_start, composer->right);
  paragraph(composer, SIGNER_NOTE, style_of(FACE_ITALIC, 12, LAYOUT_CENTER), right_start,
            composer->right);
  layout->y -= SIGNATURE_SPACE;
  if (signature->name != NULL)
    paragraph(composer, signature->name, style_of(FACE_BOLD, 13, LAYOUT_CENTER), right_start,
              composer->right);
  double bottom = layout->y;
  layout->y = top;
  double left_end = composer->left + LEFT_COLUMN_WIDTH;
  paragraph(composer, RECIPIENTS, style_of(FACE_BOLD_ITALIC, 12, LAYOUT_LEFT), composer->left,
            left_end);
  paragraph(composer, RECIPIENT_AGENCIES, style_of(FACE_REGULAR, 11, LAYOUT_LEFT), composer->left,
            left_end);
  if (signature->keep_line != NULL)
    paragraph(composer, signature->keep_line, style_of(FACE_REGULAR, 11, LAYOUT_LEFT),
              composer->left, left_end);
  if (bottom < layout->y)
    layout->y = bottom;
}

/* The notes, numbered; the signature block goes on the page of the last note. */
static void compose_notes_and_signature(struct composer *composer) {
  struct layout *layout = composer->layout;
  const char *const *notes = report_notes();
  size_t count = 0;
  while (notes[count] != NULL)
    count++;
  struct signature signature = {0};
  prepare_signature(composer, &signature);
  double width = composer->right - composer->left;
  char first[1024];
  snprintf(first, sizeof first, "1. %s", count > 0 ? notes[0] : "");
  section_heading(composer, "IV. GHI CHÚ",
                  paragraph_height(composer, first, list_style(composer, "00. "), width));
  for (size_t i = 0; i < count; i++) {
    char line[1024];
    snprintf(line, sizeof line, "%zu. %s", i + 1, notes[i]);
    struct layout_style style = list_style(composer, "00. ");
    if (i + 1 == count && !layout_fits(layout, paragraph_height(composer, line, style, width) +
                                                   signature_height(composer, &signature)))
      layout_new_page(layout);
    whole_paragraph(composer, line, style);
  }
  if (!layout_fits(layout, signature_height(composer, &signature)))
    layout_new_page(layout);
  draw_signature(composer, &signature);
  signature_free(&signature);
}

/* ---------------------------------------------------------------- the document */

static void compose_heading(struct composer *composer) {
  const struct report_pdf_input *input = composer->input;
  const struct agency *issuer = input->issuer;
  char *governing = clean_upper(composer, issuer->governing_body);
  char *unit = clean_upper(composer, issuer->unit);
  char *symbol = clean(composer, issuer->symbol);
  char *place = clean(composer, issuer->place);
  char number[AGENCY_NUMBER_SIZE + 32], date[64], date_line[AGENCY_NUMBER_SIZE + 96];
  /* A number to come is a blank to fill in by hand, as on paper. */
  if (input->number > 0)
    snprintf(number, sizeof number, "Số: %02ld/BC-%s", input->number, symbol ? symbol : "");
  else
    snprintf(number, sizeof number, "Số:      /BC-%s", symbol ? symbol : "");
  letter_format_date(input->day, date, sizeof date);
  snprintf(date_line, sizeof date_line, "%s, ngày %s", place ? place : "", date);
  struct letterhead head = {
      governing ? governing : "",    unit ? unit : "", number, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
      "Độc lập - Tự do - Hạnh phúc", date_line};
  letterhead_put(composer->layout, &head, composer->left, composer->left + LEFT_COLUMN_WIDTH,
                 composer->right - RIGHT_COLUMN_WIDTH, composer->right);
  free(governing);
  free(unit);
  free(symbol);
  free(place);

  const struct report *report = composer->report;
  struct layout_style title = style_of(FACE_BOLD, 14, LAYOUT_CENTER);
  title.space_before = 16;
  title.space_after = 2;
  paragraph(composer, "BÁO CÁO TIẾN ĐỘ GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH", title, composer->left,
            composer->right);
  struct civil_date from = civil_date_from_days(report->period.from_day);
  struct civil_date to = civil_date_from_days(report->period.to_day);
  char period[128];
  snprintf(period, sizeof period, "Kỳ báo cáo: từ ngày %02d/%02d/%04d đến ngày %02d/%02d/%04d",
           from.day, from.month, from.year, to.day, to.month, to.year);
  paragraph(composer, period, style_of(FACE_REGULAR, 13, LAYOUT_CENTER), composer->left,
            composer->right);
  char *agency = report->agency != NULL ? clean(composer, report->agency) : NULL;
  char scope[256];
  if (agency != NULL)
    snprintf(scope, sizeof scope, "(Tổng hợp theo %s; chỉ gồm hồ sơ của đơn vị %s)",
             grouping_texts[report->grouping].words, agency);
  else
    snprintf(scope, sizeof scope, "(Tổng hợp theo %s)", grouping_texts[report->grouping].words);
  free(agency);
  struct layout_style scope_style = style_of(FACE_ITALIC, 12, LAYOUT_CENTER);
  scope_style.space_after = 4;
  paragraph(composer, scope, scope_style, composer->left, composer->right);
}

static enum status prepare_labels(struct composer *composer, struct error *error) {
  const struct report *report = composer->report;
  composer->labels = calloc(report->group_count + 1, sizeof *composer->labels);
  if (composer->labels == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory for the report's labels");
  for (size_t row = 0; row <= report->group_count; row++) {
    const struct report_group *group = row_group(composer, row);
    const char *label = group->label != NULL ? group->label : group->key;
    composer->labels[row] =
        clean(composer, row == report->group_count && label == NULL ? "Tổng cộng" : label);
  }
  if (composer->failed)
    return error_set(error, STATUS_RUNTIME, "out of memory for the report's labels");
  return STATUS_OK;
}

static void free_labels(struct composer *composer) {
  if (composer->labels == NULL)
    return;
  for (size_t row = 0; row <= composer->report->group_count; row++)
    free(composer->labels[row]);
  free(composer->labels);
}

/* A4 turned: the portrait margins of Decree 30 at top and right, narrower at left and bottom
 * so that the 766 table's twenty columns keep readable widths. */
static struct page_geometry landscape(void) {
  struct page_geometry geometry = layout_a4_geometry();
  double portrait_width = geometry.width;
  geometry.width = geometry.height;
  geometry.height = portrait_width;
  geometry.left = 20 * MM;
  geometry.bottom = 15 * MM;
  return geometry;
}

enum status report_pdf_render(const struct report_pdf_input *input, const char *font_directory,
                              unsigned char **data, size_t *size, struct error *error) {
  *data = NULL;
  *size = 0;
  if (input == NULL || input->report == NULL || input->issuer == NULL)
    return error_set(error, STATUS_INVALID, "report PDF: no report or no issuing agency");
  const struct report *report = input->report;
  if ((unsigned)report->grouping >= sizeof grouping_texts / sizeof grouping_texts[0])
    return error_set(error, STATUS_INVALID, "report PDF: unknown grouping %d",
                     (int)report->grouping);
  if (report->period.to_day < report->period.from_day)
    return error_set(error, STATUS_INVALID, "report PDF: the period ends before it starts");
  struct pdf_writer *writer = NULL;
  struct font_metrics *metrics = malloc(sizeof *metrics);
  if (metrics == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory for the report's fonts");
  struct font_files_options fonts = {font_directory, false, false};
  enum status status = font_files_open_writer(&fonts, &writer, metrics, error);
  if (status != STATUS_OK) {
    free(metrics);
    return status;
  }
  struct layout layout;
  struct page_geometry geometry = landscape();
  layout_init(&layout, metrics, &geometry);
  struct composer composer = {
      .input = input,
      .report = report,
      .layout = &layout,
      .metrics = metrics,
      .left = geometry.left,
      .right = geometry.width - geometry.right,
  };
  status = prepare_labels(&composer, error);
  if (status == STATUS_OK) {
    size_columns(&composer);
    size_header(&composer);
    compose_heading(&composer);
    compose_table(&composer);
    compose_charts(&composer);
    compose_late(&composer);
    compose_notes_and_signature(&composer);
    if (composer.failed)
      status = error_set(error, STATUS_RUNTIME, "out of memory laying out the report");
    else
      status = layout_status(&layout, error);
  }
  if (status == STATUS_OK) {
    struct civil_date from = civil_date_from_days(report->period.from_day);
    struct civil_date to = civil_date_from_days(report->period.to_day);
    char title[128];
    snprintf(title, sizeof title,
             "Báo cáo tiến độ giải quyết hồ sơ từ %02d/%02d/%04d đến %02d/%02d/%04d", from.day,
             from.month, from.year, to.day, to.month, to.year);
    status = pdf_writer_render(writer, &layout, title, data, size, error);
  }
  free_labels(&composer);
  layout_free(&layout);
  pdf_writer_free(writer);
  free(metrics);
  return status;
}
