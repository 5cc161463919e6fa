/*
 * Lost diacritics, caught in pixels. libharu 2.3 drops parts of nested composite glyphs while
 * pdftotext still reads the text correctly, so only a rendering shows it. This test sets all 134
 * Vietnamese letters (67 lower, 67 upper case: ă â ê ô ơ ư đ and the twelve vowels with each of
 * the five tones) and their bases in every face the letters use, renders the PDF with pdftoppm
 * and compares each glyph's pixels with those of the letter it is built on (ế with ê, ê with e,
 * ờ with ơ, đ with d …) and with the other tones of the same vowel: each must differ by at least
 * the ink of a small mark. A dropped mark makes two cells identical; a dropped base makes a cell
 * nearly empty. (Totals of ink are not enough: bold ắ uses a smaller breve than ă, and ì drops
 * the dot of i.) Both ways the letters set italics are checked: the default, italics slanted
 * from the upright faces (an oblique text matrix), and the four true faces (--true-italic).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>

#include "dunghen-config.h"
#include "letter/layout.h"
#include "letter/pdf.h"
#include "letter/text.h"
#include "tap.h"

enum { DPI = 200, COLUMNS = 12, MAXIMUM_CELLS = 200 };

#define CELL_WIDTH 44.0
#define CELL_HEIGHT 70.0
#define GLYPH_SIZE 32.0
#define GRID_LEFT 40.0
#define GRID_TOP 790.0

struct cell {
  uint32_t letter;
  uint32_t base; /* the letter it is built on; 0 for a plain base letter */
  double x, top;
  double ink;
};

static const char *const face_names[FACE_COUNT] = {"Regular", "Bold", "Italic", "BoldItalic"};

/* The 67 letters of one case, each with the letter it is built on. */
static size_t vietnamese_letters(bool upper, struct cell *cells) {
  static const uint32_t vowels[] = {'a', 0x103, 0xE2,  'e', 0xEA,  'i',
                                    'o', 0xF4,  0x1A1, 'u', 0x1B0, 'y'};
  static const uint32_t vowel_bases[] = {0, 'a', 'a', 0, 'e', 0, 0, 'o', 'o', 0, 'u', 0};
  static const uint32_t tones[] = {0x300, 0x301, 0x303, 0x309, 0x323};
  size_t count = 0;
  for (size_t v = 0; v < 12; v++) {
    uint32_t vowel = vowels[v];
    if (vowel_bases[v] != 0)
      cells[count++] = (struct cell){vowel, vowel_bases[v], 0, 0, 0};
    for (size_t t = 0; t < 5; t++) {
      char pair[16];
      size_t length = text_encode(vowel, pair);
      length += text_encode(tones[t], pair + length);
      pair[length] = '\0';
      utf8proc_uint8_t *composed = utf8proc_NFC((const utf8proc_uint8_t *)pair);
      uint32_t letter = 0;
      size_t offset = 0;
      if (composed == NULL ||
          !text_next((const char *)composed, strlen((char *)composed), &offset, &letter) ||
          offset != strlen((char *)composed))
        letter = 0; /* not one precomposed character: reported below */
      free(composed);
      cells[count++] = (struct cell){letter, vowel, 0, 0, 0};
    }
  }
  cells[count++] = (struct cell){0x111, 'd', 0, 0, 0};
  if (upper)
    for (size_t i = 0; i < count; i++) {
      cells[i].letter = (uint32_t)utf8proc_toupper((utf8proc_int32_t)cells[i].letter);
      cells[i].base = (uint32_t)utf8proc_toupper((utf8proc_int32_t)cells[i].base);
    }
  return count;
}

/* Adds the plain bases (a e i o u y d, in this case) as cells of their own. */
static size_t add_bases(struct cell *cells, size_t count) {
  size_t total = count;
  for (size_t i = 0; i < count; i++) {
    bool present = false;
    for (size_t j = 0; j < total; j++)
      present |= cells[j].letter == cells[i].base;
    if (!present)
      cells[total++] = (struct cell){cells[i].base, 0, 0, 0, 0};
  }
  return total;
}

static unsigned char *read_pgm(const char *path, int *width, int *height) {
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return NULL;
  int maximum;
  if (fscanf(file, "P5 %d %d %d", width, height, &maximum) != 3 || maximum != 255) {
    fclose(file);
    return NULL;
  }
  fgetc(file);
  size_t size = (size_t)*width * (size_t)*height;
  unsigned char *pixels = malloc(size);
  if (pixels != NULL && fread(pixels, 1, size, file) != size) {
    free(pixels);
    pixels = NULL;
  }
  fclose(file);
  return pixels;
}

