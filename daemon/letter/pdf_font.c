/*
 * pdf_font.c: prepared CID TrueType fonts for libharu 2.3 (see pdf_font.h).
 *
 * This uses libharu's internal object API, which Debian's libhpdf-dev installs (hpdf_objects.h,
 * hpdf_font.h, hpdf_fontdef.h, hpdf_streams.h), but none of its code is replaced: the font dict
 * carries the HPDF_FontAttr_Rec the page operators read (type Type0 TrueType, the document's
 * UTF-8 encoder, which writes every character as its 2-byte code point), our own text-width
 * function (which also marks the glyphs for libharu's subsetting, through
 * HPDF_TTFontDef_GetCharWidth), and the subset itself is still written by
 * HPDF_TTFontDef_SaveFontData. What changes is that nothing per document walks the code space.
 */
#include "letter/pdf_font.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>
#include <zlib.h>

enum { CODE_SPACE = 65536, WORD_BITS = 64, RANGES_PER_BLOCK = 100 };

struct pdf_font_face {
  HPDF_Doc document;
  HPDF_FontDef fontdef;      /* owned by the document */
  uint32_t code_point_count; /* the highest code point the font maps, plus one */
  uint16_t *glyphs;          /* glyph of every code point below code_point_count, 0 = none */
  uint16_t *widths;          /* its advance width in 1/1000 em */
  uint16_t notdef_width;     /* width of the code points above */
  unsigned char *glyph_map;  /* the CIDToGIDMap stream, deflated */
  size_t glyph_map_size;
  unsigned char *to_unicode; /* the ToUnicode CMap stream, deflated */
  size_t to_unicode_size;
  uint64_t used[CODE_SPACE / WORD_BITS]; /* code points drawn in the current PDF */
};

/* libharu reads a font's attr as an HPDF_FontAttr_Rec; the face rides behind it. */
struct embedded_font {
  HPDF_FontAttr_Rec base;
  struct pdf_font_face *face;
};

/* libharu keeps the subset-tagged name ("ABCDEF+Name") in the TrueType attributes. */
static const char *tagged_name(const struct pdf_font_face *face) {
  return ((HPDF_TTFontDefAttr)face->fontdef->attr)->base_font;
}

static enum status read_file(const char *path, unsigned char **data, size_t *size,
                             struct error *error) {
  FILE *file = fopen(path, "rb");
  if (file == NULL)
    return error_set(error, STATUS_RUNTIME, "cannot open the letter font %s: %s", path,
                     strerror(errno));
  long length = -1;
  if (fseek(file, 0, SEEK_END) == 0)
    length = ftell(file);
  unsigned char *buffer = length > 0 ? malloc((size_t)length) : NULL;
  bool read = buffer != NULL && fseek(file, 0, SEEK_SET) == 0 &&
              fread(buffer, 1, (size_t)length, file) == (size_t)length;
  fclose(file);
  if (!read) {
    free(buffer);
    return error_set(error, STATUS_RUNTIME, "cannot read the letter font %s", path);
  }
  *data = buffer;
  *size = (size_t)length;
  return STATUS_OK;
}

/* The fontdef reads glyphs from its stream for every subset: keep it in memory, not a FILE. */
static enum status load_fontdef(struct pdf_font_face *face, const char *path, const char *tag,
                                struct error *error) {
  unsigned char *data = NULL;
  size_t size = 0;
  enum status status = read_file(path, &data, &size, error);
  if (status != STATUS_OK)
    return status;
  HPDF_Stream stream = HPDF_MemStream_New(face->document->mmgr, (HPDF_UINT)size);
  bool written = stream != NULL && HPDF_Stream_Write(stream, data, (HPDF_UINT)size) == HPDF_OK;
  free(data);
  if (!written) {
    if (stream != NULL)
      HPDF_Stream_Free(stream);
    return error_set(error, STATUS_RUNTIME, "out of memory loading the letter font %s", path);
  }
  /* The fontdef owns the stream from here on, also when loading fails. */
  face->fontdef = HPDF_TTFontDef_Load(face->document->mmgr, stream, HPDF_TRUE);
  if (face->fontdef == NULL)
    return error_set(error, STATUS_RUNTIME, "libharu cannot load the letter font %s", path);
  char tag_name[7];
  snprintf(tag_name, sizeof tag_name, "%s", tag);
  HPDF_TTFontDef_SetTagName(face->fontdef, tag_name);
  /* Registered, the document frees it and resets its used-glyph marks at every HPDF_NewDoc. */
  if (HPDF_Doc_RegisterFontDef(face->document, face->fontdef) != HPDF_OK) {
    face->fontdef = NULL;
    return error_set(error, STATUS_RUNTIME, "libharu cannot register the letter font %s", path);
  }
  return STATUS_OK;
}

