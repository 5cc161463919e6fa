/*
 * text.h: what letter text may contain, and how any input is made printable.
 *
 * The letter font carries a fixed repertoire: ASCII, Latin-1 (so ü, ñ, ç in foreign names
 * print), Ă ă Đ đ Ĩ ĩ Ũ ũ Ơ ơ Ư ư, the Vietnamese block U+1EA0..U+1EF9, typographic
 * punctuation, ₫, № and □. It is kept small on purpose: libharu writes a width for every
 * character of the font into each PDF, for each face. text_clean() turns any
 * byte string into NFC UTF-8 drawn only from that repertoire, under one explicit policy:
 *   - each invalid UTF-8 sequence (bad byte, overlong, surrogate, truncated) becomes □;
 *   - TAB, LF, CR, VT, FF and the Unicode spaces become one space; runs of spaces collapse and
 *     the ends are trimmed;
 *   - other control characters (C0, DEL, C1) become □;
 *   - the text is normalised to NFC, so decomposed (NFD) Vietnamese prints as precomposed;
 *   - every character outside the repertoire (emoji, CJK, right-to-left scripts, combining marks
 *     left over after NFC, invisible format characters) becomes □;
 * and counts what it replaced, so a caller can report it without logging the text itself.
 * Pure functions, no global state.
 */
#ifndef DUNGHEN_LETTER_TEXT_H
#define DUNGHEN_LETTER_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

enum {
  TEXT_REPLACEMENT = 0x25A1,  /* □ WHITE SQUARE: visible, in the font, never mistaken for text */
  TEXT_REPERTOIRE_SIZE = 304, /* number of code points in the repertoire */
};

struct text_report {
  size_t invalid;             /* invalid UTF-8 sequences replaced */
  size_t controls;            /* control characters replaced */
  size_t unsupported;         /* characters outside the font replaced */
  uint32_t first_unsupported; /* the first of those, for the message (0 if none) */
};

/* Position of a code point in the repertoire (0..TEXT_REPERTOIRE_SIZE-1), or -1. */
int text_repertoire_index(uint32_t code_point);
/* The code point at a repertoire position. */
uint32_t text_repertoire_code_point(int index);

/*
 * Decodes one code point of well-formed UTF-8 at text[*offset] and advances *offset; returns
 * false at the end or on a malformed sequence (which then advances by one byte).
 */
bool text_next(const char *text, size_t length, size_t *offset, uint32_t *code_point);

/*
 * Applies the policy above to `length` bytes of `input`. *output is a new NUL-terminated string
 * (free() it). `report` is added to (not cleared). Fails only when memory runs out.
 */
enum status text_clean(const char *input, size_t length, char **output, struct text_report *report,
                       struct error *error);

/* Upper-cases cleaned text (Vietnamese letters included) into a new string (free() it). */
enum status text_upper(const char *input, char **output, struct error *error);

/*
 * The delay reason as the letter prints it: a sentence. Trailing spaces are trimmed; a text
 * that ends with no final mark gets one full stop. Final marks are '.', '!', '?' and '…' (so
 * "./." and "..." stay as they are), also just before a closing quote or bracket ("(số 12).",
 * "“xong.”"). A trailing ',', ';' or ':' becomes the full stop, and a doubled full stop ("..",
 * never an ellipsis) loses one: the result never ends in "..". An empty or blank text gives "".
 * *output is a new string (free() it). Fails only when memory runs out.
 */
enum status text_sentence(const char *input, char **output, struct error *error);

/*
 * A procedure name as it goes after "thủ tục hành chính" in the letter: without a leading
 * "Thủ tục hành chính " or "Thủ tục " (any letter case, on NFC text as text_clean() makes it),
 * so that the letter never says "thủ tục hành chính Thủ tục đăng ký khai sinh". Returns a
 * pointer into `input`: past those words, or `input` itself when they are not there or nothing
 * follows them.
 */
const char *text_procedure_name(const char *input);

/* Appends the UTF-8 encoding of a code point (at most 4 bytes) to `buffer`; returns its length. */
size_t text_encode(uint32_t code_point, char *buffer);

#endif