struct image {
  const unsigned char *pixels;
  int width, height;
  double page_height;
};

/* Sum over the cell of f(pixel of a, pixel of b), in units of one black pixel. */
static double compare_cells(const struct image *image, const struct cell *a, const struct cell *b) {
  double scale = DPI / 72.0, total = 0;
  int columns = (int)(CELL_WIDTH * scale), rows = (int)(CELL_HEIGHT * scale);
  int ax = (int)(a->x * scale), ay = (int)((image->page_height - a->top) * scale);
  int bx = b == NULL ? 0 : (int)(b->x * scale);
  int by = b == NULL ? 0 : (int)((image->page_height - b->top) * scale);
  for (int row = 0; row < rows; row++)
    for (int column = 0; column < columns; column++) {
      int x = ax + column, y = ay + row;
      if (x < 0 || y < 0 || x >= image->width || y >= image->height)
        continue;
      double ink = (255 - image->pixels[(size_t)y * (size_t)image->width + (size_t)x]) / 255.0;
      if (b == NULL) {
        total += ink;
        continue;
      }
      int x2 = bx + column, y2 = by + row;
      if (x2 < 0 || y2 < 0 || x2 >= image->width || y2 >= image->height)
        continue;
      double other = (255 - image->pixels[(size_t)y2 * (size_t)image->width + (size_t)x2]) / 255.0;
      total += ink > other ? ink - other : other - ink;
    }
  return total;
}

/* DUNGHEN_DIACRITICS_FONT (one file for every face) shows that the test fails on a bad font. */
static const char *font_path(int face, char *buffer, size_t size) {
  const char *override = getenv("DUNGHEN_DIACRITICS_FONT");
  if (override != NULL && *override != '\0')
    return override;
  snprintf(buffer, size, "%s/daemon/letter/LiberationSerif-%s.vi.ttf", getenv("DUNGHEN_BUILD_ROOT"),
           face_names[face]);
  if (access(buffer, R_OK) == 0)
    return buffer;
  snprintf(buffer, size, "%s/LiberationSerif-%s.ttf", DUNGHEN_FONT_DIR, face_names[face]);
  return buffer;
}

