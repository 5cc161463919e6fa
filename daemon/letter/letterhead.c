/*
 * letterhead.c: the two header columns of a document (see letterhead.h); sizes from
 * PRODUCT.md, "Layout of an administrative document".
 */
#include "letter/letterhead.h"

static double centred(struct layout *layout, const char *text, enum letter_face face, double size,
                      double left, double right) {
  struct layout_style style = {face, size, size * 1.2, LAYOUT_CENTER, 0, 0, 0, 0};
  return layout_balanced(layout, text, &style, left, right);
}

void letterhead_put(struct layout *layout, const struct letterhead *head, double left_start,
                    double left_end, double right_start, double right_end) {
  double top = layout->y;
  /* Left: governing body, unit (bold), a rule a third as long as the unit, the number. */
  centred(layout, head->governing_body, FACE_REGULAR, 13, left_start, left_end);
  double unit_width = centred(layout, head->unit, FACE_BOLD, 13, left_start, left_end);
  double middle = (left_start + left_end) / 2, rule = unit_width / 3;
  layout_rule(layout, middle - rule / 2, middle + rule / 2, layout->y - 2);
  layout_space(layout, 12);
  centred(layout, head->number_line, FACE_REGULAR, 13, left_start, left_end);
  double left_bottom = layout->y;
  /* Right: national title, motto (bold), a rule as long as the motto, the place and date. */
  layout->y = top;
  centred(layout, head->national_title, FACE_BOLD, 12, right_start, right_end);
  double motto_width = centred(layout, head->motto, FACE_BOLD, 13, right_start, right_end);
  middle = (right_start + right_end) / 2;
  layout_rule(layout, middle - motto_width / 2, middle + motto_width / 2, layout->y - 2);
  layout_space(layout, 12);
  centred(layout, head->date_line, FACE_ITALIC, 13, right_start, right_end);
  if (left_bottom < layout->y)
    layout->y = left_bottom;
}
