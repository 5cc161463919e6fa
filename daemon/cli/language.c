/*
 * language.c: the messages' language from the locale (see language.h).
 */
#include "cli/language.h"

#include <libintl.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dunghen-config.h"

/* The locale the environment asks messages in, as setlocale() reads it. */
static const char *requested_locale(void) {
  static const char *const variables[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
  for (size_t i = 0; i < sizeof variables / sizeof variables[0]; i++) {
    const char *value = getenv(variables[i]);
    if (value != NULL && *value != '\0')
      return value;
  }
  return NULL;
}

static bool is_c_locale(const char *name) {
  return name == NULL || strcmp(name, "C") == 0 || strcmp(name, "POSIX") == 0 ||
         strncmp(name, "C.", 2) == 0;
}

/* LANG=vi_VN.UTF-8 without that locale generated: messages in C.UTF-8, LANGUAGE=vi_VN:vi. */
static void fall_back_to_language(const char *requested) {
  size_t country = strcspn(requested, ".@");
  size_t language = strcspn(requested, "_.@");
  if (language == 0 || language > 8 || country > 16)
    return;
  const char *current = getenv("LANGUAGE");
  if (setlocale(LC_MESSAGES, "C.UTF-8") == NULL)
    return;
  if (current != NULL && *current != '\0')
    return;
  char languages[40];
  if (country > language)
    snprintf(languages, sizeof languages, "%.*s:%.*s", (int)country, requested, (int)language,
             requested);
  else
    snprintf(languages, sizeof languages, "%.*s", (int)language, requested);
  setenv("LANGUAGE", languages, 1);
}

static const char *catalogue_directory(void) {
  const char *chosen = getenv("DUNGHEN_LOCALEDIR");
  if (chosen != NULL && *chosen != '\0')
    return chosen;
  if (access(DUNGHEN_LOCALEDIR "/vi/LC_MESSAGES/" DUNGHEN_GETTEXT_PACKAGE ".mo", R_OK) == 0)
    return DUNGHEN_LOCALEDIR;
  return DUNGHEN_BUILD_LOCALEDIR;
}

void language_setup(void) {
  const char *messages = setlocale(LC_MESSAGES, "");
  const char *requested = requested_locale();
  if ((messages == NULL || strcmp(messages, "C") == 0) && !is_c_locale(requested))
    fall_back_to_language(requested);
  bindtextdomain(DUNGHEN_GETTEXT_PACKAGE, catalogue_directory());
  bind_textdomain_codeset(DUNGHEN_GETTEXT_PACKAGE, "UTF-8");
  textdomain(DUNGHEN_GETTEXT_PACKAGE);
}

void language_vietnamese(void) {
  if (setlocale(LC_MESSAGES, "C.UTF-8") != NULL)
    setenv("LANGUAGE", "vi", 1);
}

void language_english(void) {
  setlocale(LC_MESSAGES, "C");
}

/* "" is the catalogue's header in gettext, never a message. */
static const char *translate_text(const char *message) {
  return *message == '\0' ? message : dgettext(DUNGHEN_GETTEXT_PACKAGE, message);
}

static const char *translate_plural(const char *singular, const char *plural, unsigned long count) {
  return dngettext(DUNGHEN_GETTEXT_PACKAGE, singular, plural, count);
}

static const struct translation gettext_translation = {translate_text, translate_plural};

const struct translation *language_translation(void) {
  return &gettext_translation;
}
