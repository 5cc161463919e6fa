/*
 * letter/pdf_font.h, the faces prepared once per writer, against plain libharu: every repertoire
 * character has the width libharu's own font gives it; a letter's bytes do not depend on the
 * letters rendered before it (the used glyphs and widths start afresh in every PDF); a face
 * that cannot be read is reported. The PDF structure (ToUnicode, CIDToGIDMap, W, FontFile2
 * against the font file) is checked from outside by test_letters.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "core/civil.h"
#include "letter/letter-fonts.h"
#include "letter/letter.h"
#include "letter/pdf_font.h"
#include "letter/text.h"
#include "rules/agencies.h"
#include "sample_input.h"
#include "tap.h"

static const char *const face_names[] = {"Regular", "Bold", "Italic", "BoldItalic"};

static void ignore_error(HPDF_STATUS error_number, HPDF_STATUS detail, void *user_data) {
  (void)error_number;
  (void)detail;
  (void)user_data;
}

/* Widths of the prepared face against HPDF_GetFont's font of the same file. */
static void test_widths(const char *face_name) {
  char path[4096];
  snprintf(path, sizeof path, "%s/LiberationSerif-%s.vi.ttf", LETTER_FONT_BUILD_DIR, face_name);
  HPDF_Doc prepared_document = HPDF_New(ignore_error, NULL);
  HPDF_Doc plain_document = HPDF_New(ignore_error, NULL);
  HPDF_UseUTFEncodings(prepared_document);
  HPDF_UseUTFEncodings(plain_document);
  struct pdf_font_face *face = NULL;
  struct error error;
  tap_is_integer(pdf_font_face_new(prepared_document, path, "TESTAA", &face, &error), STATUS_OK,
                 "%s: the face is prepared", face_name);
  const char *name = HPDF_LoadTTFontFromFile(plain_document, path, HPDF_TRUE);
  HPDF_Font plain = name ? HPDF_GetFont(plain_document, name, "UTF-8") : NULL;
  int differences = 0;
  uint32_t first_difference = 0;
  for (int index = 0; face != NULL && plain != NULL && index < TEXT_REPERTOIRE_SIZE; index++) {
    uint32_t code_point = text_repertoire_code_point(index);
    if (pdf_font_face_width(face, code_point) != HPDF_Font_GetUnicodeWidth(plain, code_point) &&
        differences++ == 0)
      first_difference = code_point;
  }
  tap_ok(face != NULL && plain != NULL && differences == 0,
         "%s: all %d repertoire widths equal libharu's (%d differ, first U+%04X)", face_name,
         TEXT_REPERTOIRE_SIZE, differences, (unsigned)first_difference);
  pdf_font_face_free(face);
  HPDF_Free(prepared_document);
  HPDF_Free(plain_document);
}

static void test_unreadable_file(void) {
  HPDF_Doc document = HPDF_New(ignore_error, NULL);
  struct pdf_font_face *face = NULL;
  struct error error;
  tap_is_integer(pdf_font_face_new(document, "/nonexistent/Face.ttf", "TESTAB", &face, &error),
                 STATUS_RUNTIME, "a missing font file is a runtime error");
  tap_is_string(error.message,
                "cannot open the letter font /nonexistent/Face.ttf: No such file or directory",
                "the error names the file and the cause");
  tap_ok(face == NULL, "no face after a failure");
  HPDF_Free(document);
}

static bool render(struct letter_renderer *renderer, const struct letter_input *input,
                   struct letter_output *output) {
  struct error error;
  if (letter_render(renderer, input, output, &error) == STATUS_OK)
    return true;
  tap_diagnostic("render failed: %s", error.message);
  memset(output, 0, sizeof *output);
  return false;
}

static bool same_bytes(const struct letter_output *a, const struct letter_output *b) {
  return a->pdf != NULL && b->pdf != NULL && a->size == b->size &&
         memcmp(a->pdf, b->pdf, a->size) == 0;
}

/* A letter's glyph subset and width array must not keep what earlier letters used. */
static void test_letters_independent(const struct letter_library *library,
                                     const struct agency *agency) {
  struct letter_renderer *renderer, *fresh;
  struct error error;
  if (letter_renderer_new(library, NULL, &renderer, &error) != STATUS_OK ||
      letter_renderer_new(library, NULL, &fresh, &error) != STATUS_OK) {
    tap_ok(false, "renderers: %s", error.message);
    return;
  }
  struct letter_input plain =
      sample_input(agency, 7, "Lê Văn An", "Chờ ý kiến cơ quan phối hợp.", APOLOGY_FORM_2025);
  struct letter_input rich = sample_input(agency, 8, "Ỹ Ữ Ẵ Ặ Ẩ Ỗ Ợ Ự Ñ Ç Ü № ₫ “Q” — Z",
                                          "Đợi Ỷ Ỵ ỹ ỵ.", APOLOGY_FORM_2018);
  struct letter_output first, other, again, from_fresh;
  bool rendered = render(renderer, &plain, &first);
  rendered &= render(renderer, &rich, &other);
  rendered &= render(renderer, &plain, &again);
  rendered &= render(fresh, &plain, &from_fresh);
  tap_ok(rendered, "four letters render");
  tap_ok(same_bytes(&first, &again),
         "a letter rendered after a richer one has exactly its first bytes (%zu and %zu)",
         first.size, again.size);
  tap_ok(same_bytes(&first, &from_fresh), "and the bytes of a new renderer");
  tap_ok(other.size > first.size, "the richer letter embeds more (%zu > %zu bytes)", other.size,
         first.size);
  letter_output_free(&first);
  letter_output_free(&other);
  letter_output_free(&again);
  letter_output_free(&from_fresh);
  letter_renderer_free(renderer);
  letter_renderer_free(fresh);
}

int main(void) {
  for (size_t i = 0; i < sizeof face_names / sizeof face_names[0]; i++)
    test_widths(face_names[i]);
  test_unreadable_file();

  char path[4096];
  struct error error;
  struct letter_library *library;
  struct agency_table agencies;
  snprintf(path, sizeof path, "%s/letters", getenv("DUNGHEN_SOURCE_ROOT"));
  if (letter_library_load(path, &library, &error) != STATUS_OK) {
    tap_ok(false, "letter library: %s", error.message);
    return tap_finish();
  }
  snprintf(path, sizeof path, "%s/agencies.yaml", getenv("DUNGHEN_RULES"));
  if (agencies_load(path, &agencies, &error) != STATUS_OK) {
    tap_ok(false, "agencies: %s", error.message);
    letter_library_free(library);
    return tap_finish();
  }
  test_letters_independent(library, agencies_find(&agencies, "DLK-TTPVHCC"));
  letter_library_free(library);
  agencies_free(&agencies);
  return tap_finish();
}
