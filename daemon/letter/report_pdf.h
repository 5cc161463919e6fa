/*
 * report_pdf.h: the progress report (core/report.h) as an A4 landscape PDF in the Decree 30
 * style, in memory: governing body and unit, number, place and date, the title "BÁO CÁO TIẾN ĐỘ
 * GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH", the period, the table in the layout of Decision 766
 * (header cells spanning their sub-columns, a total row), a chart per group (stacked bars of
 * done early / on time / late and of in progress on time / overdue), the list of late
 * dossiers without a letter, the notes (report_notes()) and the signature block.
 *
 * Pure apart from memory: the date is an input, the fonts are the only files read, once per
 * call (the letter's Liberation Serif; letter/font_files.h, as letter_options.font_directory),
 * nothing is logged. The charts are drawn with libharu's own paths. Text extracts exactly
 * (pdftotext), as in letters. Input text (labels, codes, the issuer's fields) is cleaned as
 * letters clean theirs (letter/text.h). STATUS_INVALID for a missing report or issuer or an
 * inverted period; STATUS_RUNTIME for fonts and memory.
 */
#ifndef DUNGHEN_LETTER_REPORT_PDF_H
#define DUNGHEN_LETTER_REPORT_PDF_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/report.h"
#include "rules/agencies.h"

struct report_pdf_input {
  const struct report *report;
  const struct agency *issuer; /* letterhead, place, symbol and signer */
  long number;                 /* the report's number for the year; 0 leaves a blank to fill */
  int64_t day;                 /* the report's date, a day number (core/civil.h) */
};

/* Renders the report; `font_directory` as letter_options.font_directory (NULL: default). On
 * success *data is malloc()ed (free() it). */
enum status report_pdf_render(const struct report_pdf_input *input, const char *font_directory,
                              unsigned char **data, size_t *size, struct error *error);

#endif
