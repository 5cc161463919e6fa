/*
 * pdf_field.h: empty signature fields (AcroForm, field type /Sig) added to a libharu 2.3
 * document before it is saved: what a signing tool (the Government CA's plugin, pdfsig -sign,
 * podofosign -field-use-existing) fills in, at the place the form keeps for the signature.
 *
 * Each field is one merged field-and-widget dictionary (/FT /Sig, /T its name, /Rect, /F 4 so
 * that a signature's appearance prints, /P its page) listed in the page's /Annots and in the
 * catalog's /AcroForm /Fields. No /V: the field is unsigned; no /SigFlags: a signer sets them
 * with the signature. The names and rectangles are a contract for integrators
 * (docs/LETTERS.md, "Signing").
 *
 * Why this way. libharu 2.3 has no form-field API, but it writes any object put into its
 * document through its internal object API (hpdf_objects.h, installed by Debian's
 * libhpdf-dev), which letter/pdf_font.h already relies on. Adding four small dictionaries
 * there is the smallest sound way: the fields are in the one and only revision libharu writes,
 * with its cross-reference table, so the letter stays a single, byte-stable revision (what
 * letter_log's sha256 covers, and what a signed file must start with). The alternatives cost
 * more for nothing: an incremental update appended after libharu's %%EOF needs our own parser
 * of libharu's output (to find and rewrite the catalog and the page) and makes every unsigned
 * letter a two-revision file; qpdf's libqpdf is a C++ library and a new dependency of the
 * letter layer for a job of four dictionaries.
 */
#ifndef DUNGHEN_LETTER_PDF_FIELD_H
#define DUNGHEN_LETTER_PDF_FIELD_H

#include <hpdf.h>

#include "letter/layout.h"

/* Adds `layout`'s fields to `document`, whose pages are already added (page i of the layout
 * is the document's page i). Returns libharu's status: HPDF_OK or an error code. */
HPDF_STATUS pdf_field_add(HPDF_Doc document, const struct layout *layout);

#endif
