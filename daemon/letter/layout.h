/*
 * layout.h: pure text layout for letters and the report: lines, positions, justification and
 * page breaks.
 *
 * Input is cleaned UTF-8 (letter/text.h) and the advance widths of the letter font's faces;
 * output is a list of positioned runs (one per line, or one per word on a justified line,
 * because a PDF word spacing operator does not apply to two-byte codes), horizontal rules, and
 * the report's filled boxes and lines (its table's grid and its charts), each tagged with its
 * page. Coordinates are PDF points from the bottom-left corner of the
 * page. Lines break at spaces, except inside a date or a time (`ngày 03 tháng 02 năm 2026`,
 * `09 giờ 30`: see layout_is_bound), which is never split across lines and, on a justified
 * line, keeps its natural spaces while the others stretch; a word wider than the line breaks
 * between characters, never inside a UTF-8 sequence. A line that does not fit above the bottom
 * margin starts a new page, and so does the line numbered `break_before_line` (keep-with-next:
 * the caller lays out again with it set); every page after the first gets its number centred
 * in the top margin. No I/O, no global state: a `struct layout` belongs to one caller.
 */
#ifndef DUNGHEN_LETTER_LAYOUT_H
#define DUNGHEN_LETTER_LAYOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "letter/text.h"

enum letter_face { FACE_REGULAR, FACE_BOLD, FACE_ITALIC, FACE_BOLD_ITALIC, FACE_COUNT };

#define LAYOUT_POINTS_PER_MM (72.0 / 25.4)
/* Liberation Serif's ascent and descent, in em: the box pdftotext reports for a glyph. */
#define LAYOUT_ASCENT 0.891
#define LAYOUT_DESCENT 0.216

struct font_metrics {
  uint16_t width[FACE_COUNT][TEXT_REPERTOIRE_SIZE]; /* advance widths in 1/1000 em */
};

struct page_geometry {
  double width, height;            /* points */
  double top, bottom, left, right; /* margins, points */
};

enum layout_align { LAYOUT_LEFT, LAYOUT_CENTER, LAYOUT_RIGHT, LAYOUT_JUSTIFY };

struct layout_style {
  enum letter_face face;
  double size;    /* points */
  double leading; /* baseline to baseline, at least (ascent + descent) * size */
  enum layout_align align;
  double first_indent;   /* points, first line only */
  double space_before;   /* points */
  double space_after;    /* points */
  double hanging_indent; /* points, every line after the first (a list item's run-over) */
};

struct layout_run {
  int page;    /* 0-based */
  double x, y; /* start of the baseline */
  enum letter_face face;
  double size;
  double width;
  size_t text_offset; /* into layout.text */
  size_t text_length;
};

struct layout_rule {
  int page;
  double x1, x2, y;
};

/* A filled rectangle in DeviceRGB (0..1), drawn under the text; `outline` > 0 strokes its edge
 * in black with that width. The report's charts and shaded rows. */
struct layout_box {
  int page;
  double x, y, width, height; /* (x, y) the lower left corner */
  double red, green, blue;
  double outline;
};

/* A black line of any direction and width, drawn over the text: a table's grid. */
struct layout_line {
  int page;
  double x1, y1, x2, y2;
  double width;
};

/* An empty signature field (letter/pdf_field.h): where a signing tool puts a signature. */
enum { LAYOUT_FIELD_MAX = 2, LAYOUT_FIELD_NAME_SIZE = 32 };
struct layout_field {
  int page;
  double x, y, width, height; /* (x, y) the lower left corner */
  char name[LAYOUT_FIELD_NAME_SIZE];
};

struct layout {
  const struct font_metrics *metrics;
  struct page_geometry geometry;
  struct layout_run *runs;
  size_t run_count, run_capacity;
  struct layout_rule *rules;
  size_t rule_count, rule_capacity;
  struct layout_box *boxes;
  size_t box_count, box_capacity;
  struct layout_line *lines;
  size_t line_shape_count, line_shape_capacity;
  struct layout_field fields[LAYOUT_FIELD_MAX];
  size_t field_count;
  char *text; /* the runs' text, each run's bytes followed by a NUL */
  size_t text_length, text_capacity;
  int page_count;
  /* The page of every line set so far, in order (page numbers are not lines): what a caller
   * needs to keep lines together. */
  int *line_pages;
  size_t line_count, line_capacity;
  /* The line with this index (from 0) starts a new page unless it already starts one; SIZE_MAX
   * (what layout_reset sets) for none. */
  size_t break_before_line;
  /* the cursor: the top of the next line on page `page` */
  int page;
  double y;
  bool failed; /* out of memory: every later call is a no-op, layout_status() reports it */
};

