/*
 * report.c: `dunghen report`, the period's progress figures (PRODUCT.md, "Statistics";
 * docs/REPORT.md) as text, CSV, JSON or PDF, read from one snapshot, writing nothing to the
 * database.
 *
 * The database and rules are found as `dunghen preview` finds them: the config's conninfo and
 * `paths.rules` (--config, or the default file), --db and --rules overriding them. The figures
 * are counted by store/report.h, labelled and completed by rules/report_rules.h, rendered by
 * core/report.h (text, CSV, JSON) or letter/report_pdf.h (PDF, with --issuer's letterhead).
 * Without --out the report goes to stdout (a PDF only when stdout is not a terminal); with it,
 * the file is written whole or not at all (a temporary file beside it, fsynced, renamed), mode
 * 0640 like the letters, since a report lists dossier codes.
 * Exit status: 0; 1 when the database or the file system fails; 2 for bad input (dates, an
 * empty or inverted period, an unknown grouping, format or agency, bad rules or config).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/civil.h"
#include "core/report.h"
#include "rules/report_rules.h"
#include "rules/ruleset.h"
#include "service/loop.h"
#include "service/session.h"
#include "store/report.h"
#include "store/schema.h"

enum { REPORT_FILE_MODE = 0640 };

struct report_options {
  const char *from, *to;
  enum report_grouping grouping;
  const char *agency;
  enum report_format format;
  const char *out;
  const char *config;
  const char *conninfo;
  const char *rules;
};

static enum status parse_day(const char *option, const char *text, int64_t *day,
                             struct error *error) {
  struct civil_date date;
  if (civil_parse_date(text, &date, error) != STATUS_OK)
    return error_prefix(error, "%s", option);
  *day = civil_days_from_date(date.year, date.month, date.day);
  return STATUS_OK;
}

/* ---- the file ---- */

/* Writes `data` to `path` whole or not at all: a temporary file beside it, mode 0640 whatever
 * the umask, fsynced, then renamed over it. */
static enum status write_atomically(const char *path, const char *data, size_t size,
                                    struct error *error) {
  size_t length = strlen(path);
  char *temporary = malloc(length + 16);
  if (temporary == NULL)
    return error_set(error, STATUS_RUNTIME, "out of memory");
  const char *slash = strrchr(path, '/');
  size_t directory = slash != NULL ? (size_t)(slash - path) + 1 : 0;
  snprintf(temporary, length + 16, "%.*s.%s.XXXXXX", (int)directory, path, path + directory);
  int descriptor = mkstemp(temporary);
  if (descriptor < 0) {
    int cause = errno;
    free(temporary);
    return error_set(error, STATUS_RUNTIME, "%s: cannot create a file beside it: %s", path,
                     strerror(cause));
  }
  bool ok = fchmod(descriptor, REPORT_FILE_MODE) == 0;
  for (size_t written = 0; ok && written < size;) {
    ssize_t count = write(descriptor, data + written, size - written);
    if (count < 0 && errno == EINTR)
      continue;
    ok = count > 0;
    if (ok)
      written += (size_t)count;
  }
  ok = ok && fsync(descriptor) == 0;
  int cause = errno;
  ok = close(descriptor) == 0 && ok;
  ok = ok && rename(temporary, path) == 0;
  if (!ok) {
    cause = cause != 0 ? cause : errno;
    unlink(temporary);
    free(temporary);
    return error_set(error, STATUS_RUNTIME, "%s: cannot write: %s", path, strerror(cause));
  }
  free(temporary);
  return STATUS_OK;
}

static enum status write_stdout(const char *data, size_t size, struct error *error) {
  if (fwrite(data, 1, size, stdout) != size || fflush(stdout) != 0)
    return error_set(error, STATUS_RUNTIME, "writing the report to stdout failed");
  return STATUS_OK;
}

/* ---- the run ---- */

static enum status connect_database(const struct config *config, PGconn **connection,
                                    struct error *error) {
  if (session_open(config->conninfo, "dunghen-report", false, connection, error) != STATUS_OK)
    return error_prefix(error, "connect");
  int version;
  enum status status = session_set_timeouts(*connection, &config->timeouts, error);
  return status == STATUS_OK ? schema_check(*connection, &version, error) : status;
}

/* --agency must name an agency of agencies.yaml or one the database has dossiers of. */
static enum status check_agency(PGconn *connection, const struct ruleset *set, const char *agency,
                                struct error *error) {
  if (agency == NULL || agencies_find(&set->agencies, agency) != NULL)
    return STATUS_OK;
  bool seen = false;
  enum status status = report_agency_seen(connection, agency, &seen, error);
  if (status != STATUS_OK || seen)
    return status;
  return error_set(error, STATUS_INVALID,
                   "unknown agency '%s': not in agencies.yaml and no dossier of it in the "
                   "database",
                   agency);
}

static enum status render(const struct report_options *options, const struct report *report,
                          struct buffer *out, struct error *error) {
  switch (options->format) {
  case REPORT_FORMAT_TEXT:
    report_format_text(report, out);
    break;
  case REPORT_FORMAT_CSV:
    report_format_csv(report, out);
    break;
  case REPORT_FORMAT_JSON:
  case REPORT_FORMAT_PDF:
  default:
    report_format_json(report, out);
    break;
  }
  if (out->failed)
    return error_set(error, STATUS_RUNTIME, "out of memory for the report");
  return STATUS_OK;
}

