/*
 * pdf.c: libharu 2.3 output. Errors come through libharu's handler into the writer (no
 * longjmp); every call's status is checked as well, because some failures (such as text that
 * overflows a rectangle) do not reach the handler. The document is reset with HPDF_NewDoc,
 * which keeps the parsed font files and the UTF-8 encoder between letters. The faces are
 * prepared once (letter/pdf_font.h) instead of being rebuilt by HPDF_GetFont for every letter;
 * the benchmark baseline (reload_per_document) keeps plain libharu.
 */
#include "letter/pdf.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf.h>

#include "letter/pdf_field.h"
#include "letter/pdf_font.h"

enum { DISTINCT_MAXIMUM = FACE_COUNT };

/* tan(12°): the slant of a synthetic italic. */
#define OBLIQUE_SLANT 0.2126
#define RULE_WIDTH 0.6

struct pdf_writer {
  HPDF_Doc document;
  struct pdf_faces faces;                     /* kept for reload_per_document */
  const char *font_names[FACE_COUNT];         /* plain libharu: its names of the loaded files */
  struct pdf_font_face *prepared[FACE_COUNT]; /* otherwise; equal paths share one */
  bool oblique[FACE_COUNT];
  HPDF_STATUS failure; /* the last error the handler saw */
  HPDF_STATUS failure_detail;
};

static void on_error(HPDF_STATUS error_number, HPDF_STATUS detail, void *user_data) {
  struct pdf_writer *writer = user_data;
  writer->failure = error_number;
  writer->failure_detail = detail;
}

static enum status failed(struct pdf_writer *writer, const char *what, struct error *error) {
  enum status status =
      error_set(error, STATUS_RUNTIME, "libharu failed to %s (error 0x%04lX/%lu)", what,
                (unsigned long)writer->failure, (unsigned long)writer->failure_detail);
  HPDF_ResetError(writer->document);
  writer->failure = HPDF_OK;
  return status;
}

static uint32_t big_endian(const unsigned char *bytes, int count) {
  uint32_t value = 0;
  for (int i = 0; i < count; i++)
    value = value << 8 | bytes[i];
  return value;
}

/*
 * libharu 2.3 trusts the file: a truncated or foreign file crashes it (it reads the table
 * directory past the end). So check the sfnt structure first: the header, every table inside
 * the file, and the tables libharu needs present.
 */
static enum status check_truetype(const char *path, struct error *error) {
  static const char *const required[] = {"cmap", "glyf", "head", "hhea", "hmtx",
                                         "loca", "maxp", "name", "post"};
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return error_set(error, STATUS_RUNTIME, "cannot open the letter font %s: %s", path,
                     strerror(errno));
  unsigned char header[12], record[16];
  long size = -1;
  bool valid = fread(header, 1, sizeof header, file) == sizeof header &&
               (big_endian(header, 4) == 0x00010000 || memcmp(header, "true", 4) == 0);
  uint32_t tables = valid ? big_endian(header + 4, 2) : 0;
  bool found[sizeof required / sizeof required[0]] = {false};
  if (valid && fseek(file, 0, SEEK_END) == 0)
    size = ftell(file);
  valid = valid && size > 0 && tables > 0 && 12 + 16 * (long)tables <= size &&
          fseek(file, 12, SEEK_SET) == 0;
  for (uint32_t i = 0; valid && i < tables; i++) {
    valid = fread(record, 1, sizeof record, file) == sizeof record &&
            (uint64_t)big_endian(record + 8, 4) + big_endian(record + 12, 4) <= (uint64_t)size;
    for (size_t k = 0; valid && k < sizeof required / sizeof required[0]; k++)
      found[k] |= memcmp(record, required[k], 4) == 0;
  }
  fclose(file);
  for (size_t k = 0; valid && k < sizeof required / sizeof required[0]; k++)
    valid = found[k];
  if (!valid)
    return error_set(error, STATUS_RUNTIME,
                     "cannot load the letter font %s: not a complete TrueType file", path);
  return STATUS_OK;
}

