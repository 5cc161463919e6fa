/*
 * The letter's empty signature fields (issue 20; letter/letter.h, docs/LETTERS.md "Signing"),
 * read back from the PDF and compared with where poppler finds the signature block's text:
 *   - `head_signature` is an AcroForm /Sig field (qpdf --json), on the page that holds the
 *     signature (a one-page and a two-page letter, both forms), its /Rect 50 mm wide, centred on
 *     the right column's centre line (where the title and the name are centred), between the
 *     line above it (the note or the title) and the signer's name, filling the room to sign;
 *   - with `seal_signature` on, `seal_signature` is there too: 36 mm square, centred on the
 *     same height, its right edge a third of the way into the head's field;
 *   - the fields change neither the text poppler extracts nor the fonts, the letter stays
 *     byte-stable, and qpdf --check passes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "letter/letter.h"
#include "pdf_text.h"
#include "sample_input.h"
#include "tap.h"

#define MM (72.0 / 25.4)
#define PAGE_HEIGHT 841.89
#define COLUMN_CENTRE ((210 * MM - 15 * MM - 95 * MM + 210 * MM - 15 * MM) / 2)

struct rect {
  double x0, y0, x1, y1; /* PDF points from the bottom left */
};

/* The /Rect of the field named `name` in the PDF's bytes (libharu writes dictionaries
 * uncompressed); false when there is none. */
static bool field_rect(const struct letter_output *output, const char *name, struct rect *rect) {
  char key[64];
  snprintf(key, sizeof key, "/T (%s)", name);
  const char *data = (const char *)output->pdf;
  const char *found = memmem(data, output->size, key, strlen(key));
  if (found == NULL)
    return false;
  const char *start = found;
  while (start > data && memcmp(start, " obj", 4) != 0)
    start--;
  const char *end = memmem(found, output->size - (size_t)(found - data), "endobj", 6);
  const char *at = memmem(start, (size_t)(end - start), "/Rect [", 7);
  return end != NULL && at != NULL &&
         sscanf(at, "/Rect [ %lf %lf %lf %lf ]", &rect->x0, &rect->y0, &rect->x1, &rect->y1) == 4;
}

static char *run(const char *command) {
  FILE *pipe = popen(command, "r");
  char *text = calloc(1, 65536);
  if (pipe == NULL || text == NULL)
    return text;
  size_t used = fread(text, 1, 65535, pipe);
  text[used] = '\0';
  pclose(pipe);
  return text;
}

/* `tool` (a shell command taking the file as its last argument) on the letter; its output. */
static char *on_file(const struct letter_output *output, const char *tool) {
  char path[] = "/tmp/dunghen-field-XXXXXX";
  int descriptor = mkstemp(path);
  FILE *file = fdopen(descriptor, "wb");
  fwrite(output->pdf, 1, output->size, file);
  fclose(file);
  char command[512];
  snprintf(command, sizeof command, "%s '%s' 2>&1", tool, path);
  char *text = run(command);
  remove(path);
  return text;
}

/* The field's page (pageposfrom1 in qpdf's JSON), or 0 when qpdf lists no such /Sig field. */
static int field_page(const struct letter_output *output, const char *name) {
  char *json = on_file(output, "qpdf --json --json-key=acroform");
  char key[64];
  snprintf(key, sizeof key, "\"fullname\": \"%s\"", name);
  int page = 0;
  const char *at = strstr(json, key);
  const char *position = at != NULL ? strstr(at, "\"pageposfrom1\": ") : NULL;
  /* qpdf sorts a field's keys: fieldtype comes before fullname, so look back for it. */
  const char *opening = at;
  while (opening != NULL && opening > json && *opening != '{')
    opening--;
  const char *type = opening != NULL ? strstr(opening, "\"fieldtype\": \"/Sig\"") : NULL;
  if (position != NULL && type != NULL && type < at)
    page = atoi(position + strlen("\"pageposfrom1\": "));
  free(json);
  return page;
}

struct word {
  double x0, top, x1, bottom; /* pdftotext -bbox: from the top left */
  char text[128];
};

