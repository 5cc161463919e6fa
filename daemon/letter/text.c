/*
 * text.c: the letter repertoire and the cleaning policy described in text.h. Decoding is strict
 * (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF) because utf8proc refuses
 * malformed input and libharu would silently mis-draw it.
 */
#include "letter/text.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

struct code_range {
  uint32_t first;
  uint32_t last;
};

/* Keep in step with the --unicodes list in daemon/letter/meson.build (the font subset). */
static const struct code_range repertoire[] = {
    {0x0020, 0x007E}, {0x00A0, 0x00FF}, {0x0102, 0x0103}, {0x0110, 0x0111}, {0x0128, 0x0129},
    {0x0168, 0x0169}, {0x01A0, 0x01A1}, {0x01AF, 0x01B0}, {0x1EA0, 0x1EF9}, {0x2013, 0x2014},
    {0x2018, 0x2019}, {0x201C, 0x201D}, {0x2022, 0x2022}, {0x2026, 0x2026}, {0x20AB, 0x20AB},
    {0x2116, 0x2116}, {0x25A1, 0x25A1},
};

enum { RANGE_COUNT = sizeof repertoire / sizeof repertoire[0] };

int text_repertoire_index(uint32_t code_point) {
  int base = 0;
  for (int i = 0; i < RANGE_COUNT; i++) {
    if (code_point < repertoire[i].first)
      return -1;
    if (code_point <= repertoire[i].last)
      return base + (int)(code_point - repertoire[i].first);
    base += (int)(repertoire[i].last - repertoire[i].first + 1);
  }
  return -1;
}

uint32_t text_repertoire_code_point(int index) {
  for (int i = 0; i < RANGE_COUNT; i++) {
    int size = (int)(repertoire[i].last - repertoire[i].first + 1);
    if (index < size)
      return repertoire[i].first + (uint32_t)index;
    index -= size;
  }
  return 0;
}

size_t text_encode(uint32_t code_point, char *buffer) {
  unsigned char *out = (unsigned char *)buffer;
  if (code_point < 0x80) {
    out[0] = (unsigned char)code_point;
    return 1;
  }
  if (code_point < 0x800) {
    out[0] = (unsigned char)(0xC0 | code_point >> 6);
    out[1] = (unsigned char)(0x80 | (code_point & 0x3F));
    return 2;
  }
  if (code_point < 0x10000) {
    out[0] = (unsigned char)(0xE0 | code_point >> 12);
    out[1] = (unsigned char)(0x80 | ((code_point >> 6) & 0x3F));
    out[2] = (unsigned char)(0x80 | (code_point & 0x3F));
    return 3;
  }
  out[0] = (unsigned char)(0xF0 | code_point >> 18);
  out[1] = (unsigned char)(0x80 | ((code_point >> 12) & 0x3F));
  out[2] = (unsigned char)(0x80 | ((code_point >> 6) & 0x3F));
  out[3] = (unsigned char)(0x80 | (code_point & 0x3F));
  return 4;
}

bool text_next(const char *text, size_t length, size_t *offset, uint32_t *code_point) {
  const unsigned char *bytes = (const unsigned char *)text;
  size_t at = *offset;
  if (at >= length)
    return false;
  unsigned char lead = bytes[at];
  if (lead < 0x80) {
    *code_point = lead;
    *offset = at + 1;
    return true;
  }
  size_t extra;
  uint32_t value, minimum;
  if (lead >= 0xC2 && lead <= 0xDF) {
    extra = 1, value = lead & 0x1F, minimum = 0x80;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    extra = 2, value = lead & 0x0F, minimum = 0x800;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    extra = 3, value = lead & 0x07, minimum = 0x10000;
  } else {
    *offset = at + 1;
    return false;
  }
  if (at + extra >= length) {
    *offset = at + 1;
    return false;
  }
  for (size_t i = 1; i <= extra; i++) {
    if ((bytes[at + i] & 0xC0) != 0x80) {
      *offset = at + 1;
      return false;
    }
    value = value << 6 | (bytes[at + i] & 0x3F);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    *offset = at + 1;
    return false;
  }
  *code_point = value;
  *offset = at + extra + 1;
  return true;
}

static bool is_line_space(uint32_t code_point) {
  return code_point == '\t' || code_point == '\n' || code_point == '\r' || code_point == 0x0B ||
         code_point == 0x0C || code_point == 0x85 || code_point == 0xA0 || code_point == 0x1680 ||
         (code_point >= 0x2000 && code_point <= 0x200A) || code_point == 0x2028 ||
         code_point == 0x2029 || code_point == 0x202F || code_point == 0x205F ||
         code_point == 0x3000;
}

static bool is_control(uint32_t code_point) {
  return code_point < 0x20 || (code_point >= 0x7F && code_point <= 0x9F);
}

/* Pass 1: valid UTF-8 with spaces unified and controls and bad bytes already replaced. */
static char *sanitise(const char *input, size_t length, size_t *out_length,
                      struct text_report *report) {
  char *out = malloc(length * 3 + 1); /* a bad byte (1) may become □ (3) */
  if (out == NULL)
    return NULL;
  size_t written = 0, offset = 0;
  while (offset < length) {
    uint32_t code_point;
    if (!text_next(input, length, &offset, &code_point)) {
      report->invalid++;
      code_point = TEXT_REPLACEMENT;
    } else if (is_line_space(code_point)) {
      code_point = ' ';
    } else if (is_control(code_point)) {
      report->controls++;
      code_point = TEXT_REPLACEMENT;
    }
    written += text_encode(code_point, out + written);
  }
  out[written] = '\0';
  *out_length = written;
  return out;
}

