/*
 * font_files.h: the letter font on disk, opened for writing PDFs. Letters and the progress
 * report print in the same Liberation Serif (PRODUCT.md, "Layout of an administrative
 * document"), found the same way and embedded the same way (letter/pdf.h), so they share this.
 *
 * The faces are `LiberationSerif-<Face>.vi.ttf` (the subset built with dunghen) or else
 * `LiberationSerif-<Face>.ttf`, in `directory`, or when it is NULL in the installed subset,
 * then the build tree's subset, then DUNGHEN_FONT_DIR (fonts-liberation2). Without
 * `true_italic`, the italic faces are drawn slanted from the upright ones (two faces embedded
 * instead of four).
 */
#ifndef DUNGHEN_LETTER_FONT_FILES_H
#define DUNGHEN_LETTER_FONT_FILES_H

#include <stdbool.h>

#include "core/error.h"
#include "letter/layout.h"
#include "letter/pdf.h"

struct font_files_options {
  const char *directory;
  bool true_italic;
  bool reload_per_document; /* the benchmark baseline of pdf.h */
};

/* A PDF writer with the faces loaded, and their advance widths into `metrics`. STATUS_RUNTIME
 * naming the directories searched when a face is missing, or naming the file that fails. */
enum status font_files_open_writer(const struct font_files_options *options,
                                   struct pdf_writer **writer, struct font_metrics *metrics,
                                   struct error *error);

#endif