static enum status deflated(const unsigned char *data, size_t size, unsigned char **out,
                            size_t *out_size, struct error *error) {
  uLongf bound = compressBound((uLong)size);
  *out = malloc(bound);
  if (*out == NULL || compress2(*out, &bound, data, (uLong)size, Z_BEST_COMPRESSION) != Z_OK)
    return error_set(error, STATUS_RUNTIME, "cannot compress the letter font's tables");
  *out_size = bound;
  return STATUS_OK;
}

/* Each code point's glyph and width: the one walk of the code space, per process. */
static enum status prepare_metrics(struct pdf_font_face *face, struct error *error) {
  HPDF_FontDef fontdef = face->fontdef;
  uint32_t count = 0;
  for (uint32_t code_point = 1; code_point < CODE_SPACE; code_point++)
    if (HPDF_TTFontDef_GetGlyphid(fontdef, (HPDF_UINT16)code_point) != 0)
      count = code_point + 1;
  if (count == 0)
    return error_set(error, STATUS_RUNTIME, "the letter font %s maps no characters",
                     fontdef->base_font);
  face->code_point_count = count;
  face->glyphs = calloc(count, sizeof *face->glyphs);
  face->widths = calloc(count, sizeof *face->widths);
  if (face->glyphs == NULL || face->widths == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory preparing the letter font");
  for (uint32_t code_point = 0; code_point < count; code_point++) {
    face->glyphs[code_point] = HPDF_TTFontDef_GetGlyphid(fontdef, (HPDF_UINT16)code_point);
    face->widths[code_point] =
        (uint16_t)HPDF_TTFontDef_GetGidWidth(fontdef, face->glyphs[code_point]);
  }
  face->notdef_width = (uint16_t)HPDF_TTFontDef_GetGidWidth(fontdef, 0);
  return STATUS_OK;
}

static enum status prepare_glyph_map(struct pdf_font_face *face, struct error *error) {
  size_t size = 2 * (size_t)face->code_point_count;
  unsigned char *map = malloc(size);
  if (map == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory preparing the letter font");
  for (uint32_t code_point = 0; code_point < face->code_point_count; code_point++) {
    map[2 * code_point] = (unsigned char)(face->glyphs[code_point] >> 8);
    map[2 * code_point + 1] = (unsigned char)face->glyphs[code_point];
  }
  enum status status = deflated(map, size, &face->glyph_map, &face->glyph_map_size, error);
  free(map);
  return status;
}

static bool block_is_mapped(const struct pdf_font_face *face, uint32_t block) {
  for (uint32_t code_point = block << 8;
       code_point < (block + 1) << 8 && code_point < face->code_point_count; code_point++)
    if (face->glyphs[code_point] != 0)
      return true;
  return false;
}

/*
 * CIDs are code points, so the ToUnicode map is the identity over every 256-character block the
 * font covers (a bfrange may not cross a block).
 */
static enum status prepare_to_unicode(struct pdf_font_face *face, struct error *error) {
  static const char head[] =
      "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
      "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
      "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
      "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n";
  static const char tail[] = "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n";
  uint32_t blocks[CODE_SPACE >> 8];
  size_t block_count = 0;
  for (uint32_t block = 0; block < CODE_SPACE >> 8; block++)
    if (block_is_mapped(face, block))
      blocks[block_count++] = block;
  size_t capacity = sizeof head + sizeof tail + block_count * 32 + 64;
  char *text = malloc(capacity);
  if (text == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory preparing the letter font");
  size_t length = (size_t)snprintf(text, capacity, "%s", head);
  for (size_t first = 0; first < block_count; first += RANGES_PER_BLOCK) {
    size_t count = block_count - first < RANGES_PER_BLOCK ? block_count - first : RANGES_PER_BLOCK;
    length += (size_t)snprintf(text + length, capacity - length, "%zu beginbfrange\n", count);
    for (size_t i = first; i < first + count; i++)
      length += (size_t)snprintf(text + length, capacity - length, "<%02X00> <%02XFF> <%02X00>\n",
                                 blocks[i], blocks[i], blocks[i]);
    length += (size_t)snprintf(text + length, capacity - length, "endbfrange\n");
  }
  length += (size_t)snprintf(text + length, capacity - length, "%s", tail);
  enum status status = deflated((const unsigned char *)text, length, &face->to_unicode,
                                &face->to_unicode_size, error);
  free(text);
  return status;
}

enum status pdf_font_face_new(HPDF_Doc document, const char *path, const char *tag,
                              struct pdf_font_face **face_out, struct error *error) {
  *face_out = NULL;
  struct pdf_font_face *face = calloc(1, sizeof *face);
  if (face == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory preparing the letter font");
  face->document = document;
  enum status status = load_fontdef(face, path, tag, error);
  if (status == STATUS_OK)
    status = prepare_metrics(face, error);
  if (status == STATUS_OK)
    status = prepare_glyph_map(face, error);
  if (status == STATUS_OK)
    status = prepare_to_unicode(face, error);
  if (status != STATUS_OK) {
    pdf_font_face_free(face);
    return status;
  }
  *face_out = face;
  return STATUS_OK;
}

void pdf_font_face_free(struct pdf_font_face *face) {
  if (face == NULL)
    return;
  free(face->glyphs);
  free(face->widths);
  free(face->glyph_map);
  free(face->to_unicode);
  free(face);
}

uint16_t pdf_font_face_width(const struct pdf_font_face *face, uint32_t code_point) {
  return code_point < face->code_point_count ? face->widths[code_point] : face->notdef_width;
}

/* A character's first use in a PDF marks its glyph (and a composite's parts) for the subset. */
static void mark_used(struct pdf_font_face *face, uint32_t code_point) {
  uint64_t bit = UINT64_C(1) << (code_point % WORD_BITS);
  if (face->used[code_point / WORD_BITS] & bit)
    return;
  face->used[code_point / WORD_BITS] |= bit;
  HPDF_TTFontDef_GetCharWidth(face->fontdef, (HPDF_UINT16)code_point);
}

/* Decodes UTF-8 as libharu's UTF-8 encoder does: characters beyond the BMP become spaces. */
static uint32_t next_code_point(const HPDF_BYTE *text, HPDF_UINT length, HPDF_UINT *index) {
  HPDF_BYTE lead = text[(*index)++];
  int continuation = lead < 0x80 ? 0 : (lead & 0xE0) == 0xC0 ? 1 : (lead & 0xF0) == 0xE0 ? 2 : 3;
  uint32_t code_point = continuation == 0   ? lead
                        : continuation == 1 ? lead & 0x1Fu
                        : continuation == 2 ? lead & 0x0Fu
                                            : lead & 0x07u;
  for (int i = 0; i < continuation && *index < length; i++)
    code_point = code_point << 6 | (text[(*index)++] & 0x3Fu);
  return code_point < CODE_SPACE ? code_point : ' ';
}

static HPDF_TextWidth text_width(HPDF_Font font, const HPDF_BYTE *text, HPDF_UINT length) {
  struct pdf_font_face *face = ((struct embedded_font *)font->attr)->face;
  HPDF_TextWidth result = {0, 0, 0, 0};
  HPDF_UINT index = 0;
  uint32_t code_point = 0;
  while (index < length) {
    code_point = next_code_point(text, length, &index);
    mark_used(face, code_point);
    result.width += pdf_font_face_width(face, code_point);
    result.numchars++;
    if (code_point == ' ') {
      result.numspace++;
      result.numwords++;
    }
  }
  if (code_point != ' ')
    result.numwords++;
  return result;
}

/* "/W [first [w w ...] ...]" for the characters the PDF draws, written as the dict is. */
static HPDF_STATUS write_widths(HPDF_Dict dict, HPDF_Stream stream) {
  const struct pdf_font_face *face = dict->attr;
  HPDF_INT16 default_width = face->fontdef->missing_width;
  HPDF_STATUS status = HPDF_Stream_WriteStr(stream, "/W [");
  uint32_t previous = CODE_SPACE; /* the last code point written, CODE_SPACE: none yet */
  for (uint32_t word = 0; word < CODE_SPACE / WORD_BITS && status == HPDF_OK; word++) {
    for (uint64_t bits = face->used[word]; bits != 0 && status == HPDF_OK; bits &= bits - 1) {
      uint32_t code_point = word * WORD_BITS + (uint32_t)__builtin_ctzll(bits);
      uint16_t width = pdf_font_face_width(face, code_point);
      if (width == default_width)
        continue;
      if (previous != CODE_SPACE && code_point == previous + 1) {
        status = HPDF_Stream_WriteChar(stream, ' ');
      } else {
        status = HPDF_Stream_WriteStr(stream, previous == CODE_SPACE ? "" : "] ");
        if (status == HPDF_OK)
          status = HPDF_Stream_WriteUInt(stream, code_point);
        if (status == HPDF_OK)
          status = HPDF_Stream_WriteStr(stream, " [");
      }
      if (status == HPDF_OK)
        status = HPDF_Stream_WriteUInt(stream, width);
      previous = code_point;
    }
  }
  if (status == HPDF_OK && previous != CODE_SPACE)
    status = HPDF_Stream_WriteChar(stream, ']');
  return status == HPDF_OK ? HPDF_Stream_WriteStr(stream, "]\012") : status;
}

/* The glyph subset is only known once the pages are drawn: build it as the stream is written. */
static HPDF_STATUS write_font_file(HPDF_Dict dict) {
  const struct pdf_font_face *face = dict->attr;
  dict->before_write_fn = NULL;
  HPDF_STATUS status = HPDF_TTFontDef_SaveFontData(face->fontdef, dict->stream);
  if (status != HPDF_OK)
    return status;
  HPDF_TTFontDefAttr attr = face->fontdef->attr;
  return HPDF_Dict_AddNumber(dict, "Length1", (HPDF_INT32)attr->length1);
}

/* The stream holds bytes deflated in advance: declare the filter without applying it. */
static HPDF_STATUS write_flate_filter(HPDF_Dict dict, HPDF_Stream stream) {
  (void)dict;
  return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

static HPDF_Dict prepared_stream(HPDF_Doc document, const unsigned char *data, size_t size) {
  HPDF_Dict dict = HPDF_DictStream_New(document->mmgr, document->xref);
  if (dict == NULL)
    return NULL;
  dict->write_fn = write_flate_filter;
  return HPDF_Stream_Write(dict->stream, data, (HPDF_UINT)size) == HPDF_OK ? dict : NULL;
}

static void free_font_attr(HPDF_Dict dict) {
  if (dict->attr != NULL)
    HPDF_FreeMem(dict->mmgr, dict->attr);
}

/* A new indirect dict with /Type and /Subtype (NULL: none); it belongs to the xref. */
static HPDF_Dict typed_dict(HPDF_Doc document, const char *type, const char *subtype) {
  HPDF_Dict dict = HPDF_Dict_New(document->mmgr);
  if (dict == NULL || HPDF_Xref_Add(document->xref, dict) != HPDF_OK)
    return NULL;
  HPDF_STATUS status = HPDF_Dict_AddName(dict, "Type", type);
  if (status == HPDF_OK && subtype != NULL)
    status = HPDF_Dict_AddName(dict, "Subtype", subtype);
  return status == HPDF_OK ? dict : NULL;
}

static HPDF_Dict font_descriptor(struct pdf_font_face *face) {
  HPDF_Doc document = face->document;
  HPDF_FontDef fontdef = face->fontdef;
  HPDF_Dict descriptor = typed_dict(document, "FontDescriptor", NULL);
  HPDF_Dict file = HPDF_DictStream_New(document->mmgr, document->xref);
  if (descriptor == NULL || file == NULL)
    return NULL;
  file->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
  file->attr = face;
  file->before_write_fn = write_font_file;
  HPDF_STATUS status = HPDF_OK;
  status += HPDF_Dict_AddName(descriptor, "FontName", tagged_name(face));
  status += HPDF_Dict_AddNumber(descriptor, "Flags", (HPDF_INT32)fontdef->flags);
  status +=
      HPDF_Dict_Add(descriptor, "FontBBox", HPDF_Box_Array_New(document->mmgr, fontdef->font_bbox));
  status += HPDF_Dict_AddNumber(descriptor, "ItalicAngle", fontdef->italic_angle);
  status += HPDF_Dict_AddNumber(descriptor, "Ascent", fontdef->ascent);
  status += HPDF_Dict_AddNumber(descriptor, "Descent", fontdef->descent);
  status += HPDF_Dict_AddNumber(descriptor, "XHeight", fontdef->x_height);
  status += HPDF_Dict_AddNumber(descriptor, "StemV", fontdef->stemv);
  status += HPDF_Dict_Add(descriptor, "FontFile2", file);
  return status == HPDF_OK ? descriptor : NULL;
}

static HPDF_Dict cid_font(struct pdf_font_face *face) {
  HPDF_Doc document = face->document;
  HPDF_Dict font = typed_dict(document, "Font", "CIDFontType2");
  HPDF_Dict system = HPDF_Dict_New(document->mmgr);
  HPDF_Dict glyph_map = prepared_stream(document, face->glyph_map, face->glyph_map_size);
  HPDF_Dict descriptor = font_descriptor(face);
  if (font == NULL || system == NULL || glyph_map == NULL || descriptor == NULL) {
    if (system != NULL)
      HPDF_Dict_Free(system);
    return NULL;
  }
  font->attr = face;
  font->write_fn = write_widths;
  HPDF_STATUS status = HPDF_OK;
  status += HPDF_Dict_Add(system, "Registry", HPDF_String_New(document->mmgr, "Adobe", NULL));
  status += HPDF_Dict_Add(system, "Ordering", HPDF_String_New(document->mmgr, "Identity", NULL));
  status += HPDF_Dict_AddNumber(system, "Supplement", 0);
  status += HPDF_Dict_AddName(font, "BaseFont", tagged_name(face));
  status += HPDF_Dict_Add(font, "CIDSystemInfo", system);
  status += HPDF_Dict_AddNumber(font, "DW", face->fontdef->missing_width);
  status += HPDF_Dict_Add(font, "CIDToGIDMap", glyph_map);
  status += HPDF_Dict_Add(font, "FontDescriptor", descriptor);
  return status == HPDF_OK ? font : NULL;
}

HPDF_Font pdf_font_face_embed(struct pdf_font_face *face) {
  HPDF_Doc document = face->document;
  HPDF_Encoder encoder = HPDF_GetEncoder(document, "UTF-8");
  if (encoder == NULL)
    return NULL;
  memset(face->used, 0, sizeof face->used);
  HPDF_Dict font = typed_dict(document, "Font", "Type0");
  struct embedded_font *attr = HPDF_GetMem(document->mmgr, sizeof *attr);
  if (font == NULL || attr == NULL) {
    if (attr != NULL)
      HPDF_FreeMem(document->mmgr, attr);
    return NULL;
  }
  memset(attr, 0, sizeof *attr);
  attr->base.type = HPDF_FONT_TYPE0_TT;
  attr->base.writing_mode = HPDF_WMODE_HORIZONTAL;
  attr->base.text_width_fn = text_width;
  attr->base.fontdef = face->fontdef;
  attr->base.encoder = encoder;
  attr->base.xref = document->xref;
  attr->face = face;
  font->header.obj_class |= HPDF_OSUBCLASS_FONT;
  font->attr = attr;
  font->free_fn = free_font_attr;
  HPDF_Dict descendant = cid_font(face);
  HPDF_Dict to_unicode = prepared_stream(document, face->to_unicode, face->to_unicode_size);
  HPDF_Array descendants = HPDF_Array_New(document->mmgr);
  if (descendant == NULL || to_unicode == NULL || descendants == NULL)
    return NULL;
  attr->base.descendant_font = descendant;
  attr->base.cmap_stream = to_unicode;
  attr->base.map_stream = NULL;
  HPDF_STATUS status = HPDF_OK;
  status += HPDF_Dict_AddName(font, "BaseFont", tagged_name(face));
  status += HPDF_Dict_AddName(font, "Encoding", "Identity-H");
  status += HPDF_Dict_Add(font, "DescendantFonts", descendants);
  status += HPDF_Array_Add(descendants, descendant);
  status += HPDF_Dict_Add(font, "ToUnicode", to_unicode);
  return status == HPDF_OK ? font : NULL;
}