/* A4 portrait with Decree 30/2020 margins: top and bottom 20 mm, left 30 mm, right 15 mm. */
struct page_geometry layout_a4_geometry(void);

void layout_init(struct layout *layout, const struct font_metrics *metrics,
                 const struct page_geometry *geometry);
void layout_free(struct layout *layout);
/* Empties the layout for another document, keeping its memory. */
void layout_reset(struct layout *layout);
enum status layout_status(const struct layout *layout, struct error *error);

/*
 * True when the space between text[before_start, space) and text[space + 1, after_end) must not
 * break a line nor stretch: a date unit before its number (`ngày 03`, `tháng 02`, `năm 2026`), a
 * number before the next date unit (`03 tháng`, `02 năm`), a number before `giờ` or `phút`, and
 * the minutes after `giờ` (`09 giờ 30`); so `ngày 03 tháng 02 năm 2026` and `09 giờ 30` are each
 * one group. A number is a word that starts with a digit (`2026,` counts).
 */
bool layout_is_bound(const char *text, size_t before_start, size_t space, size_t after_end);

/* Advance width of `length` bytes of cleaned text, in points. */
double layout_text_width(const struct font_metrics *metrics, enum letter_face face, double size,
                         const char *text, size_t length);

/* Height a paragraph would take between `left` and `right`, spacing included. */
double layout_paragraph_height(const struct font_metrics *metrics, const char *text,
                               const struct layout_style *style, double width);

/*
 * The room, in points, that the last line of `text` (set as layout_paragraph would set it in
 * `width`) leaves for one more word after a space: what a blank to fill in by hand may take on
 * that line. For empty text, the whole first line (less the first-line indent).
 */
double layout_paragraph_room(const struct font_metrics *metrics, const char *text,
                             const struct layout_style *style, double width);

/*
 * Sets a paragraph between x = left and x = right from the cursor down, breaking pages as
 * needed, and moves the cursor below it. *widest (may be NULL) receives the widest line's width.
 * Empty text takes no lines but keeps its spacing.
 */
void layout_paragraph(struct layout *layout, const char *text, const struct layout_style *style,
                      double left, double right, double *widest);

/* Moves the cursor down, at most to the bottom margin (the next line then breaks the page). */
void layout_space(struct layout *layout, double points);
/* True when `height` points fit between the cursor and the bottom margin. */
bool layout_fits(const struct layout *layout, double height);
/* Starts a new page (numbered in its top margin) and puts the cursor at its top. */
void layout_new_page(struct layout *layout);
/* A horizontal rule on the current page at height y. */
void layout_rule(struct layout *layout, double x1, double x2, double y);
/* A filled rectangle on the current page; colour[] is red, green, blue in 0..1. */
void layout_box(struct layout *layout, double x, double y, double width, double height,
                const double colour[3], double outline);
/* An empty signature field named `name` (ASCII, no '.') on the current page; more than
 * LAYOUT_FIELD_MAX fields is a programming error and fails the layout. */
void layout_field(struct layout *layout, const char *name, double x, double y, double width,
                  double height);
/* A line on the current page. */
void layout_line(struct layout *layout, double x1, double y1, double x2, double y2, double width);
/* One run of cleaned text on the current page, its baseline starting at (x, baseline), not
 * broken nor counted as a line; returns its width. A chart's figures and tick labels. */
double layout_text_at(struct layout *layout, double x, double baseline, enum letter_face face,
                      double size, const char *text);

/*
 * A centred paragraph set in the narrowest width that takes as few lines as `right - left`
 * does, so that a heading breaks into lines of even length (TRUNG TÂM PHỤC VỤ / HÀNH CHÍNH CÔNG
 * TỈNH) as a typist would break it, not into a long line and a short one. Returns the widest
 * line's width.
 */
double layout_balanced(struct layout *layout, const char *text, const struct layout_style *style,
                       double left, double right);

#endif
