#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dunghen-config.h"

int cli_report(const char *command, const struct error *error) {
  fprintf(stderr, "dunghen %s: %s\n", command, error->message);
  return error->status == STATUS_OK ? 1 : (int)error->status;
}

int cli_usage_error(const char *command, const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  fprintf(stderr, "dunghen %s: ", command);
  vfprintf(stderr, format, arguments);
  va_end(arguments);
  fprintf(stderr, "\nTry 'dunghen help %s'.\n", command);
  return STATUS_INVALID;
}

/*
 * Option, then environment, then the installed copy, then the source tree: the last lets a
 * fresh build run `build/daemon/dunghen ...` before anything is installed.
 */
static const char *data_directory(const char *option, const char *variable, const char *installed,
                                  const char *probe, const char *source) {
  if (option != NULL)
    return option;
  const char *environment = getenv(variable);
  if (environment != NULL && *environment != '\0')
    return environment;
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", installed, probe);
  if (access(path, R_OK) == 0)
    return installed;
  return source;
}

/* Installed, an admin's files in /etc/dunghen/rules override the shipped ones file by file. */
const char *cli_rules_directory(const char *option) {
  const char *found = data_directory(option, "DUNGHEN_RULES", DUNGHEN_DATADIR "/rules",
                                     "calendar.yaml", DUNGHEN_SOURCE_ROOT "/rules");
  if (strcmp(found, DUNGHEN_DATADIR "/rules") == 0)
    return DUNGHEN_SYSCONFDIR "/rules:" DUNGHEN_DATADIR "/rules";
  return found;
}

const char *cli_letters_directory(const char *option) {
  return data_directory(option, "DUNGHEN_LETTERS", DUNGHEN_DATADIR "/letters", "form-2025.yaml",
                        DUNGHEN_SOURCE_ROOT "/letters");
}