/* The next word of pdftotext -bbox output after *cursor; false at the end. */
static bool next_word(const char **cursor, struct word *word) {
  const char *at = strstr(*cursor, "<word xMin=");
  if (at == NULL)
    return false;
  *cursor = at + 1;
  return sscanf(at, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\">%127[^<]", &word->x0,
                &word->top, &word->x1, &word->bottom, word->text) == 5;
}

/* The right column's words on the signature page: the signer's name (its first word `first`,
 * the last line that has it) and the lowest line above it. */
static bool block_bounds(const char *boxes, const char *first, double *above_bottom,
                         double *name_top, double *name_left, double *name_right) {
  struct word word;
  *name_top = -1;
  for (const char *cursor = boxes; next_word(&cursor, &word);)
    if (word.x0 > 290 && strcmp(word.text, first) == 0 && word.top > *name_top) {
      *name_top = word.top;
      *name_left = word.x0;
    }
  *above_bottom = -1;
  *name_right = -1;
  for (const char *cursor = boxes; next_word(&cursor, &word);) {
    if (word.x0 <= 290)
      continue;
    if (word.bottom < *name_top && word.bottom > *above_bottom)
      *above_bottom = word.bottom;
    if (word.top == *name_top && word.x1 > *name_right)
      *name_right = word.x1;
  }
  return *name_top > 0 && *above_bottom > 0;
}

static char *long_reason(int sentences) {
  const char *sentence = "Hồ sơ cần xác minh thêm thông tin về nơi cư trú của người yêu cầu "
                         "tại Ủy ban nhân dân xã nơi đăng ký thường trú trước đây.";
  char *reason = calloc((size_t)sentences, strlen(sentence) + 1);
  for (int i = 0; i < sentences; i++) {
    if (i > 0)
      strcat(reason, " ");
    strcat(reason, sentence);
  }
  return reason;
}

static void check_head_field(const struct letter_output *output, const struct agency *agency,
                             const char *what) {
  struct rect head;
  if (!tap_ok(field_rect(output, LETTER_HEAD_FIELD, &head), "%s: the PDF has a %s field", what,
              LETTER_HEAD_FIELD))
    return;
  tap_is_integer(field_page(output, LETTER_HEAD_FIELD), output->pages,
                 "%s: qpdf lists it as a /Sig field on the signature's page (%d)", what,
                 output->pages);
  char *boxes = pdf_text(output, output->pages, "-bbox");
  char first[128];
  snprintf(first, sizeof first, "%.*s", (int)strcspn(agency->signer_name, " "),
           agency->signer_name);
  double above = 0, name_top = 0, name_left = 0, name_right = 0;
  if (tap_ok(block_bounds(boxes, first, &above, &name_top, &name_left, &name_right),
             "%s: poppler finds the signature block", what)) {
    double top = PAGE_HEIGHT - head.y1, bottom = PAGE_HEIGHT - head.y0;
    tap_ok(top >= above && top - above < 6,
           "%s: the field starts just below the line above it (%.2f, the line ends at %.2f)", what,
           top, above);
    tap_ok(bottom <= name_top && name_top - bottom < 6,
           "%s: the field ends just above the signer's name (%.2f, the name starts at %.2f)", what,
           bottom, name_top);
    double centre = (head.x0 + head.x1) / 2;
    tap_ok(centre > COLUMN_CENTRE - 0.5 && centre < COLUMN_CENTRE + 0.5 &&
               centre > (name_left + name_right) / 2 - 0.5 &&
               centre < (name_left + name_right) / 2 + 0.5,
           "%s: centred like the name (field %.2f, name %.2f, column %.2f)", what, centre,
           (name_left + name_right) / 2, COLUMN_CENTRE);
    tap_ok(head.x1 - head.x0 > 50 * MM - 0.01 && head.x1 - head.x0 < 50 * MM + 0.01,
           "%s: 50 mm wide (%.2f pt)", what, head.x1 - head.x0);
  }
  free(boxes);
}

