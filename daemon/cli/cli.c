#include "cli/cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/translate.h"
#include "service/paths.h"

int cli_report(const char *command, const struct error *error) {
  /* One line a failure, each with the command's name (core/error.h: a message may hold several). */
  for (const char *line = error->message;;) {
    const char *end = strchr(line, '\n');
    int length = (int)(end != NULL ? (size_t)(end - line) : strlen(line));
    fprintf(stderr, "dunghen %s: %.*s\n", command, length, line);
    if (end == NULL)
      break;
    line = end + 1;
  }
  return error->status == STATUS_OK ? 1 : (int)error->status;
}

int cli_usage_error(const char *command, const char *format, ...) {
  va_list arguments;
  va_start(arguments, format);
  fprintf(stderr, "dunghen %s: ", command);
  vfprintf(stderr, _(format), arguments);
  va_end(arguments);
  fprintf(stderr, _("\nTry 'dunghen help %s'.\n"), command);
  return STATUS_INVALID;
}

const char *cli_rules_directory(const char *option) {
  return paths_rules(option);
}

const char *cli_letters_directory(const char *option) {
  return paths_letters(option);
}
