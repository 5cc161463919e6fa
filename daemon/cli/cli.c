#include "cli/cli.h"

#include <getopt.h>
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

int cli_option_error(const char *command, int found, char **argv) {
  if (found == ':')
    return cli_usage_error(command, "option '%s' needs a value", argv[optind - 1]);
  return cli_usage_error(command, "unknown option '%s'", argv[optind - 1]);
}

int cli_no_arguments(const char *command, int argc, char **argv) {
  if (optind < argc)
    return cli_usage_error(command, "unexpected argument '%s'", argv[optind]);
  return 0;
}

const char *cli_now(const char *option) {
  if (option != NULL)
    return option;
  const char *value = getenv("DUNGHEN_NOW");
  return value != NULL && *value != '\0' ? value : NULL;
}

const char *cli_rules_directory(const char *option) {
  return paths_rules(option);
}

const char *cli_letters_directory(const char *option) {
  return paths_letters(option);
}
