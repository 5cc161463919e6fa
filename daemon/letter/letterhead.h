/*
 * letterhead.h: the top of an administrative document (Decree 30/2020, Annex I), as letters and
 * the progress report print it: on the left the governing body (upper case), the issuing unit
 * (upper case, bold) with a short rule under it, and the number line; on the right the national
 * title (upper case, bold), the motto (bold) with a rule as long as itself, and the place and
 * date in italics. Each heading is centred in its column and broken into lines of even length.
 */
#ifndef DUNGHEN_LETTER_LETTERHEAD_H
#define DUNGHEN_LETTER_LETTERHEAD_H

#include "letter/layout.h"

/* Cleaned text (letter/text.h), already upper-cased where the form wants capitals. */
struct letterhead {
  const char *governing_body;
  const char *unit;
  const char *number_line; /* Số: 07/PXL-TTPVHCC */
  const char *national_title;
  const char *motto;
  const char *date_line; /* Đắk Lắk, ngày 05 tháng 02 năm 2026 */
};

/* Sets the two columns [left_start, left_end] and [right_start, right_end] side by side from
 * the cursor down, and leaves the cursor under the longer one. */
void letterhead_put(struct layout *layout, const struct letterhead *head, double left_start,
                    double left_end, double right_start, double right_end);

#endif
