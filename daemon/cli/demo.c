#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/civil.h"
#include "demo/demo.h"

enum {
  DEFAULT_DOSSIERS = 3000,
  DEFAULT_DAYS = 35,
  MAX_DOSSIERS = 1000000,
  MAX_DAYS = 366,
};

/* The default month starts two weeks before Tết 2026 (16-20 February), so the holiday, its
 * announced schedule and the deadlines it moves are part of every default run. */
static const char default_start[] = "2026-02-02";

static bool parse_count(const char *text, unsigned long long maximum, unsigned long long *value) {
  char *end = NULL;
  unsigned long long parsed = strtoull(text, &end, 10);
  if (*text == '\0' || *text == '-' || *end != '\0' || parsed > maximum)
    return false;
  *value = parsed;
  return true;
}

int command_demo(int argc, char **argv) {
  enum {
    OPTION_SEED = 256,
    OPTION_DOSSIERS,
    OPTION_DAYS,
    OPTION_START,
    OPTION_KEEP,
    OPTION_RULES,
    OPTION_LETTERS,
    OPTION_OUT
  };
  static const struct option options[] = {
      {"out", required_argument, NULL, OPTION_OUT},
      {"seed", required_argument, NULL, OPTION_SEED},
      {"dossiers", required_argument, NULL, OPTION_DOSSIERS},
      {"days", required_argument, NULL, OPTION_DAYS},
      {"start", required_argument, NULL, OPTION_START},
      {"keep", no_argument, NULL, OPTION_KEEP},
      {"rules", required_argument, NULL, OPTION_RULES},
      {"letters", required_argument, NULL, OPTION_LETTERS},
      {NULL, 0, NULL, 0},
  };
  struct demo_options demo = {
      .output_directory = "dunghen-demo",
      .seed = 1,
      .dossiers = DEFAULT_DOSSIERS,
      .days = DEFAULT_DAYS,
      .progress = isatty(STDOUT_FILENO),
  };
  const char *start = default_start, *rules = NULL, *letters = NULL;
  unsigned long long number;
  int option;
  optind = 1;
  while ((option = getopt_long(argc, argv, "", options, NULL)) != -1) {
    switch (option) {
    case OPTION_OUT:
      demo.output_directory = optarg;
      break;
    case OPTION_SEED:
      if (!parse_count(optarg, UINT64_MAX, &number))
        return cli_usage_error("demo", "--seed takes a whole number, not '%s'", optarg);
      demo.seed = number;
      break;
    case OPTION_DOSSIERS:
      if (!parse_count(optarg, MAX_DOSSIERS, &number) || number == 0)
        return cli_usage_error("demo", "--dossiers takes 1 to %d, not '%s'", MAX_DOSSIERS, optarg);
      demo.dossiers = (size_t)number;
      break;
    case OPTION_DAYS:
      if (!parse_count(optarg, MAX_DAYS, &number) || number == 0)
        return cli_usage_error("demo", "--days takes 1 to %d, not '%s'", MAX_DAYS, optarg);
      demo.days = (int)number;
      break;
    case OPTION_START:
      start = optarg;
      break;
    case OPTION_KEEP:
      demo.keep = true;
      break;
    case OPTION_RULES:
      rules = optarg;
      break;
    case OPTION_LETTERS:
      letters = optarg;
      break;
    default:
      return cli_usage_error("demo", "unknown option");
    }
  }
  if (optind < argc)
    return cli_usage_error("demo", "unexpected argument '%s'", argv[optind]);
  struct civil_date date;
  struct error error;
  if (civil_parse_date(start, &date, &error) != STATUS_OK)
    return cli_usage_error("demo", "--start: %s", error.message);
  demo.first_day = civil_days_from_date(date.year, date.month, date.day);
  demo.rules_directory = cli_rules_directory(rules);
  demo.letters_directory = cli_letters_directory(letters);
  if (demo_run(&demo, &error) != STATUS_OK)
    return cli_report("demo", &error);
  return 0;
}
