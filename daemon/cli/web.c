/*
 * web.c: `dunghen web`, the officials' read-only view (web/server.h does the work;
 * docs/WEB.md), and `dunghen web --hash-password`, which makes a users file's password hash.
 *
 * The process (web/run.h) reads the config's `web:` section, the rules and the users file, then
 * serves until SIGTERM or SIGINT; SIGHUP reloads the users file. `--now TS` (or
 * $DUNGHEN_NOW) starts a simulated clock at TS that runs at real speed: tests expire sessions
 * with it. Exit status 2: bad options, config, rules or users file; 1: the database or the
 * socket.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/language.h"
#include "service/clock.h"
#include "service/config.h"
#include "service/log.h"
#include "service/loop.h"
#include "web/password.h"
#include "web/run.h"

struct web_options {
  const char *config;
  const char *rules;
  const char *now;
  bool hash_password;
};

static int parse_options(int argc, char **argv, struct web_options *options) {
  static const struct option long_options[] = {
      {"config", required_argument, NULL, 'c'},
      {"rules", required_argument, NULL, 'r'},
      {"now", required_argument, NULL, 'n'},
      {"hash-password", no_argument, NULL, 'p'},
      {NULL, 0, NULL, 0},
  };
  memset(options, 0, sizeof *options);
  optind = 1;
  opterr = 0;
  int found;
  while ((found = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
    switch (found) {
    case 'c':
      options->config = optarg;
      break;
    case 'r':
      options->rules = optarg;
      break;
    case 'n':
      options->now = optarg;
      break;
    case 'p':
      options->hash_password = true;
      break;
    default:
      return cli_option_error("web", found, argv);
    }
  }
  return cli_no_arguments("web", argc, argv);
}

/* ---- --hash-password ---- */

/* One line of stdin, without echo when it is a terminal. */
static enum status read_password(char *password, size_t size, struct error *error) {
  bool terminal = isatty(STDIN_FILENO);
  struct termios saved, quiet;
  if (terminal) {
    fprintf(stderr, "Password: ");
    fflush(stderr);
    if (tcgetattr(STDIN_FILENO, &saved) != 0)
      return error_set(error, STATUS_RUNTIME, "cannot read the terminal: %s", strerror(errno));
    quiet = saved;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= ECHONL;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  bool read = fgets(password, (int)size, stdin) != NULL;
  if (terminal)
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  if (!read)
    return error_set(error, STATUS_INVALID, "no password on standard input");
  size_t length = strcspn(password, "\r\n");
  if (password[length] == '\0' && length + 1 == size)
    return error_set(error, STATUS_INVALID, "the password is longer than %d bytes",
                     WEB_PASSWORD_MAX);
  password[length] = '\0';
  if (length == 0)
    return error_set(error, STATUS_INVALID, "the password is empty");
  return STATUS_OK;
}

static int hash_password(void) {
  char password[WEB_PASSWORD_MAX + 2];
  char hash[WEB_PASSWORD_HASH_SIZE];
  struct error error;
  error_clear(&error);
  enum status status = read_password(password, sizeof password, &error);
  if (status == STATUS_OK)
    status = web_password_hash(password, hash, &error);
  explicit_bzero(password, sizeof password);
  if (status != STATUS_OK)
    return cli_report("web", &error);
  printf("%s\n", hash);
  return fflush(stdout) == 0 ? 0 : 1;
}

int command_web(int argc, char **argv) {
  struct web_options options;
  int usage = parse_options(argc, argv, &options);
  if (usage != 0)
    return usage;
  if (options.hash_password)
    return hash_password();
  /* The pages are Vietnamese, and so must be what they take from the catalogue. */
  language_vietnamese();
  struct log log;
  log_init(&log, stderr, LOG_INFO);
  struct error error;
  error_clear(&error);
  struct clock clock;
  const char *now = cli_now(options.now);
  if (now == NULL)
    clock_init_real(&clock);
  else if (clock_init_simulated(&clock, now, NULL, &error) != STATUS_OK)
    return cli_usage_error("web", "--now: %s", error.message);
  struct loop_options loop = {.config_path = options.config};
  loop.overrides.rules_directory = options.rules;
  struct config config;
  enum status status = loop_load_config(&loop, &config, &error);
  if (status != STATUS_OK) {
    log_lines(&log, LOG_ERROR, NULL, error.message);
    return error.status == STATUS_INVALID ? 2 : 1;
  }
  log_set_level(&log, config.log_level);
  status = web_run(&config, &clock, &log, &error);
  if (status != STATUS_OK)
    log_lines(&log, LOG_ERROR, NULL, error.message);
  config_free(&config);
  return status == STATUS_OK ? 0 : error.status == STATUS_INVALID ? 2 : 1;
}
