/*
 * font_files.c: finds the four Liberation Serif faces and opens a PDF writer on them (see
 * font_files.h).
 */
#include "letter/font_files.h"

#include <stdio.h>
#include <unistd.h>

#include "dunghen-config.h"
#include "letter/letter-fonts.h"

enum { PATH_SIZE = 4096 };

static const char *const face_names[FACE_COUNT] = {"Regular", "Bold", "Italic", "BoldItalic"};

/* Fills paths with the faces found in `directory`; false if one is missing. */
static bool faces_in(const char *directory, char paths[FACE_COUNT][PATH_SIZE]) {
  for (int face = 0; face < FACE_COUNT; face++) {
    snprintf(paths[face], PATH_SIZE, "%s/LiberationSerif-%s.vi.ttf", directory, face_names[face]);
    if (access(paths[face], R_OK) == 0)
      continue;
    snprintf(paths[face], PATH_SIZE, "%s/LiberationSerif-%s.ttf", directory, face_names[face]);
    if (access(paths[face], R_OK) != 0)
      return false;
  }
  return true;
}

static enum status find_faces(const char *directory, char paths[FACE_COUNT][PATH_SIZE],
                              struct error *error) {
  if (directory != NULL) {
    if (faces_in(directory, paths))
      return STATUS_OK;
    return error_set(error, STATUS_RUNTIME,
                     "%s: Liberation Serif not found (LiberationSerif-%s.vi.ttf or .ttf)",
                     directory, face_names[0]);
  }
  const char *candidates[] = {LETTER_FONT_INSTALL_DIR, LETTER_FONT_BUILD_DIR, DUNGHEN_FONT_DIR};
  for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++)
    if (faces_in(candidates[i], paths))
      return STATUS_OK;
  return error_set(error, STATUS_RUNTIME,
                   "Liberation Serif not found in %s, %s or %s (install fonts-liberation2)",
                   LETTER_FONT_INSTALL_DIR, LETTER_FONT_BUILD_DIR, DUNGHEN_FONT_DIR);
}

enum status font_files_open_writer(const struct font_files_options *options,
                                   struct pdf_writer **writer, struct font_metrics *metrics,
                                   struct error *error) {
  *writer = NULL;
  char paths[FACE_COUNT][PATH_SIZE];
  enum status status = find_faces(options->directory, paths, error);
  if (status != STATUS_OK)
    return status;
  struct pdf_faces faces = {{paths[0], paths[1], paths[2], paths[3]}, {false}, false};
  if (!options->true_italic) {
    faces.paths[FACE_ITALIC] = paths[FACE_REGULAR];
    faces.paths[FACE_BOLD_ITALIC] = paths[FACE_BOLD];
    faces.oblique[FACE_ITALIC] = faces.oblique[FACE_BOLD_ITALIC] = true;
  }
  faces.reload_per_document = options->reload_per_document;
  if ((status = pdf_writer_new(&faces, writer, error)) != STATUS_OK)
    return status;
  if ((status = pdf_writer_metrics(*writer, metrics, error)) != STATUS_OK) {
    pdf_writer_free(*writer);
    *writer = NULL;
  }
  return status;
}
