/*
 * letter.c: composes the apology form (Decree 30/2020 layout) from a template, an agency and a
 * dossier, lays it out and writes it as PDF. The geometry below follows PRODUCT.md "Layout":
 * A4, margins 20/20/30/15 mm, two header columns with their short rules, the title, a justified
 * 14 pt body with a 1.27 cm first-line indent and 6 pt between paragraphs, and the signature
 * block beside `Nơi nhận`, kept together on one page with at least the body's last two lines
 * (PRODUCT.md, "A letter an official can sign as it is"), with its empty signature fields. The
 * body follows the wording the
 * caller decided (before or after the promised time); the reason prints as a sentence, or as
 * dotted lines to write it in by hand.
 */
#include "letter/letter.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/civil.h"
#include "letter/font_files.h"
#include "letter/layout.h"
#include "letter/letterhead.h"
#include "letter/pdf.h"
#include "letter/template.h"
#include "letter/text.h"

#define MM LAYOUT_POINTS_PER_MM
#define LEFT_COLUMN_WIDTH (72 * MM)  /* governing body, unit, number; and `Nơi nhận` */
#define RIGHT_COLUMN_WIDTH (95 * MM) /* national title, motto, date; and the signature */
#define SIGNATURE_SPACE (26 * MM)    /* room to sign (and stamp) */
/* The signature fields (letter.h): the signer's image, centred in the room to sign, and the
 * seal, a round stamp of the usual 36 mm whose right third overlaps the signer's image on its
 * left (Decree 30/2020, Annex I, as the provinces restate it). */
#define HEAD_FIELD_WIDTH (50 * MM)
#define SEAL_FIELD_SIZE (36 * MM)
#define EMPTY_FIELD ".............................."
#define KEEP_LINES 2 /* body lines that go with the signature block onto its page */
#define KEEP_ATTEMPTS 4

struct letter_library {
  struct letter_template *templates[2]; /* 2025, 2018 */
};

struct letter_renderer {
  const struct letter_library *library;
  struct pdf_writer *writer;
  struct font_metrics metrics;
  struct layout layout; /* scratch, reset for every letter */
};

/* ---------------------------------------------------------------- library and renderer */

