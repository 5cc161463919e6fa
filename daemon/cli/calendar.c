#include "cli/cli.h"

int command_calendar(int argc, char **argv) {
  (void)argc;
  (void)argv;
  struct error error;
  return cli_report("calendar", (error_set(&error, STATUS_RUNTIME, "not implemented yet"), &error));
}
