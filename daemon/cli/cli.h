/*
 * cli.h: the command-line subcommands and what they share.
 *
 * Each subcommand lives in its own file as `int command_NAME(int argc, char **argv)`, receives
 * its own argv (argv[0] is the subcommand name) and returns the process exit status: 0 on
 * success, 1 on a runtime failure, 2 on invalid input or usage. The table that maps names to
 * functions, with their one-line summaries and usage text, is in main.c.
 */
#ifndef DUNGHEN_CLI_H
#define DUNGHEN_CLI_H

#include <stddef.h>

#include "core/error.h"

int command_check(int argc, char **argv);
int command_calendar(int argc, char **argv);
int command_lunar(int argc, char **argv);
int command_solar(int argc, char **argv);
int command_deadline(int argc, char **argv);
int command_letter(int argc, char **argv);
int command_migrate(int argc, char **argv);
int command_run(int argc, char **argv);
int command_once(int argc, char **argv);
int command_demo(int argc, char **argv);
int command_preview(int argc, char **argv);
int command_report(int argc, char **argv);
int command_letters(int argc, char **argv);
int command_web(int argc, char **argv);

/* Prints `dunghen COMMAND: message` to stderr, one such line for each line of the message, and
 * returns the exit status for the error. */
int cli_report(const char *command, const struct error *error);
/* Prints `dunghen COMMAND: message` and a pointer to `dunghen help COMMAND`; returns 2. The
 * format is translated (rules/translate.h; po/meson.build names this function to xgettext). */
int cli_usage_error(const char *command, const char *format, ...) DUNGHEN_PRINTF(2, 3);
/* The end of a getopt_long loop: `found` is what it returned for an option it could not take
 * (':' a missing value, anything else an unknown option). Returns 2. */
int cli_option_error(const char *command, int found, char **argv);
/* After the options: a stray argument is a usage error (returns 2), else 0. */
int cli_no_arguments(const char *command, int argc, char **argv);
/* The "now" of a command: --now if given, else $DUNGHEN_NOW when set and not empty, else NULL
 * (the system clock). */
const char *cli_now(const char *option);
/* The rules search path (rules_locate): --rules if given, else $DUNGHEN_RULES, else
 * SYSCONFDIR/rules:DATADIR/rules when installed, else the source tree's (a build that was never
 * installed). */
const char *cli_rules_directory(const char *option);
/* The letter templates, likewise: --letters, $DUNGHEN_LETTERS, installed, source tree. */
const char *cli_letters_directory(const char *option);

#endif
