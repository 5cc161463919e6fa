/*
 * language.h: the language of the admin tools' messages (English, or Vietnamese from po/).
 *
 * language_setup() follows the locale, as any gettext program does: LC_ALL, LC_MESSAGES, LANG,
 * and LANGUAGE for a list of languages. One exception, decided for servers where only the C
 * locales are generated (Debian's default, and CI): when the requested locale does not exist
 * (LANG=vi_VN.UTF-8 on such a machine, so glibc falls back to C and would ignore LANGUAGE),
 * the messages switch to C.UTF-8 with LANGUAGE set to that locale's language ("vi_VN:vi")
 * unless LANGUAGE is already set, so the admin still gets the language asked for. Only the
 * messages category changes: numbers, sorting and character classes stay "C".
 *
 * The catalogue is read from $DUNGHEN_LOCALEDIR, else the installed localedir when it holds
 * dunghen.mo, else the build tree's po/ (a build that was never installed). The daemon (`run`,
 * `once`) never calls language_setup(): its log lines stay English.
 */
#ifndef DUNGHEN_LANGUAGE_H
#define DUNGHEN_LANGUAGE_H

#include "core/translation.h"

void language_setup(void);
/* Vietnamese messages whatever the locale asks: `dunghen web` serves Vietnamese pages, and
 * the lines it takes from the catalogue (a deadline's derivation, the calendar's reasons, read
 * when the rules load) must be Vietnamese too. Messages in C.UTF-8 with LANGUAGE=vi. */
void language_vietnamese(void);
/* Back to English for the rest of the process: machine-readable output (JSON). */
void language_english(void);
/* gettext and ngettext as the core's hook (core/translation.h). */
const struct translation *language_translation(void);

#endif