int main(void) {
  struct sample_input_setup setup;
  struct error error;
  if (!sample_input_setup_load(&setup, &error))
    return tap_skip_all(error.message);
  const struct agency *agency = setup.agency;
  tap_ok(!agency->seal_signature, "the shipped DLK-TTPVHCC has no seal field");
  enum apology_form forms[] = {APOLOGY_FORM_2025, APOLOGY_FORM_2018};
  for (int f = 0; f < 2; f++) {
    const char *form = f == 0 ? "2025" : "2018";
    bool two_pages = false;
    for (int sentences = 1; sentences <= 40 && !two_pages; sentences += 3) {
      char *reason = long_reason(sentences);
      struct letter_input input = sample_input(agency, 7, "Lê Thị Yến", reason, forms[f]);
      struct letter_output output;
      if (letter_render(setup.renderer, &input, &output, &error) == STATUS_OK) {
        if (sentences == 1 || output.pages == 2) {
          char what[64];
          snprintf(what, sizeof what, "form %s, %d page(s)", form, output.pages);
          check_head_field(&output, agency, what);
          two_pages = output.pages == 2;
        }
        letter_output_free(&output);
      }
      free(reason);
    }
    tap_ok(two_pages, "form %s: a long reason makes a two-page letter", form);
  }

  struct agency sealed = *agency;
  sealed.seal_signature = true;
  struct letter_input input = sample_input(agency, 7, "Lê Thị Yến", "Chờ xác minh.", 0);
  struct letter_input sealed_input = input;
  sealed_input.agency = &sealed;
  struct letter_output plain, with_seal, again;
  if (letter_render(setup.renderer, &input, &plain, &error) != STATUS_OK ||
      letter_render(setup.renderer, &sealed_input, &with_seal, &error) != STATUS_OK ||
      letter_render(setup.renderer, &sealed_input, &again, &error) != STATUS_OK) {
    tap_ok(false, "render: %s", error.message);
    sample_input_setup_free(&setup);
    return tap_finish();
  }
  struct rect head, seal;
  tap_ok(!field_rect(&plain, LETTER_SEAL_FIELD, &seal), "without seal_signature: no seal field");
  check_head_field(&with_seal, &sealed, "with the seal");
  if (tap_ok(field_rect(&with_seal, LETTER_HEAD_FIELD, &head) &&
                 field_rect(&with_seal, LETTER_SEAL_FIELD, &seal),
             "with seal_signature: both fields")) {
    tap_is_integer(field_page(&with_seal, LETTER_SEAL_FIELD), 1, "the seal's is a /Sig field too");
    tap_ok(seal.x1 - seal.x0 > 36 * MM - 0.01 && seal.x1 - seal.x0 < 36 * MM + 0.01 &&
               seal.y1 - seal.y0 > 36 * MM - 0.01 && seal.y1 - seal.y0 < 36 * MM + 0.01,
           "the seal's field is 36 mm square (%.2f x %.2f pt)", seal.x1 - seal.x0,
           seal.y1 - seal.y0);
    double third = head.x0 + (head.x1 - head.x0) / 3;
    tap_ok(seal.x1 > third - 0.01 && seal.x1 < third + 0.01 && seal.x0 < head.x0,
           "it overlaps the head's field by a third, on its left (right edge %.2f, a third %.2f)",
           seal.x1, third);
    double middle = (head.y0 + head.y1) / 2, seal_middle = (seal.y0 + seal.y1) / 2;
    tap_ok(seal_middle > middle - 0.01 && seal_middle < middle + 0.01,
           "centred on the same height (%.2f, %.2f)", seal_middle, middle);
  }
  tap_ok(with_seal.size == again.size && memcmp(with_seal.pdf, again.pdf, again.size) == 0,
         "the same input gives the same bytes");
  char *text_plain = pdf_text(&plain, 0, "-layout"),
       *text_seal = pdf_text(&with_seal, 0, "-layout");
  tap_is_string(text_seal, text_plain, "the fields change nothing pdftotext reads");
  free(text_plain);
  free(text_seal);
  char *fonts_plain = on_file(&plain, "pdffonts"), *fonts_seal = on_file(&with_seal, "pdffonts");
  tap_is_string(fonts_seal, fonts_plain, "nor what pdffonts lists");
  free(fonts_plain);
  free(fonts_seal);
  char *check = on_file(&with_seal, "qpdf --check");
  tap_contains(check, "No syntax or stream encoding errors found",
               "qpdf --check passes with both fields");
  free(check);
  letter_output_free(&plain);
  letter_output_free(&with_seal);
  letter_output_free(&again);
  sample_input_setup_free(&setup);
  return tap_finish();
}
