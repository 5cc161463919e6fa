/*
 * solar.c: `dunghen solar YYYY-MM-DD [--leap]`, the solar date of a Vietnamese lunar date.
 *
 * The argument is a lunar year, month and day; --leap selects the leap month of that number.
 * Prints the solar date as `YYYY-MM-DD`. A lunar date that does not exist (day 30 of a 29-day
 * month, a leap month the year lacks) or falls outside 1900-2199 exits 2 and says why.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/civil.h"
#include "core/lunar.h"

int command_solar(int argc, char **argv) {
  const char *text = NULL;
  bool leap = false;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--leap") == 0)
      leap = true;
    else if (argv[i][0] == '-' && argv[i][1] != '\0')
      return cli_usage_error("solar", "unknown option '%s'", argv[i]);
    else if (text != NULL)
      return cli_usage_error("solar", "unexpected argument '%s': expected one date", argv[i]);
    else
      text = argv[i];
  }
  if (text == NULL)
    return cli_usage_error("solar", "missing the lunar date YYYY-MM-DD");
  struct error error;
  struct lunar_date lunar;
  int64_t day = 0;
  if (lunar_parse_date(text, &lunar, &error) != STATUS_OK)
    return cli_report("solar", &error);
  lunar.leap = leap;
  if (lunar_to_solar(&lunar, &day, &error) != STATUS_OK)
    return cli_report("solar", &error);
  char output[16];
  civil_format_date(day, output, sizeof output);
  printf("%s\n", output);
  return 0;
}