enum status letter_library_load(const char *letters_directory, struct letter_library **library,
                                struct error *error) {
  static const char *const files[2] = {"form-2025.yaml", "form-2018.yaml"};
  *library = NULL;
  struct letter_library *result = calloc(1, sizeof *result);
  if (result == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory loading letter templates");
  /* Both forms are checked even when the first fails, so one run names the errors of both. */
  struct error report, one;
  error_clear(&report);
  for (int i = 0; i < 2; i++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", letters_directory, files[i]);
    if (letter_template_load(path, &result->templates[i], &one) != STATUS_OK)
      error_join(&report, &one);
  }
  if (report.status != STATUS_OK) {
    letter_library_free(result);
    if (error != NULL)
      *error = report;
    return report.status;
  }
  *library = result;
  return STATUS_OK;
}

void letter_library_free(struct letter_library *library) {
  if (library == NULL)
    return;
  for (int i = 0; i < 2; i++)
    letter_template_free(library->templates[i]);
  free(library);
}

enum status letter_renderer_new(const struct letter_library *library,
                                const struct letter_options *options,
                                struct letter_renderer **renderer_out, struct error *error) {
  *renderer_out = NULL;
  struct letter_renderer *renderer = calloc(1, sizeof *renderer);
  if (renderer == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory creating a letter renderer");
  renderer->library = library;
  struct font_files_options fonts = {
      .directory = options != NULL ? options->font_directory : NULL,
      .true_italic = options != NULL && options->true_italic,
      .reload_per_document = options != NULL && options->reload_fonts_per_letter,
  };
  enum status status = font_files_open_writer(&fonts, &renderer->writer, &renderer->metrics, error);
  if (status != STATUS_OK) {
    letter_renderer_free(renderer);
    return status;
  }
  struct page_geometry geometry = layout_a4_geometry();
  layout_init(&renderer->layout, &renderer->metrics, &geometry);
  *renderer_out = renderer;
  return STATUS_OK;
}

void letter_renderer_free(struct letter_renderer *renderer) {
  if (renderer == NULL)
    return;
  pdf_writer_free(renderer->writer);
  layout_free(&renderer->layout);
  free(renderer);
}

void letter_output_free(struct letter_output *output) {
  free(output->pdf);
  output->pdf = NULL;
  output->size = 0;
}

/* ---------------------------------------------------------------- values */

void letter_format_date(int64_t day, char *buffer, size_t size) {
  struct civil_date date = civil_date_from_days(day);
  snprintf(buffer, size, "%02d tháng %02d năm %04d", date.day, date.month, date.year);
}

void letter_format_time(int64_t instant, char *buffer, size_t size) {
  int second = civil_local_second_of_day(instant);
  snprintf(buffer, size, "%02d giờ %02d", second / 3600, second / 60 % 60);
}

struct values {
  char *text[PLACEHOLDER_COUNT]; /* owned, cleaned; NULL = missing */
  bool empty[PLACEHOLDER_COUNT]; /* given, but empty once cleaned: printed as dots */
  char dates[6][64];
};

static void values_free(struct values *values) {
  for (int i = 0; i < PLACEHOLDER_COUNT; i++)
    free(values->text[i]);
}

static void warn(struct letter_output *output, const char *format, ...) DUNGHEN_PRINTF(2, 3);

static void warn(struct letter_output *output, const char *format, ...) {
  if (output->warning_count >= LETTER_MAX_WARNINGS)
    return;
  va_list arguments;
  va_start(arguments, format);
  vsnprintf(output->warnings[output->warning_count++], LETTER_WARNING_SIZE, format, arguments);
  va_end(arguments);
}

/*
 * Cleans one field into values; reports replacements and empty fields by name only. The reason
 * becomes a sentence and the procedure name loses a leading "Thủ tục" (the template says
 * "thủ tục hành chính {procedure_name}").
 */
static enum status set_value(struct values *values, enum letter_placeholder which, const char *raw,
                             bool report_empty, struct letter_output *output, struct error *error) {
  if (raw == NULL)
    return STATUS_OK; /* missing: template_expand names the placeholder that needs it */
  struct text_report report = {0};
  char *clean;
  enum status status = text_clean(raw, strlen(raw), &clean, &report, error);
  if (status != STATUS_OK)
    return status;
  const char *name = letter_placeholder_name(which);
  size_t replaced = report.invalid + report.controls + report.unsupported;
  if (replaced > 0)
    warn(output,
         "%s: %zu invalid UTF-8 sequence(s), %zu control character(s), %zu character(s) "
         "outside the font (first U+%04X) printed as \u25A1",
         name, report.invalid, report.controls, report.unsupported,
         (unsigned)report.first_unsupported);
  if (clean[0] == '\0') {
    free(clean);
    values->empty[which] = true;
    if (report_empty && which == PLACEHOLDER_REASON)
      warn(output, "reason: empty; the letter leaves dotted lines to write it in by hand");
    else if (report_empty)
      warn(output, "%s: empty; printed as a dotted line to fill in by hand", name);
    if ((clean = strdup(EMPTY_FIELD)) == NULL)
      return error_set(error, STATUS_RUNTIME, "out of memory");
  }
  if (!values->empty[which] && which == PLACEHOLDER_REASON) {
    char *sentence;
    status = text_sentence(clean, &sentence, error);
    free(clean);
    if (status != STATUS_OK)
      return status;
    clean = sentence;
  }
  if (!values->empty[which] && which == PLACEHOLDER_PROCEDURE_NAME) {
    const char *name_only = text_procedure_name(clean);
    memmove(clean, name_only, strlen(name_only) + 1);
  }
  values->text[which] = clean;
  return STATUS_OK;
}

static enum status fill_values(const struct letter_input *input, struct values *values,
                               struct letter_output *output, struct error *error) {
  const struct agency *agency = input->agency;
  struct civil_date letter_date = civil_date_from_days(input->letter_day);
  enum status status =
      agency_format_number(agency, input->number, letter_date.year, output->number, error);
  if (status != STATUS_OK)
    return status;
  letter_format_date(input->letter_day, values->dates[0], sizeof values->dates[0]);
  letter_format_date(civil_local_day(input->received_at), values->dates[1], 64);
  letter_format_time(input->received_at, values->dates[2], 64);
  letter_format_date(civil_local_day(input->promised_at), values->dates[3], 64);
  letter_format_time(input->promised_at, values->dates[4], 64);
  struct {
    enum letter_placeholder which;
    const char *raw;
    bool report_empty;
  } fields[] = {
      {PLACEHOLDER_NUMBER, output->number, false},
      {PLACEHOLDER_PLACE, agency->place, false},
      {PLACEHOLDER_LETTER_DATE, values->dates[0], false},
      {PLACEHOLDER_GOVERNING_BODY, agency->governing_body, false},
      {PLACEHOLDER_UNIT, agency->unit, false},
      {PLACEHOLDER_AGENCY_NAME, agency->name, false},
      {PLACEHOLDER_AGENCY_SYMBOL, agency->symbol, false},
      {PLACEHOLDER_AGENCY_ADDRESS, agency->address, false},
      {PLACEHOLDER_SIGNER_NAME, agency->signer_name, false},
      {PLACEHOLDER_APPLICANT_NAME, input->applicant_name, true},
      {PLACEHOLDER_APPLICANT_ID, input->applicant_id, true},
      {PLACEHOLDER_APPLICANT_ADDRESS, input->applicant_address, true},
      {PLACEHOLDER_DOSSIER_CODE, input->dossier_code, true},
      {PLACEHOLDER_PROCEDURE_NAME, input->procedure_name, true},
      {PLACEHOLDER_REASON, input->reason, true},
      {PLACEHOLDER_RECEIVED_DATE, values->dates[1], false},
      {PLACEHOLDER_RECEIVED_TIME, values->dates[2], false},
      {PLACEHOLDER_PROMISED_DATE, values->dates[3], false},
      {PLACEHOLDER_PROMISED_TIME, values->dates[4], false},
  };
  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    if ((status = set_value(values, fields[i].which, fields[i].raw, fields[i].report_empty, output,
                            error)) != STATUS_OK)
      return status;
  char new_date[64], new_time[64];
  letter_format_date(civil_local_day(input->new_appointment_at), new_date, sizeof new_date);
  letter_format_time(input->new_appointment_at, new_time, sizeof new_time);
  if ((status = set_value(values, PLACEHOLDER_NEW_DATE, new_date, false, output, error)) ||
      (status = set_value(values, PLACEHOLDER_NEW_TIME, new_time, false, output, error)))
    return status;
  /* The signer's title may have several lines; keep them apart for the signature block. */
  if (agency->signer_title != NULL &&
      (values->text[PLACEHOLDER_SIGNER_TITLE] = strdup(agency->signer_title)) == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  return STATUS_OK;
}

/* ---------------------------------------------------------------- composition */

struct composer {
  struct letter_renderer *renderer;
  const struct letter_template *template_in;
  const struct values *values;
  enum apology_wording wording;
  bool seal_field; /* the agency's letters carry the seal's signature field too */
  struct layout *layout;
  double left, right; /* the text area */
  /* Filled in while composing: the body's lines [body_first, body_end) in layout->line_pages,
   * and the page of the signature block. */
  size_t body_first, body_end;
  int signature_page;
};

/* Expands `text` with `values`, cleans it and (optionally) upper-cases it. */
static enum status expand_with(const struct composer *composer, const struct template_text *text,
                               const char *const *values, bool upper, char **out,
                               struct error *error) {
  char *raw;
  enum status status = template_expand(composer->template_in, text, values, &raw, error);
  if (status != STATUS_OK)
    return status;
  struct text_report ignored = {0};
  char *clean;
  status = text_clean(raw, strlen(raw), &clean, &ignored, error);
  free(raw);
  if (status != STATUS_OK || !upper) {
    *out = status == STATUS_OK ? clean : NULL;
    return status;
  }
  status = text_upper(clean, out, error);
  free(clean);
  return status;
}

static enum status expand(const struct composer *composer, const struct template_text *text,
                          bool upper, char **out, struct error *error) {
  return expand_with(composer, text, (const char *const *)composer->values->text, upper, out,
                     error);
}

static struct layout_style style(enum letter_face face, double size, enum layout_align align) {
  struct layout_style result = {face, size, size * 1.2, align, 0, 0, 0, 0};
  return result;
}

/* A paragraph from already-prepared text; returns the widest line. Centred ones are balanced. */
static double put(struct composer *composer, const char *text, struct layout_style style_in,
                  double left, double right) {
  double widest = 0;
  if (style_in.align == LAYOUT_CENTER)
    return layout_balanced(composer->layout, text, &style_in, left, right);
  layout_paragraph(composer->layout, text, &style_in, left, right, &widest);
  return widest;
}

static enum status put_text(struct composer *composer, const struct template_text *text, bool upper,
                            struct layout_style style_in, double left, double right, double *widest,
                            struct error *error) {
  char *prepared;
  enum status status = expand(composer, text, upper, &prepared, error);
  if (status != STATUS_OK)
    return status;
  double width = put(composer, prepared, style_in, left, right);
  if (widest != NULL)
    *widest = width;
  free(prepared);
  return STATUS_OK;
}

/* Upper-cased cleaned copy of an agency field. */
static enum status upper_value(const struct composer *composer, enum letter_placeholder which,
                               char **out, struct error *error) {
  return text_upper(composer->values->text[which], out, error);
}

static enum status compose_header(struct composer *composer, struct error *error) {
  const struct letter_template *template_in = composer->template_in;
  char *texts[6] = {NULL};
  enum status status = upper_value(composer, PLACEHOLDER_GOVERNING_BODY, &texts[0], error);
  if (status == STATUS_OK)
    status = upper_value(composer, PLACEHOLDER_UNIT, &texts[1], error);
  if (status == STATUS_OK)
    status = expand(composer, &template_in->number_line, false, &texts[2], error);
  if (status == STATUS_OK)
    status = expand(composer, &template_in->national_title, true, &texts[3], error);
  if (status == STATUS_OK)
    status = expand(composer, &template_in->motto, false, &texts[4], error);
  if (status == STATUS_OK)
    status = expand(composer, &template_in->date_line, false, &texts[5], error);
  if (status == STATUS_OK) {
    struct letterhead head = {texts[0], texts[1], texts[2], texts[3], texts[4], texts[5]};
    letterhead_put(composer->layout, &head, composer->left, composer->left + LEFT_COLUMN_WIDTH,
                   composer->right - RIGHT_COLUMN_WIDTH, composer->right);
  }
  for (int i = 0; i < 6; i++)
    free(texts[i]);
  return status;
}

/* How many dots fit in `room` points, a hair less than the arithmetic allows, so that rounding
 * never pushes the dots over the line. */
static size_t dots_in(double room, double dot) {
  double count = room / dot - 1e-6;
  return count > 0 ? (size_t)count : 0;
}

/* `count` dots into buffer[at...]; returns the new end. */
static size_t put_dots(char *buffer, size_t at, size_t count) {
  memset(buffer + at, '.', count);
  return at + count;
}

/*
 * A body paragraph that needs the reason when none was recorded: after `Lý do: ` dots fill the
 * rest of that line and one more whole line, room enough to write the reason in by hand.
 */
static enum status put_blank_reason(struct composer *composer, const struct template_text *text,
                                    struct layout_style body, struct error *error) {
  const char *values[PLACEHOLDER_COUNT];
  memcpy(values, composer->values->text, sizeof values);
  size_t before = 0;
  while (before < text->count && !(text->pieces[before].is_placeholder &&
                                   text->pieces[before].placeholder == PLACEHOLDER_REASON))
    before++;
  struct template_text prefix = {text->pieces, before, before};
  char *start;
  enum status status = expand_with(composer, &prefix, values, false, &start, error);
  if (status != STATUS_OK)
    return status;
  const struct font_metrics *metrics = &composer->renderer->metrics;
  double width = composer->right - composer->left;
  double room = layout_paragraph_room(metrics, start, &body, width);
  free(start);
  double dot = layout_text_width(metrics, body.face, body.size, ".", 1);
  size_t rest = dots_in(room, dot), line = dots_in(width - body.hanging_indent, dot);
  char *blank = malloc(rest + line + 2);
  if (blank == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  size_t at = 0;
  if (rest >= 3) { /* fewer is no room to write: the line ends after `Lý do:` */
    at = put_dots(blank, at, rest);
    blank[at++] = ' ';
  }
  at = put_dots(blank, at, line);
  blank[at] = '\0';
  values[PLACEHOLDER_REASON] = blank;
  char *prepared;
  status = expand_with(composer, text, values, false, &prepared, error);
  free(blank);
  if (status != STATUS_OK)
    return status;
  put(composer, prepared, body, composer->left, composer->right);
  free(prepared);
  return STATUS_OK;
}

static enum status compose_body(struct composer *composer, struct error *error) {
  const struct letter_template *template_in = composer->template_in;
  struct layout_style title = style(FACE_BOLD, 14, LAYOUT_CENTER);
  title.space_before = 24;
  title.space_after = 10;
  struct layout_style salutation = style(FACE_REGULAR, 14, LAYOUT_CENTER);
  salutation.space_after = 10;
  struct layout_style body = style(FACE_REGULAR, 14, LAYOUT_JUSTIFY);
  body.first_indent = 12.7 * MM;
  body.space_after = 6;
  enum status status = put_text(composer, &template_in->title, true, title, composer->left,
                                composer->right, NULL, error);
  if (status == STATUS_OK)
    status = put_text(composer, &template_in->salutation, false, salutation, composer->left,
                      composer->right, NULL, error);
  const struct template_text *paragraphs = letter_template_body(template_in, composer->wording);
  composer->body_first = composer->layout->line_count;
  for (size_t i = 0; status == STATUS_OK && i < template_in->paragraph_count; i++) {
    if (composer->values->empty[PLACEHOLDER_REASON] &&
        template_uses(&paragraphs[i], PLACEHOLDER_REASON))
      status = put_blank_reason(composer, &paragraphs[i], body, error);
    else
      status = put_text(composer, &paragraphs[i], false, body, composer->left, composer->right,
                        NULL, error);
  }
  composer->body_end = composer->layout->line_count;
  return status;
}

/* The signature block's lines: title lines (bold), the note (italic), space, the name. */
struct signature {
  char *title_lines[4];
  size_t title_count;
  char *note;
  char *name;
  char *recipients_heading;
  char **recipients;
  size_t recipient_count;
};

static void signature_free(struct signature *signature) {
  for (size_t i = 0; i < signature->title_count; i++)
    free(signature->title_lines[i]);
  free(signature->note);
  free(signature->name);
  free(signature->recipients_heading);
  for (size_t i = 0; i < signature->recipient_count; i++)
    free(signature->recipients[i]);
  free(signature->recipients);
}

static enum status prepare_signature(const struct composer *composer, struct signature *signature,
                                     struct error *error) {
  const struct letter_template *template_in = composer->template_in;
  const char *title = composer->values->text[PLACEHOLDER_SIGNER_TITLE];
  enum status status = STATUS_OK;
  while (title != NULL && *title != '\0' && signature->title_count < 4 && status == STATUS_OK) {
    size_t length = strcspn(title, "\n");
    struct text_report ignored = {0};
    char *clean;
    if ((status = text_clean(title, length, &clean, &ignored, error)) != STATUS_OK)
      break;
    status = text_upper(clean, &signature->title_lines[signature->title_count++], error);
    free(clean);
    title += length + (title[length] == '\n');
  }
  if (status == STATUS_OK)
    status = expand(composer, &template_in->signer_note, false, &signature->note, error);
  if (status == STATUS_OK &&
      (signature->name = strdup(composer->values->text[PLACEHOLDER_SIGNER_NAME])) == NULL)
    status = error_set(error, STATUS_RUNTIME, "out of memory");
  if (status == STATUS_OK)
    status = expand(composer, &template_in->recipients_heading, false,
                    &signature->recipients_heading, error);
  if (status == STATUS_OK && template_in->recipient_count > 0) {
    signature->recipients = calloc(template_in->recipient_count, sizeof *signature->recipients);
    if (signature->recipients == NULL)
      return error_set(error, STATUS_RUNTIME, "out of memory");
    for (size_t i = 0; status == STATUS_OK && i < template_in->recipient_count; i++) {
      status =
          expand(composer, &template_in->recipients[i], false, &signature->recipients[i], error);
      if (status == STATUS_OK)
        signature->recipient_count++;
    }
  }
  return status;
}

/* A `Nơi nhận` line, 11 pt; a line that runs over continues under its text, not under the
 * dash (a hanging indent as wide as the leading `- `). */
static struct layout_style recipient_style(const struct font_metrics *metrics, const char *line) {
  struct layout_style item = style(FACE_REGULAR, 11, LAYOUT_LEFT);
  size_t marker = strspn(line, "-+");
  if (marker > 0 && line[marker] == ' ')
    item.hanging_indent = layout_text_width(metrics, FACE_REGULAR, 11, line, marker + 1);
  return item;
}

static double signature_height(const struct composer *composer, const struct signature *signature,
                               double *recipients_height) {
  const struct font_metrics *metrics = &composer->renderer->metrics;
  double width = RIGHT_COLUMN_WIDTH;
  double height = 0;
  for (size_t i = 0; i < signature->title_count; i++)
    height += layout_paragraph_height(
        metrics, signature->title_lines[i],
        &(struct layout_style){FACE_BOLD, 14, 16.8, LAYOUT_CENTER, 0, 0, 0, 0}, width);
  height += layout_paragraph_height(
      metrics, signature->note,
      &(struct layout_style){FACE_ITALIC, 13, 15.6, LAYOUT_CENTER, 0, 0, 0, 0}, width);
  height += SIGNATURE_SPACE;
  height += layout_paragraph_height(
      metrics, signature->name,
      &(struct layout_style){FACE_BOLD, 14, 16.8, LAYOUT_CENTER, 0, 0, 0, 0}, width);
  double left = 0;
  left += layout_paragraph_height(
      metrics, signature->recipients_heading,
      &(struct layout_style){FACE_BOLD_ITALIC, 12, 14.4, LAYOUT_LEFT, 0, 0, 0, 0},
      LEFT_COLUMN_WIDTH);
  for (size_t i = 0; i < signature->recipient_count; i++) {
    struct layout_style item = recipient_style(metrics, signature->recipients[i]);
    left += layout_paragraph_height(metrics, signature->recipients[i], &item, LEFT_COLUMN_WIDTH);
  }
  *recipients_height = left;
  return height;
}

static enum status compose_signature(struct composer *composer, struct error *error) {
  struct layout *layout = composer->layout;
  struct signature signature = {0};
  enum status status = prepare_signature(composer, &signature, error);
  if (status != STATUS_OK) {
    signature_free(&signature);
    return status;
  }
  double recipients_height;
  double height = signature_height(composer, &signature, &recipients_height);
  if (recipients_height > height)
    height = recipients_height;
  layout_space(layout, 12);
  /* The block is never split: a signature alone on a page is still tied to the letter by the
     page number, and a split one would invite forgery. */
  if (!layout_fits(layout, height))
    layout_new_page(layout);
  composer->signature_page = layout->page;
  double top = layout->y;
  double right_start = composer->right - RIGHT_COLUMN_WIDTH, right_end = composer->right;
  for (size_t i = 0; i < signature.title_count; i++)
    put(composer, signature.title_lines[i], style(FACE_BOLD, 14, LAYOUT_CENTER), right_start,
        right_end);
  put(composer, signature.note, style(FACE_ITALIC, 13, LAYOUT_CENTER), right_start, right_end);
  layout->y -= SIGNATURE_SPACE;
  double head_x = (right_start + right_end - HEAD_FIELD_WIDTH) / 2;
  layout_field(layout, LETTER_HEAD_FIELD, head_x, layout->y, HEAD_FIELD_WIDTH, SIGNATURE_SPACE);
  if (composer->seal_field)
    layout_field(layout, LETTER_SEAL_FIELD, head_x + HEAD_FIELD_WIDTH / 3 - SEAL_FIELD_SIZE,
                 layout->y + (SIGNATURE_SPACE - SEAL_FIELD_SIZE) / 2, SEAL_FIELD_SIZE,
                 SEAL_FIELD_SIZE);
  put(composer, signature.name, style(FACE_BOLD, 14, LAYOUT_CENTER), right_start, right_end);
  double bottom = layout->y;
  layout->y = top;
  double left_end = composer->left + LEFT_COLUMN_WIDTH;
  put(composer, signature.recipients_heading, style(FACE_BOLD_ITALIC, 12, LAYOUT_LEFT),
      composer->left, left_end);
  for (size_t i = 0; i < signature.recipient_count; i++)
    put(composer, signature.recipients[i],
        recipient_style(&composer->renderer->metrics, signature.recipients[i]), composer->left,
        left_end);
  if (bottom < layout->y)
    layout->y = bottom;
  signature_free(&signature);
  return STATUS_OK;
}

enum status letter_render(struct letter_renderer *renderer, const struct letter_input *input,
                          struct letter_output *output, struct error *error) {
  memset(output, 0, sizeof *output);
  if (input->agency == NULL)
    return error_set(error, STATUS_INVALID, "letter: no agency");
  enum apology_form form = input->form;
  struct values values;
  memset(&values, 0, sizeof values);
  enum status status = fill_values(input, &values, output, error);
  output->reason_missing = values.empty[PLACEHOLDER_REASON];
  struct layout *layout = &renderer->layout;
  struct composer composer = {
      .renderer = renderer,
      .template_in = renderer->library->templates[form == APOLOGY_FORM_2018 ? 1 : 0],
      .values = &values,
      .wording = input->wording,
      .seal_field = input->agency->seal_signature,
      .layout = layout,
      .left = layout->geometry.left,
      .right = layout->geometry.width - layout->geometry.right,
  };
  /* Keep-with-next: when the signature's page carries fewer than two body lines, lay the
   * letter out again with a page break before the body's second-last line (earlier still if
   * the signature then moves on). Line breaking does not depend on the page, so line numbers
   * stay the same from one attempt to the next. */
  size_t break_before = SIZE_MAX;
  for (int attempt = 0; status == STATUS_OK; attempt++) {
    layout_reset(layout);
    layout->break_before_line = break_before;
    if ((status = compose_header(&composer, error)) != STATUS_OK ||
        (status = compose_body(&composer, error)) != STATUS_OK ||
        (status = compose_signature(&composer, error)) != STATUS_OK ||
        (status = layout_status(layout, error)) != STATUS_OK)
      break;
    size_t body = composer.body_end - composer.body_first, kept = 0;
    size_t needed = body < KEEP_LINES ? body : KEEP_LINES;
    for (size_t line = composer.body_first; line < composer.body_end; line++)
      kept += layout->line_pages[line] == composer.signature_page;
    if (kept >= needed || attempt + 1 == KEEP_ATTEMPTS)
      break;
    break_before = break_before == SIZE_MAX ? composer.body_end - needed : break_before - 1;
    if (break_before < composer.body_first)
      break_before = composer.body_first;
  }
  if (status == STATUS_OK) {
    char title[AGENCY_NUMBER_SIZE + 64];
    snprintf(title, sizeof title, "Phiếu xin lỗi số %s", output->number);
    status = pdf_writer_render(renderer->writer, layout, title, &output->pdf, &output->size, error);
  }
  values_free(&values);
  if (status != STATUS_OK) {
    letter_output_free(output);
    return status;
  }
  output->pages = layout->page_count;
  return STATUS_OK;
}