static enum status run_report(const struct report_options *options, struct error *error) {
  struct report_query query = {.grouping = options->grouping, .agency = options->agency};
  enum status status = parse_day("--from", options->from, &query.period.from_day, error);
  if (status == STATUS_OK)
    status = parse_day("--to", options->to, &query.period.to_day, error);
  if (status != STATUS_OK)
    return status;
  if (query.period.from_day > query.period.to_day)
    return error_set(error, STATUS_INVALID,
                     "the period is empty: --from %s is after --to %s (both days are included)",
                     options->from, options->to);
  struct loop_options loop = {.config_path = options->config};
  loop.overrides.conninfo = options->conninfo;
  loop.overrides.rules_directory = options->rules;
  struct config config;
  status = loop_load_config(&loop, &config, error);
  if (status != STATUS_OK)
    return status;
  struct ruleset *set = NULL;
  PGconn *connection = NULL;
  struct report report = {0};
  struct buffer out = {0};
  status = ruleset_load(config.rules_directory, query.period.to_day, &set, error);
  if (status == STATUS_OK)
    status = connect_database(&config, &connection, error);
  if (status == STATUS_OK)
    status = check_agency(connection, set, options->agency, error);
  if (status == STATUS_OK)
    status = report_read(connection, &query, &report, error);
  if (status == STATUS_OK)
    status = report_apply_rules(&report, &set->rules->procedures, &set->agencies, error);
  if (status == STATUS_OK)
    status = render(options, &report, &out, error);
  if (status == STATUS_OK)
    status = options->out != NULL ? write_atomically(options->out, out.data, out.length, error)
                                  : write_stdout(out.data, out.length, error);
  buffer_free(&out);
  report_free(&report);
  session_close(connection);
  ruleset_release(set);
  config_free(&config);
  return status;
}

/* ---- the command line ---- */

enum {
  OPTION_FROM = 1,
  OPTION_TO,
  OPTION_BY,
  OPTION_AGENCY,
  OPTION_FORMAT,
  OPTION_OUT,
  OPTION_CONFIG,
  OPTION_DB,
  OPTION_RULES,
};

static int parse_format(const char *text, enum report_format *format) {
  static const char *const names[] = {
      [REPORT_FORMAT_TEXT] = "text",
      [REPORT_FORMAT_CSV] = "csv",
      [REPORT_FORMAT_JSON] = "json",
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(text, names[i]) == 0) {
      *format = (enum report_format)i;
      return 0;
    }
  return cli_usage_error("report", "--format is text, csv or json, not '%s'", text);
}

static int parse_options(int argc, char **argv, struct report_options *options) {
  static const struct option long_options[] = {
      {"from", required_argument, NULL, OPTION_FROM},
      {"to", required_argument, NULL, OPTION_TO},
      {"by", required_argument, NULL, OPTION_BY},
      {"agency", required_argument, NULL, OPTION_AGENCY},
      {"format", required_argument, NULL, OPTION_FORMAT},
      {"out", required_argument, NULL, OPTION_OUT},
      {"config", required_argument, NULL, OPTION_CONFIG},
      {"db", required_argument, NULL, OPTION_DB},
      {"rules", required_argument, NULL, OPTION_RULES},
      {NULL, 0, NULL, 0},
  };
  memset(options, 0, sizeof *options);
  options->grouping = REPORT_BY_AGENCY;
  options->format = REPORT_FORMAT_TEXT;
  optind = 1;
  opterr = 0;
  int option;
  struct error error;
  while ((option = getopt_long(argc, argv, ":", long_options, NULL)) != -1) {
    switch (option) {
    case OPTION_FROM:
      options->from = optarg;
      break;
    case OPTION_TO:
      options->to = optarg;
      break;
    case OPTION_BY:
      if (report_grouping_parse(optarg, &options->grouping, &error) != STATUS_OK)
        return cli_usage_error("report", "--by: %s", error.message);
      break;
    case OPTION_AGENCY:
      if (optarg[0] == '\0')
        return cli_usage_error("report", "--agency needs an agency code");
      options->agency = optarg;
      break;
    case OPTION_FORMAT:
      if (parse_format(optarg, &options->format) != 0)
        return STATUS_INVALID;
      break;
    case OPTION_OUT:
      if (optarg[0] == '\0')
        return cli_usage_error("report", "--out needs a file name");
      options->out = optarg;
      break;
    case OPTION_CONFIG:
      options->config = optarg;
      break;
    case OPTION_DB:
      options->conninfo = optarg;
      break;
    case OPTION_RULES:
      options->rules = optarg;
      break;
    case ':':
      return cli_usage_error("report", "option '%s' needs a value", argv[optind - 1]);
    default:
      return cli_usage_error("report", "unknown option '%s'", argv[optind - 1]);
    }
  }
  if (optind < argc)
    return cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
  if (options->from == NULL || options->to == NULL)
    return cli_usage_error("report", "--from DATE and --to DATE are required (YYYY-MM-DD)");
  return 0;
}

int command_report(int argc, char **argv) {
  struct report_options options;
  int usage = parse_options(argc, argv, &options);
  if (usage != 0)
    return usage;
  struct error error;
  error_clear(&error);
  if (run_report(&options, &error) != STATUS_OK)
    return cli_report("report", &error);
  return 0;
}