/* Sets every letter in every face of `faces`, renders the sheet and checks each mark. */
static int check_faces(const struct pdf_faces *faces, const char *label,
                       struct cell cells[2][MAXIMUM_CELLS], const size_t counts[2]) {
  struct pdf_writer *writer;
  struct error error;
  static struct font_metrics metrics;
  if (pdf_writer_new(faces, &writer, &error) != STATUS_OK ||
      pdf_writer_metrics(writer, &metrics, &error) != STATUS_OK) {
    tap_diagnostic("%s", error.message);
    return 1;
  }
  struct page_geometry geometry = layout_a4_geometry();
  struct layout layout;
  layout_init(&layout, &metrics, &geometry);
  /* One page per face and case: the letters of that case and their bases on a grid. */
  for (int page = 0; page < 2 * FACE_COUNT; page++) {
    if (page > 0)
      layout_new_page(&layout);
    int upper = page % 2, face = page / 2;
    struct layout_style style = {
        (enum letter_face)face, GLYPH_SIZE, CELL_HEIGHT, LAYOUT_LEFT, 0, 0, 0, 0};
    for (size_t i = 0; i < counts[upper]; i++) {
      double x = GRID_LEFT + CELL_WIDTH * (double)(i % COLUMNS) + 6;
      double top = GRID_TOP - CELL_HEIGHT * (double)(i / COLUMNS);
      char text[8];
      text[text_encode(cells[upper][i].letter, text)] = '\0';
      layout.y = top;
      layout_paragraph(&layout, text, &style, x, x + CELL_WIDTH, NULL);
    }
  }
  unsigned char *pdf;
  size_t size;
  char directory[] = "/tmp/dunghen-diacritics-XXXXXX";
  if (pdf_writer_render(writer, &layout, "diacritics", &pdf, &size, &error) != STATUS_OK ||
      mkdtemp(directory) == NULL) {
    tap_diagnostic("cannot render the test sheet");
    return 1;
  }
  char pdf_path[4200], command[9000];
  snprintf(pdf_path, sizeof pdf_path, "%s/sheet.pdf", directory);
  FILE *file = fopen(pdf_path, "wb");
  fwrite(pdf, 1, size, file);
  fclose(file);
  free(pdf);
  snprintf(command, sizeof command,
           "pdftoppm -r %d -gray '%s' '%s/page' 2>&1 | "
           "grep -v \"Invalid 'begincidrange' operator\"",
           DPI, pdf_path, directory);
  if (system(command) == -1) {
    tap_diagnostic("cannot run pdftoppm");
    return 1;
  }
  for (int page = 0; page < 2 * FACE_COUNT; page++) {
    int upper = page % 2, face = page / 2;
    char pgm[4300];
    snprintf(pgm, sizeof pgm, "%s/page-%d.pgm", directory, page + 1);
    int width, height;
    unsigned char *pixels = read_pgm(pgm, &width, &height);
    if (!tap_ok(pixels != NULL, "%s%s %s: pdftoppm rendered the page", label, face_names[face],
                upper ? "upper" : "lower"))
      continue;
    struct cell *list = cells[upper];
    struct image image = {pixels, width, height, geometry.height};
    for (size_t i = 0; i < counts[upper]; i++) {
      list[i].x = GRID_LEFT + CELL_WIDTH * (double)(i % COLUMNS);
      list[i].top = GRID_TOP - CELL_HEIGHT * (double)(i / COLUMNS);
      list[i].ink = compare_cells(&image, &list[i], NULL);
    }
    /*
     * At 32 pt and 200 dpi the smallest mark (a dot below) is about 25 pixels of ink and a base
     * letter several hundred; the same glyph drawn twice differs by antialiasing noise only.
     */
    int weak = 0;
    for (size_t i = 0; i < counts[upper]; i++) {
      if (list[i].base == 0)
        continue;
      for (size_t j = 0; j < counts[upper]; j++) {
        bool base = list[j].letter == list[i].base;
        bool sibling = j != i && list[j].base == list[i].base;
        if (!base && !sibling)
          continue;
        double difference = compare_cells(&image, &list[i], &list[j]);
        if (list[i].ink < 200 || difference < 12) {
          weak++;
          tap_diagnostic("%s%s U+%04X (ink %.1f) differs from U+%04X by only %.1f", label,
                         face_names[face], (unsigned)list[i].letter, list[i].ink,
                         (unsigned)list[j].letter, difference);
        }
      }
    }
    tap_is_integer(weak, 0, "%s%s %s case: every letter shows its marks", label, face_names[face],
                   upper ? "upper" : "lower");
    free(pixels);
  }
  snprintf(command, sizeof command, "rm -rf '%s'", directory);
  if (system(command) != 0)
    tap_diagnostic("could not remove %s", directory);
  layout_free(&layout);
  pdf_writer_free(writer);
  return 0;
}

int main(void) {
  static struct cell cells[2][MAXIMUM_CELLS];
  size_t counts[2];
  for (int upper = 0; upper < 2; upper++) {
    size_t letters = vietnamese_letters(upper, cells[upper]);
    tap_is_integer((long long)letters, 67, "%s case: 67 Vietnamese letters",
                   upper ? "upper" : "lower");
    bool composed = true;
    for (size_t i = 0; i < letters; i++)
      composed &= cells[upper][i].letter != 0 && text_repertoire_index(cells[upper][i].letter) >= 0;
    tap_ok(composed, "each is one precomposed character in the letter repertoire");
    counts[upper] = add_bases(cells[upper], letters);
  }
  char paths[FACE_COUNT][4096];
  struct pdf_faces faces = {{NULL}, {false}, false};
  for (int face = 0; face < FACE_COUNT; face++)
    faces.paths[face] = font_path(face, paths[face], sizeof paths[face]);
  tap_diagnostic("fonts: %s ...", faces.paths[0]);
  /* The default: italics slanted from the upright faces (letter.c does the same). */
  struct pdf_faces slanted = faces;
  slanted.paths[FACE_ITALIC] = faces.paths[FACE_REGULAR];
  slanted.paths[FACE_BOLD_ITALIC] = faces.paths[FACE_BOLD];
  slanted.oblique[FACE_ITALIC] = slanted.oblique[FACE_BOLD_ITALIC] = true;
  tap_ok(check_faces(&slanted, "slanted (default) ", cells, counts) == 0,
         "the sheet with slanted italics renders");
  tap_ok(check_faces(&faces, "true ", cells, counts) == 0,
         "the sheet with the true italic faces renders");
  return tap_finish();
}
