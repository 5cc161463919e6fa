#include "cli/daemon_options.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

enum {
  OPTION_CONFIG = 1,
  OPTION_DB,
  OPTION_RULES,
  OPTION_LETTERS,
  OPTION_SPOOL,
  OPTION_NOW,
  OPTION_RATE
};

static const char *environment(const char *name) {
  const char *value = getenv(name);
  return value != NULL && *value != '\0' ? value : NULL;
}

int daemon_options_parse(const char *command, int argc, char **argv, bool allow_rate,
                         struct daemon_options *options) {
  static const struct option long_options[] = {
      {"config", required_argument, NULL, OPTION_CONFIG},
      {"db", required_argument, NULL, OPTION_DB},
      {"rules", required_argument, NULL, OPTION_RULES},
      {"letters", required_argument, NULL, OPTION_LETTERS},
      {"spool", required_argument, NULL, OPTION_SPOOL},
      {"now", required_argument, NULL, OPTION_NOW},
      {"clock-rate", required_argument, NULL, OPTION_RATE},
      {NULL, 0, NULL, 0},
  };
  memset(options, 0, sizeof *options);
  optind = 1;
  opterr = 0;
  int option;
  while ((option = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
    switch (option) {
    case OPTION_CONFIG:
      options->loop.config_path = optarg;
      break;
    case OPTION_DB:
      options->loop.overrides.conninfo = optarg;
      break;
    case OPTION_RULES:
      options->loop.overrides.rules_directory = optarg;
      break;
    case OPTION_LETTERS:
      options->loop.overrides.letters_directory = optarg;
      break;
    case OPTION_SPOOL:
      options->loop.overrides.spool_directory = optarg;
      break;
    case OPTION_NOW:
      options->now = optarg;
      break;
    case OPTION_RATE:
      if (!allow_rate)
        return cli_usage_error(command, "unknown option '--clock-rate'");
      options->clock_rate = optarg;
      break;
    default:
      return cli_option_error(command, option, argv);
    }
  }
  if (cli_no_arguments(command, argc, argv) != 0)
    return STATUS_INVALID;
  options->now = cli_now(options->now);
  if (allow_rate && options->clock_rate == NULL)
    options->clock_rate = environment("DUNGHEN_CLOCK_RATE");
  if (options->now == NULL && options->clock_rate == NULL) {
    clock_init_real(&options->loop.clock);
    return 0;
  }
  if (options->now == NULL)
    return cli_usage_error(command, "--clock-rate needs --now (where the clock starts)");
  struct error error;
  if (clock_init_simulated(&options->loop.clock, options->now, options->clock_rate, &error) !=
      STATUS_OK)
    return cli_usage_error(command, "%s", error.message);
  return 0;
}