/* A fresh libharu document with the UTF-8 encoder and the faces loaded. */
static enum status open_document(struct pdf_writer *writer, struct error *error) {
  const struct pdf_faces *faces = &writer->faces;
  writer->document = HPDF_New(on_error, writer);
  if (writer->document == NULL)
    return error_set(error, STATUS_RUNTIME, "libharu could not create a document");
  if (HPDF_UseUTFEncodings(writer->document) != HPDF_OK)
    return failed(writer, "enable UTF-8", error);
  for (int face = 0; face < FACE_COUNT; face++) {
    writer->font_names[face] = NULL;
    writer->oblique[face] = faces->oblique[face];
    int shared = -1;
    for (int earlier = 0; earlier < face && shared < 0; earlier++)
      if (strcmp(faces->paths[earlier], faces->paths[face]) == 0)
        shared = earlier;
    if (shared >= 0) {
      writer->font_names[face] = writer->font_names[shared];
      writer->prepared[face] = writer->prepared[shared];
      continue;
    }
    enum status status = check_truetype(faces->paths[face], error);
    if (status != STATUS_OK)
      return status;
    if (!faces->reload_per_document) {
      char tag[] = "DUNGHA";
      tag[5] = (char)('A' + face);
      status = pdf_font_face_new(writer->document, faces->paths[face], tag, &writer->prepared[face],
                                 error);
      if (status != STATUS_OK)
        return status;
      continue;
    }
    writer->font_names[face] =
        HPDF_LoadTTFontFromFile(writer->document, faces->paths[face], HPDF_TRUE);
    if (writer->font_names[face] == NULL)
      return error_set(error, STATUS_RUNTIME,
                       "cannot load the letter font %s (libharu error 0x%04lX)", faces->paths[face],
                       (unsigned long)writer->failure);
  }
  return STATUS_OK;
}

