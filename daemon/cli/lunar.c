/*
 * lunar.c: `dunghen lunar YYYY-MM-DD`, the Vietnamese lunar date of a solar date.
 *
 * Prints `YYYY-MM-DD` (lunar year, month, day), followed by ` leap` in a leap month. A date
 * that cannot be read, or one outside 1900-2199, exits 2 with a message naming the cause.
 */
#include <stdio.h>

#include "cli/cli.h"
#include "core/civil.h"
#include "core/lunar.h"

int command_lunar(int argc, char **argv) {
  const char *text = NULL;
  for (int i = 1; i < argc; i++) {
    if (argv[i][0] == '-' && argv[i][1] != '\0')
      return cli_usage_error("lunar", "unknown option '%s'", argv[i]);
    if (text != NULL)
      return cli_usage_error("lunar", "unexpected argument '%s': expected one date", argv[i]);
    text = argv[i];
  }
  if (text == NULL)
    return cli_usage_error("lunar", "missing the solar date YYYY-MM-DD");
  struct error error;
  struct civil_date date;
  struct lunar_date lunar;
  if (civil_parse_date(text, &date, &error) != STATUS_OK ||
      lunar_from_solar(civil_days_from_date(date.year, date.month, date.day), &lunar, &error) !=
          STATUS_OK)
    return cli_report("lunar", &error);
  char output[LUNAR_DATE_TEXT_SIZE];
  lunar_format_date(&lunar, output);
  printf("%s\n", output);
  return 0;
}
