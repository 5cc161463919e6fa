/*
 * pdf_font.h: a TrueType face prepared once, embedded cheaply in every document.
 *
 * libharu 2.3's HPDF_GetFont rebuilds a face's PDF font for every document: it walks all 65,536
 * UTF-8 code points through a linear cmap search, builds a 128 KB CIDToGIDMap and a width array
 * and deflates them. A `struct pdf_font_face` does that work once: it loads the face from memory
 * into a long-lived libharu document (registered there, so HPDF_NewDoc resets its used-glyph
 * marks), keeps each code point's glyph and width, and keeps the CIDToGIDMap and the ToUnicode
 * CMap as finished deflated bytes. Embedding it in a document then creates the same kind of font
 * libharu would (Type0, CIDFontType2, Identity-H with CID = Unicode code point, ToUnicode, the
 * used glyphs as FontFile2) from those bytes through libharu's object API; the width array lists
 * only the characters the document draws. The returned HPDF_Font works with
 * HPDF_Page_SetFontAndSize and HPDF_Page_ShowText (not with HPDF_Page_MeasureText/TextRect).
 *
 * A face belongs to one libharu document and is not thread-safe; free it after that document.
 */
#ifndef DUNGHEN_LETTER_PDF_FONT_H
#define DUNGHEN_LETTER_PDF_FONT_H

#include <stdint.h>

#include <hpdf.h>

#include "core/error.h"

struct pdf_font_face;

/*
 * Loads the TrueType file at `path` (already checked as a complete sfnt) into `document`, whose
 * fonts are subset-tagged with `tag` (six capital letters, unique within the document).
 */
enum status pdf_font_face_new(HPDF_Doc document, const char *path, const char *tag,
                              struct pdf_font_face **face, struct error *error);
void pdf_font_face_free(struct pdf_font_face *face);

/* Advance width of `code_point` in 1/1000 em, as the embedded font declares it. */
uint16_t pdf_font_face_width(const struct pdf_font_face *face, uint32_t code_point);

/*
 * Creates the face's font objects in the document's current PDF (after HPDF_NewDoc). At most
 * once per face and PDF. NULL on failure (the document's error handler has the code).
 */
HPDF_Font pdf_font_face_embed(struct pdf_font_face *face);

#endif