enum status text_clean(const char *input, size_t length, char **output, struct text_report *report,
                       struct error *error) {
  *output = NULL;
  size_t valid_length;
  char *valid =
      sanitise(input == NULL ? "" : input, input == NULL ? 0 : length, &valid_length, report);
  if (valid == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory cleaning letter text");
  utf8proc_uint8_t *composed = NULL;
  utf8proc_ssize_t composed_length =
      utf8proc_map((const utf8proc_uint8_t *)valid, (utf8proc_ssize_t)valid_length, &composed,
                   UTF8PROC_STABLE | UTF8PROC_COMPOSE);
  free(valid);
  if (composed_length < 0)
    return error_set(error, STATUS_RUNTIME, "cannot normalise letter text: %s",
                     utf8proc_errmsg(composed_length));
  /* □ (3 bytes) may replace a 1-byte character only if it was a control, already replaced. */
  char *out = malloc((size_t)composed_length * 3 + 1);
  if (out == NULL) {
    free(composed);
    return error_set(error, STATUS_RUNTIME, "out of memory cleaning letter text");
  }
  size_t written = 0, offset = 0;
  bool pending_space = false;
  uint32_t code_point;
  while (text_next((const char *)composed, (size_t)composed_length, &offset, &code_point)) {
    if (code_point == ' ') {
      pending_space = written > 0;
      continue;
    }
    if (text_repertoire_index(code_point) < 0) {
      if (report->unsupported++ == 0)
        report->first_unsupported = code_point;
      code_point = TEXT_REPLACEMENT;
    }
    if (pending_space)
      out[written++] = ' ';
    pending_space = false;
    written += text_encode(code_point, out + written);
  }
  out[written] = '\0';
  free(composed);
  *output = out;
  return STATUS_OK;
}

enum status text_upper(const char *input, char **output, struct error *error) {
  size_t length = strlen(input);
  char *out = malloc(length * 2 + 1);
  if (out == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  size_t offset = 0, written = 0;
  uint32_t code_point;
  while (offset < length) {
    if (!text_next(input, length, &offset, &code_point))
      code_point = TEXT_REPLACEMENT;
    uint32_t upper = (uint32_t)utf8proc_toupper((utf8proc_int32_t)code_point);
    /* ß has no single upper-case letter in the repertoire: keep what can be printed. */
    if (text_repertoire_index(upper) >= 0)
      code_point = upper;
    written += text_encode(code_point, out + written);
  }
  out[written] = '\0';
  *output = out;
  return STATUS_OK;
}

/* True when the code point ends a sentence. */
static bool is_final_mark(uint32_t code_point) {
  return code_point == '.' || code_point == '!' || code_point == '?' || code_point == 0x2026;
}

/* Closing quotes and brackets, after which a sentence's final mark may stand. */
static bool is_closing(uint32_t code_point) {
  return code_point == ')' || code_point == ']' || code_point == '"' || code_point == '\'' ||
         code_point == 0x2019 || code_point == 0x201D || code_point == 0xBB;
}

/* The start of the code point that ends text[0, end), or 0. */
static size_t last_start(const char *text, size_t end) {
  while (end > 0 && ((unsigned char)text[end - 1] & 0xC0) == 0x80)
    end--;
  return end > 0 ? end - 1 : 0;
}

static uint32_t code_point_at(const char *text, size_t start, size_t end) {
  uint32_t code_point = 0;
  size_t offset = start;
  if (!text_next(text, end, &offset, &code_point))
    return TEXT_REPLACEMENT;
  return code_point;
}

enum status text_sentence(const char *input, char **output, struct error *error) {
  size_t length = strlen(input);
  while (length > 0 && input[length - 1] == ' ')
    length--;
  char *out = malloc(length + 2);
  if (out == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  memcpy(out, input, length);
  out[length] = '\0';
  *output = out;
  if (length == 0)
    return STATUS_OK;
  size_t last = last_start(out, length);
  uint32_t final = code_point_at(out, last, length);
  if (final == ',' || final == ';' || final == ':') {
    out[last] = '.';
    final = '.';
  }
  /* "abc.." is a slip, "abc..." an ellipsis. */
  if (length >= 2 && out[length - 1] == '.' && out[length - 2] == '.' &&
      (length < 3 || out[length - 3] != '.'))
    out[--length] = '\0';
  if (is_final_mark(final))
    return STATUS_OK;
  if (is_closing(final) && last > 0 &&
      is_final_mark(code_point_at(out, last_start(out, last), last)))
    return STATUS_OK;
  out[length] = '.';
  out[length + 1] = '\0';
  return STATUS_OK;
}

/* Length of the prefix of `text` that equals `words` ignoring letter case, or 0. */
static size_t match_words(const char *text, const char *words) {
  size_t text_length = strlen(text), words_length = strlen(words);
  size_t at = 0, offset = 0;
  uint32_t mine, theirs;
  while (offset < words_length) {
    if (!text_next(words, words_length, &offset, &theirs) ||
        !text_next(text, text_length, &at, &mine) ||
        utf8proc_tolower((utf8proc_int32_t)mine) != utf8proc_tolower((utf8proc_int32_t)theirs))
      return 0;
  }
  return at;
}

const char *text_procedure_name(const char *input) {
  static const char *const prefixes[] = {"thủ tục hành chính ", "thủ tục ", NULL};
  for (const char *const *prefix = prefixes; *prefix != NULL; prefix++) {
    size_t matched = match_words(input, *prefix);
    if (matched == 0)
      continue;
    while (input[matched] == ' ')
      matched++;
    return input[matched] != '\0' ? input + matched : input;
  }
  return input;
}
