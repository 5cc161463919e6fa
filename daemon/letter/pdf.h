/*
 * pdf.h: writes a laid-out letter or report as PDF with libharu, into memory: filled boxes under
 * the text, rules and lines over it.
 *
 * A `struct pdf_writer` owns one libharu document with the letter faces loaded and prepared once
 * (letter/pdf_font.h: no per-letter font building); every render starts a new document in it,
 * embeds only the faces the letter uses (CID TrueType, Identity-H, with ToUnicode maps, so text
 * extracts exactly; only the glyphs drawn) and returns the bytes. A writer is not thread-safe:
 * give each worker thread its own. Faces may share a file; a face marked oblique is drawn
 * slanted from it, which saves embedding a face at the cost of a synthetic italic. The layout's
 * signature fields become empty AcroForm /Sig fields (letter/pdf_field.h).
 */
#ifndef DUNGHEN_LETTER_PDF_H
#define DUNGHEN_LETTER_PDF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "letter/layout.h"

struct pdf_writer;

struct pdf_faces {
  const char *paths[FACE_COUNT]; /* TrueType files; equal paths are loaded once */
  bool oblique[FACE_COUNT];      /* draw this face slanted (synthetic italic) */
  /* Load the fonts again for every document, as libharu's examples do: the benchmark baseline. */
  bool reload_per_document;
};

enum status pdf_writer_new(const struct pdf_faces *faces, struct pdf_writer **writer,
                           struct error *error);
void pdf_writer_free(struct pdf_writer *writer);

/* Advance widths of every repertoire character in every face, as the PDF will hold them. */
enum status pdf_writer_metrics(struct pdf_writer *writer, struct font_metrics *metrics,
                               struct error *error);

/*
 * Renders `layout` (A4 pages from its geometry) to a new malloc()ed buffer. `title` goes into
 * the document information (keep personal data out of it).
 */
enum status pdf_writer_render(struct pdf_writer *writer, const struct layout *layout,
                              const char *title, unsigned char **data, size_t *size,
                              struct error *error);

#endif
