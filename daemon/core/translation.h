/*
 * translation.h: how the pure core speaks the admin's language without knowing gettext.
 *
 * core/ may not call gettext (it reads the environment and files), yet the lines of
 * `dunghen deadline --explain` and the shift of `dunghen preview` are written here. So the
 * caller supplies a `struct translation`: two functions that map an English message (a printf
 * format or a word) to the admin's language, the shell's (cli/language.h) being gettext and
 * ngettext. A NULL translation, or a NULL function in it, keeps the English as written: the
 * daemon's logs and every unit test of the core.
 *
 * The English text stays at the call site, a string literal, so the compiler still checks each
 * format against its arguments and xgettext still finds it: po/meson.build names the functions
 * that take a message (translation_text, translation_plural, explanation_add, explanation_count)
 * and the marker TRANSLATABLE, for tables of words that are translated later. A translated
 * format is checked against the English one by `msgfmt --check` (the `po` test).
 */
#ifndef DUNGHEN_TRANSLATION_H
#define DUNGHEN_TRANSLATION_H

#if defined(__GNUC__)
/* The result is the format argument `index`, translated: the compiler checks the English. */
#define DUNGHEN_FORMAT_ARG(index) __attribute__((format_arg(index)))
#else
#define DUNGHEN_FORMAT_ARG(index)
#endif

/* Marks a literal for the catalogue where it is written (a table); translate it where used. */
#define TRANSLATABLE(message) message

struct translation {
  /* The message in the admin's language; `message` itself when there is none. */
  const char *(*text)(const char *message);
  /* The form of `singular`/`plural` that goes with `count`, in the admin's language. */
  const char *(*plural)(const char *singular, const char *plural, unsigned long count);
};

const char *translation_text(const struct translation *translation, const char *message)
    DUNGHEN_FORMAT_ARG(2);
const char *translation_plural(const struct translation *translation, const char *singular,
                               const char *plural, unsigned long count) DUNGHEN_FORMAT_ARG(2)
    DUNGHEN_FORMAT_ARG(3);

#endif
