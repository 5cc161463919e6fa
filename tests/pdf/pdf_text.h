/*
 * pdf_text.h: what poppler reads back from a rendered letter, for the C tests of the pdf suite:
 * `pdftotext` of the whole letter or of one page (`-f N -l N`), raw or in its physical layout.
 */
#ifndef DUNGHEN_TEST_PDF_TEXT_H
#define DUNGHEN_TEST_PDF_TEXT_H

#include "letter/letter.h"

/*
 * The text of page `page` (1-based; 0 for every page), as pdftotext prints it with `mode`
 * ("-raw", "-layout" or "-bbox"). A new string (free() it); an empty string when poppler fails.
 */
char *pdf_text(const struct letter_output *output, int page, const char *mode);

#endif
