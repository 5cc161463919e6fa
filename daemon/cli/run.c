#include "cli/cli.h"

int command_run(int argc, char **argv) {
  (void)argc;
  (void)argv;
  struct error error;
  return cli_report("run", (error_set(&error, STATUS_RUNTIME, "not implemented yet"), &error));
}
