/*
 * translate.h: gettext for the messages an admin reads, in the layers that may read the
 * environment (rules/ and above; core/ takes a struct translation instead, core/translation.h).
 *
 * `_("...")` translates now; `N_("...")` only marks a literal for the catalogue (a table), to be
 * translated with _() where it is used. Both are found by xgettext (po/meson.build). Until the
 * command line chose a language (cli/language.h) every message is the English as written, which
 * is what the daemon's logs get.
 */
#ifndef DUNGHEN_TRANSLATE_H
#define DUNGHEN_TRANSLATE_H

#include <libintl.h>

#include "dunghen-config.h"

#define _(message) dgettext(DUNGHEN_GETTEXT_PACKAGE, message)
#define N_(message) message

#endif