enum status pdf_writer_new(const struct pdf_faces *faces, struct pdf_writer **writer_out,
                           struct error *error) {
  *writer_out = NULL;
  struct pdf_writer *writer = calloc(1, sizeof *writer);
  if (writer == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory creating a PDF writer");
  writer->faces = *faces;
  for (int face = 0; face < FACE_COUNT; face++)
    writer->faces.paths[face] = NULL;
  for (int face = 0; face < FACE_COUNT; face++)
    if ((writer->faces.paths[face] = strdup(faces->paths[face])) == NULL) {
      pdf_writer_free(writer);
      return error_set(error, STATUS_RUNTIME, "out of memory creating a PDF writer");
    }
  enum status status = open_document(writer, error);
  if (status != STATUS_OK) {
    pdf_writer_free(writer);
    return status;
  }
  *writer_out = writer;
  return STATUS_OK;
}

void pdf_writer_free(struct pdf_writer *writer) {
  if (writer == NULL)
    return;
  if (writer->document != NULL)
    HPDF_Free(writer->document);
  for (int face = 0; face < FACE_COUNT; face++) {
    bool shared = false;
    for (int earlier = 0; earlier < face; earlier++)
      shared |= writer->prepared[earlier] == writer->prepared[face];
    if (!shared)
      pdf_font_face_free(writer->prepared[face]);
    free((char *)writer->faces.paths[face]);
  }
  free(writer);
}

static enum status start_document(struct pdf_writer *writer, struct error *error) {
  if (writer->faces.reload_per_document) {
    HPDF_Free(writer->document);
    writer->document = NULL;
    enum status status = open_document(writer, error);
    if (status != STATUS_OK)
      return status;
  }
  if (HPDF_NewDoc(writer->document) != HPDF_OK ||
      HPDF_SetCurrentEncoder(writer->document, "UTF-8") != HPDF_OK ||
      HPDF_SetCompressionMode(writer->document, HPDF_COMP_ALL) != HPDF_OK)
    return failed(writer, "start a document", error);
  return STATUS_OK;
}

enum status pdf_writer_metrics(struct pdf_writer *writer, struct font_metrics *metrics,
                               struct error *error) {
  if (writer->prepared[0] != NULL) {
    for (int face = 0; face < FACE_COUNT; face++)
      for (int index = 0; index < TEXT_REPERTOIRE_SIZE; index++)
        metrics->width[face][index] =
            pdf_font_face_width(writer->prepared[face], text_repertoire_code_point(index));
    return STATUS_OK;
  }
  enum status status = start_document(writer, error);
  if (status != STATUS_OK)
    return status;
  for (int face = 0; face < FACE_COUNT; face++) {
    HPDF_Font font = HPDF_GetFont(writer->document, writer->font_names[face], "UTF-8");
    if (font == NULL)
      return failed(writer, "open a letter face", error);
    for (int index = 0; index < TEXT_REPERTOIRE_SIZE; index++) {
      HPDF_INT width =
          HPDF_Font_GetUnicodeWidth(font, (HPDF_UNICODE)text_repertoire_code_point(index));
      metrics->width[face][index] = (uint16_t)(width < 0 ? 0 : width);
    }
  }
  return STATUS_OK;
}

/* Faces sharing a prepared font share its embedding too. */
static HPDF_Font embed_face(struct pdf_writer *writer, int face, HPDF_Font fonts[FACE_COUNT]) {
  if (writer->prepared[face] == NULL)
    return HPDF_GetFont(writer->document, writer->font_names[face], "UTF-8");
  for (int other = 0; other < FACE_COUNT; other++)
    if (other != face && fonts[other] != NULL && writer->prepared[other] == writer->prepared[face])
      return fonts[other];
  return pdf_font_face_embed(writer->prepared[face]);
}

/* Filled rectangles go under the text, so that a figure written on a bar stays readable. */
static enum status draw_boxes(struct pdf_writer *writer, HPDF_Page page,
                              const struct layout *layout, int page_number, struct error *error) {
  for (size_t i = 0; i < layout->box_count; i++) {
    const struct layout_box *box = &layout->boxes[i];
    if (box->page != page_number)
      continue;
    /* The line width is graphics state: set before the path starts. */
    HPDF_STATUS drawn =
        box->outline > 0 ? HPDF_Page_SetLineWidth(page, (HPDF_REAL)box->outline) : HPDF_OK;
    if (drawn == HPDF_OK)
      drawn = HPDF_Page_SetRGBFill(page, (HPDF_REAL)box->red, (HPDF_REAL)box->green,
                                   (HPDF_REAL)box->blue);
    if (drawn == HPDF_OK)
      drawn = HPDF_Page_Rectangle(page, (HPDF_REAL)box->x, (HPDF_REAL)box->y, (HPDF_REAL)box->width,
                                  (HPDF_REAL)box->height);
    if (drawn == HPDF_OK)
      drawn = box->outline > 0 ? HPDF_Page_FillStroke(page) : HPDF_Page_Fill(page);
    if (drawn != HPDF_OK)
      return failed(writer, "fill a box", error);
  }
  if (HPDF_Page_SetRGBFill(page, 0, 0, 0) != HPDF_OK)
    return failed(writer, "set the text colour", error);
  return STATUS_OK;
}

/* Lines go over the text and the boxes: a table's grid stays whole. */
static enum status draw_lines(struct pdf_writer *writer, HPDF_Page page,
                              const struct layout *layout, int page_number, struct error *error) {
  double width = -1;
  for (size_t i = 0; i < layout->line_shape_count; i++) {
    const struct layout_line *line = &layout->lines[i];
    if (line->page != page_number)
      continue;
    if (line->width != width && HPDF_Page_SetLineWidth(page, (HPDF_REAL)line->width) != HPDF_OK)
      return failed(writer, "set the line width", error);
    width = line->width;
    if (HPDF_Page_MoveTo(page, (HPDF_REAL)line->x1, (HPDF_REAL)line->y1) != HPDF_OK ||
        HPDF_Page_LineTo(page, (HPDF_REAL)line->x2, (HPDF_REAL)line->y2) != HPDF_OK ||
        HPDF_Page_Stroke(page) != HPDF_OK)
      return failed(writer, "draw a line", error);
  }
  return STATUS_OK;
}

static enum status draw_page(struct pdf_writer *writer, const struct layout *layout,
                             int page_number, HPDF_Font fonts[FACE_COUNT], struct error *error) {
  HPDF_Doc document = writer->document;
  HPDF_Page page = HPDF_AddPage(document);
  if (page == NULL || HPDF_Page_SetWidth(page, (HPDF_REAL)layout->geometry.width) != HPDF_OK ||
      HPDF_Page_SetHeight(page, (HPDF_REAL)layout->geometry.height) != HPDF_OK)
    return failed(writer, "add a page", error);
  enum status status = draw_boxes(writer, page, layout, page_number, error);
  if (status != STATUS_OK)
    return status;
  if (HPDF_Page_BeginText(page) != HPDF_OK)
    return failed(writer, "begin text", error);
  HPDF_Font current = NULL;
  double current_size = 0;
  for (size_t i = 0; i < layout->run_count; i++) {
    const struct layout_run *run = &layout->runs[i];
    if (run->page != page_number || run->text_length == 0)
      continue;
    if (fonts[run->face] == NULL) {
      fonts[run->face] = embed_face(writer, run->face, fonts);
      if (fonts[run->face] == NULL)
        return failed(writer, "embed a letter face", error);
    }
    if (fonts[run->face] != current || run->size != current_size) {
      current = fonts[run->face];
      current_size = run->size;
      if (HPDF_Page_SetFontAndSize(page, current, (HPDF_REAL)run->size) != HPDF_OK)
        return failed(writer, "set the font", error);
    }
    double slant = writer->oblique[run->face] ? OBLIQUE_SLANT : 0;
    if (HPDF_Page_SetTextMatrix(page, 1, 0, (HPDF_REAL)slant, 1, (HPDF_REAL)run->x,
                                (HPDF_REAL)run->y) != HPDF_OK ||
        HPDF_Page_ShowText(page, layout->text + run->text_offset) != HPDF_OK)
      return failed(writer, "draw text", error);
  }
  if (HPDF_Page_EndText(page) != HPDF_OK)
    return failed(writer, "end text", error);
  bool any_rule = false;
  for (size_t i = 0; i < layout->rule_count; i++) {
    const struct layout_rule *rule = &layout->rules[i];
    if (rule->page != page_number)
      continue;
    if (!any_rule && HPDF_Page_SetLineWidth(page, RULE_WIDTH) != HPDF_OK)
      return failed(writer, "set the line width", error);
    any_rule = true;
    if (HPDF_Page_MoveTo(page, (HPDF_REAL)rule->x1, (HPDF_REAL)rule->y) != HPDF_OK ||
        HPDF_Page_LineTo(page, (HPDF_REAL)rule->x2, (HPDF_REAL)rule->y) != HPDF_OK ||
        HPDF_Page_Stroke(page) != HPDF_OK)
      return failed(writer, "draw a rule", error);
  }
  return draw_lines(writer, page, layout, page_number, error);
}

static enum status copy_out(struct pdf_writer *writer, unsigned char **data, size_t *size,
                            struct error *error) {
  if (HPDF_SaveToStream(writer->document) != HPDF_OK)
    return failed(writer, "write the document", error);
  HPDF_UINT32 total = HPDF_GetStreamSize(writer->document);
  unsigned char *buffer = malloc(total == 0 ? 1 : total);
  if (buffer == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory for a %lu-byte PDF",
                     (unsigned long)total);
  HPDF_UINT32 read = 0;
  while (read < total) {
    HPDF_UINT32 chunk = total - read;
    HPDF_STATUS status = HPDF_ReadFromStream(writer->document, buffer + read, &chunk);
    read += chunk;
    if (status == HPDF_STREAM_EOF || chunk == 0)
      break;
    if (status != HPDF_OK) {
      free(buffer);
      return failed(writer, "read the document back", error);
    }
  }
  if (read != total) {
    free(buffer);
    return error_set(error, STATUS_RUNTIME, "libharu returned %lu of %lu PDF bytes",
                     (unsigned long)read, (unsigned long)total);
  }
  *data = buffer;
  *size = total;
  return STATUS_OK;
}

enum status pdf_writer_render(struct pdf_writer *writer, const struct layout *layout,
                              const char *title, unsigned char **data, size_t *size,
                              struct error *error) {
  *data = NULL;
  *size = 0;
  enum status status = start_document(writer, error);
  if (status != STATUS_OK)
    return status;
  if (HPDF_SetInfoAttr(writer->document, HPDF_INFO_TITLE, title) != HPDF_OK ||
      HPDF_SetInfoAttr(writer->document, HPDF_INFO_CREATOR, "dunghen") != HPDF_OK)
    return failed(writer, "set the document information", error);
  HPDF_Font fonts[FACE_COUNT] = {NULL};
  for (int page = 0; page < layout->page_count; page++)
    if ((status = draw_page(writer, layout, page, fonts, error)) != STATUS_OK)
      return status;
  if (pdf_field_add(writer->document, layout) != HPDF_OK)
    return failed(writer, "add the signature fields", error);
  return copy_out(writer, data, size, error);
}
