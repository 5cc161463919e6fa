/*
 * letter.h: the public entry point: an apology letter (Mẫu 04) as a PDF in memory.
 *
 * Two objects keep the expensive parts across many letters:
 *   - a `struct letter_library` holds the templates (letters/form-2025.yaml, form-2018.yaml);
 *     it is immutable once loaded and may be shared by any number of threads;
 *   - a `struct letter_renderer` holds the loaded fonts, their metrics and scratch memory; it is
 *     used by one thread at a time (make one per worker thread) and renders any number of
 *     letters, each into a fresh buffer.
 * letter_render() is pure apart from memory: no clock (the letter date is an input), no files,
 * no logging. Text fields are cleaned by the policy of letter/text.h; what was replaced is
 * returned as warnings that name the field, never its content. An empty field prints as a
 * dotted line to fill in by hand (with a warning); a NULL field that the template uses is an
 * error naming the template's FILE:LINE:COLUMN. The body takes the template's wording for
 * `input->wording`; the reason prints as a sentence (letter/text.h, text_sentence), and an empty
 * one as dots over the rest of its line and one more whole line, with `reason_missing` set; the
 * procedure name loses a leading "Thủ tục" (text_procedure_name). The signature block never
 * stands alone on a page: at least the body's last two lines go with it.
 */
#ifndef DUNGHEN_LETTER_H
#define DUNGHEN_LETTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/dossier.h"
#include "core/error.h"
#include "rules/agencies.h"

/*
 * The letter's empty signature fields (AcroForm /Sig, letter/pdf_field.h), on the page of the
 * signature block, for integrators (docs/LETTERS.md, "Signing"): the head's, 50 x 26 mm,
 * centred in the right column between the signer's title (and its note) and the name; and,
 * when the agency sets `seal_signature: true`, the seal's, 36 x 36 mm, centred on the same
 * height, its right third over the head's field on the left.
 */
#define LETTER_HEAD_FIELD "head_signature"
#define LETTER_SEAL_FIELD "seal_signature"

enum {
  LETTER_MAX_WARNINGS = 16,
  LETTER_WARNING_SIZE = 200,
};

struct letter_library;
struct letter_renderer;

struct letter_options {
  /*
   * Directory of the Liberation Serif faces: `LiberationSerif-<Face>.vi.ttf` (the subset built
   * with dunghen) or else `LiberationSerif-<Face>.ttf`. NULL: the installed subset, then the
   * build tree's subset, then DUNGHEN_FONT_DIR (fonts-liberation2).
   */
  const char *font_directory;
  /*
   * Embed the true italic faces (four faces: 35 KB and about 170 letters/s). The default draws
   * italics slanted from the upright faces: two embedded faces, 22 KB and about 300 letters/s.
   */
  bool true_italic;
  /* Load the font files again for every letter, as libharu's examples do (a benchmark baseline). */
  bool reload_fonts_per_letter;
};

struct letter_input {
  const struct agency *agency;  /* issuing agency (letterhead, signer, number format) */
  enum apology_form form;       /* decided by core/dossier.h from the receipt date */
  enum apology_wording wording; /* before or after the promised time (core/dossier.h) */
  long number;                  /* this agency's letter number for the year, from 1 */
  int64_t letter_day;           /* the letter's date, a day number (core/civil.h) */
  /* The dossier. UTF-8 of any quality; "" prints as a dotted line, NULL is an error. */
  const char *applicant_name;
  const char *applicant_id; /* số định danh cá nhân / mã số doanh nghiệp */
  const char *applicant_address;
  const char *dossier_code;
  const char *procedure_name;
  const char *reason;         /* lý do chậm trễ */
  int64_t received_at;        /* instants, Unix seconds */
  int64_t promised_at;        /* ngày hẹn trả on the receipt slip */
  int64_t new_appointment_at; /* the new return date proposed */
};

struct letter_output {
  unsigned char *pdf; /* malloc()ed; letter_output_free() releases it */
  size_t size;
  int pages;
  char number[AGENCY_NUMBER_SIZE]; /* as printed: 07/PXL-TTPVHCC */
  char warnings[LETTER_MAX_WARNINGS][LETTER_WARNING_SIZE];
  size_t warning_count;
  bool reason_missing; /* no delay reason: the letter leaves dots to fill in by hand */
};

/* Loads form-2025.yaml and form-2018.yaml from `letters_directory`. */
enum status letter_library_load(const char *letters_directory, struct letter_library **library,
                                struct error *error);
void letter_library_free(struct letter_library *library);

/* `options` may be NULL (defaults). The library must outlive the renderer. */
enum status letter_renderer_new(const struct letter_library *library,
                                const struct letter_options *options,
                                struct letter_renderer **renderer, struct error *error);
void letter_renderer_free(struct letter_renderer *renderer);

/* Renders one letter. On failure `output` holds nothing to free. */
enum status letter_render(struct letter_renderer *renderer, const struct letter_input *input,
                          struct letter_output *output, struct error *error);
void letter_output_free(struct letter_output *output);

/* `05 tháng 02 năm 2026` and `14 giờ 30` (local time), as the letter prints them. */
void letter_format_date(int64_t day, char *buffer, size_t size);
void letter_format_time(int64_t instant, char *buffer, size_t size);

#endif
