#include "cli/cli.h"

int command_check(int argc, char **argv) {
  (void)argc;
  (void)argv;
  struct error error;
  return cli_report("check", (error_set(&error, STATUS_RUNTIME, "not implemented yet"), &error));
}
